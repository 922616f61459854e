package dev.ember.examples;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ember.wire.AcceptingProfilesService;
import dev.ember.wire.ProfilesValidator;
import dev.ember.wire.ValidationReport;
import io.grpc.Server;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.opentelemetry.proto.collector.profiles.v1development.ExportProfilesServiceRequest;
import io.opentelemetry.proto.profiles.v1development.Profile;
import io.opentelemetry.proto.profiles.v1development.ProfilesDictionary;
import io.opentelemetry.proto.profiles.v1development.Sample;
import java.io.File;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Registration way 1 with real parts: the OpenTelemetry Java agent 2.33.1 (fetched from Maven
 * Central by the build) loads Ember's shaded extension jar into a child JVM running the service
 * workload, which uses only the OTel API. A gRPC receiver on a free loopback port takes the OTLP
 * requests; they must pass the validator with no unknown fields and carry every profile type, the
 * resource from the agent's SDK, {@code thread.name}, {@code span.name} of the agent's spans and
 * span links. The child must exit by itself (Ember's threads are daemons) and flush on shutdown.
 */
class AgentExtensionIT {
  @TempDir Path dir;

  static String workloadClasspath() {
    // The application's own classpath: the workload and the OTel API, nothing of Ember's.
    return java.util.Arrays.stream(System.getProperty("java.class.path").split(File.pathSeparator))
        .filter(
            e ->
                e.contains("opentelemetry-api")
                    || e.contains("opentelemetry-context")
                    || e.contains("opentelemetry-common")
                    || e.replace('\\', '/').contains("examples/target/classes")
                    || e.contains("ember-examples-"))
        .collect(Collectors.joining(File.pathSeparator));
  }

  /** Everything the extension jar brings lives under Ember's own packages: nothing can clash. */
  @Test
  void extensionJarRelocatesItsDependencies() throws Exception {
    Path extension = Path.of(System.getProperty("ember.extension.jar", "x.jar"));
    List<String> foreign = new ArrayList<>();
    int classes = 0;
    try (java.util.jar.JarFile jar = new java.util.jar.JarFile(extension.toFile())) {
      for (var e : Collections.list(jar.entries())) {
        String name = e.getName();
        if (name.endsWith(".class")) {
          classes++;
          if (!name.startsWith("dev/ember/exporter/")) {
            foreign.add(name);
          }
        }
      }
      assertThat(
              jar.getEntry(
                  "META-INF/services/"
                      + "io.opentelemetry.sdk.autoconfigure.spi."
                      + "AutoConfigurationCustomizerProvider"))
          .isNotNull();
    }
    assertThat(classes).isGreaterThan(1000);
    assertThat(foreign).as("classes outside dev/ember/exporter").isEmpty();
  }

  @Test
  void agentLoadsTheExtensionAndExportsLinkedProfiles() throws Exception {
    Path agent = Path.of(System.getProperty("ember.agent.jar", "target/agents/x.jar"));
    Path extension = Path.of(System.getProperty("ember.extension.jar", "x.jar"));
    assertThat(agent).as("OTel Java agent (copied by the build)").exists();
    assertThat(extension).as("Ember extension jar (built by otel-exporter)").exists();

    List<ExportProfilesServiceRequest> received = Collections.synchronizedList(new ArrayList<>());
    Server server =
        NettyServerBuilder.forAddress(new InetSocketAddress("127.0.0.1", 0))
            .maxInboundMessageSize(64 << 20)
            .addService(new AcceptingProfilesService(received::add))
            .build()
            .start();
    Path log = dir.resolve("child.log");
    try {
      String java = ProcessHandle.current().info().command().orElse("java");
      Process child =
          new ProcessBuilder(
                  java,
                  "-javaagent:" + agent,
                  "-Dotel.javaagent.extensions=" + extension,
                  "-Dotel.profiling.enabled=true",
                  "-Dotel.exporter.otlp.profiles.endpoint=http://127.0.0.1:" + server.getPort(),
                  "-Dotel.profiling.export.interval=2s",
                  "-Dotel.service.name=agent-it",
                  "-Dotel.resource.attributes=service.version=1.2.3,deployment.environment.name=it",
                  "-Dotel.traces.exporter=none",
                  "-Dotel.metrics.exporter=none",
                  "-Dotel.logs.exporter=none",
                  "-cp",
                  workloadClasspath(),
                  "dev.ember.examples.bench.Workload",
                  "8",
                  "2",
                  "150")
              .redirectErrorStream(true)
              .redirectOutput(log.toFile())
              .start();
      boolean exited = child.waitFor(90, TimeUnit.SECONDS);
      if (!exited) {
        child.destroyForcibly();
      }
      String output = Files.readString(log);
      assertThat(exited).as("child JVM exits by itself; output:%n%s", output).isTrue();
      assertThat(child.exitValue()).as(output).isZero();
      assertThat(output).contains("Ember profiling on").doesNotContain("no span links");
      // JDK 24+ warns when code loads native libraries without leave; Ember's relocated Netty
      // must not even try (it has no native libraries).
      assertThat(output).doesNotContain("has been called by dev.ember");
    } finally {
      server.shutdown().awaitTermination(10, TimeUnit.SECONDS);
    }

    assertThat(received).as("export requests").isNotEmpty();
    Set<String> kinds = new HashSet<>();
    Set<String> spanNames = new HashSet<>();
    Map<String, String> resource = new HashMap<>();
    long cpuInHandlers = 0;
    long cpuInHandlersLinked = 0;
    boolean threadNames = false;
    for (ExportProfilesServiceRequest r : received) {
      ValidationReport report = ProfilesValidator.validate(r);
      assertThat(report.isValid()).as(report.toString()).isTrue();
      assertThat(ExportProfilesServiceRequest.parseFrom(r.toByteArray())).isEqualTo(r);
      ProfilesDictionary d = r.getDictionary();
      assertThat(r.getResourceProfilesCount()).isEqualTo(1);
      r.getResourceProfiles(0)
          .getResource()
          .getAttributesList()
          .forEach(kv -> resource.put(kv.getKey(), kv.getValue().getStringValue()));
      for (Profile p : r.getResourceProfiles(0).getScopeProfiles(0).getProfilesList()) {
        String kind =
            d.getStringTable(p.getSampleType().getTypeStrindex())
                + "/"
                + d.getStringTable(p.getPeriodType().getTypeStrindex());
        kinds.add(kind);
        for (Sample s : p.getSamplesList()) {
          for (int a : s.getAttributeIndicesList()) {
            String key = d.getStringTable(d.getAttributeTable(a).getKeyStrindex());
            if (key.equals("span.name")) {
              spanNames.add(d.getAttributeTable(a).getValue().getStringValue());
            } else if (key.equals("thread.name")) {
              threadNames = true;
            }
          }
          if (kind.equals("cpu/cpu") && stackHas(d, s, "Workload.priceOrders")) {
            cpuInHandlers++;
            if (s.getLinkIndex() != 0) {
              cpuInHandlersLinked++;
            }
          }
        }
      }
    }
    assertThat(kinds)
        .contains(
            "cpu/cpu",
            "alloc_space/space",
            "alloc_objects/space",
            "contentions/mutex",
            "delay/mutex",
            "contentions/block",
            "delay/block");
    assertThat(resource)
        .containsEntry("service.name", "agent-it")
        .containsEntry("service.version", "1.2.3")
        .containsEntry("deployment.environment.name", "it")
        .containsKeys("host.name", "process.pid");
    assertThat(threadNames).isTrue();
    assertThat(spanNames).contains("GET /orders", "GET /search", "POST /checkout");
    System.out.printf(
        "agent IT: %d requests; CPU samples in handler code linked to a span: %d of %d%n",
        received.size(), cpuInHandlersLinked, cpuInHandlers);
    assertThat(cpuInHandlers).isPositive();
    // Handler code only ever runs inside a server span.
    assertThat(cpuInHandlersLinked).isGreaterThanOrEqualTo(cpuInHandlers * 95 / 100);
  }

  static boolean stackHas(ProfilesDictionary d, Sample s, String function) {
    for (int loc : d.getStackTable(s.getStackIndex()).getLocationIndicesList()) {
      int f = d.getLocationTable(loc).getLines(0).getFunctionIndex();
      if (d.getStringTable(d.getFunctionTable(f).getNameStrindex()).endsWith(function)) {
        return true;
      }
    }
    return false;
  }
}
