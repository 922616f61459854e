package dev.ember.examples;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ember.wire.AcceptingProfilesService;
import io.grpc.Server;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Faults from the outside, each with a child JVM running the autoconfigured demo app: JFR switched
 * off, a bad configuration value, and a backend that is down and then comes back. The app must be
 * unaffected where the issue says so, and the log must say clearly what happened.
 */
class ExporterFaultsIT {
  @TempDir Path dir;

  Process demo(Path log, List<String> jvmArgs, int seconds) throws Exception {
    String java = ProcessHandle.current().info().command().orElse("java");
    List<String> cmd = new ArrayList<>();
    cmd.add(java);
    cmd.addAll(jvmArgs);
    cmd.add("-cp");
    cmd.add(System.getProperty("java.class.path"));
    cmd.add("dev.ember.examples.demo.DemoApp");
    cmd.add(Integer.toString(seconds));
    return new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile()).start();
  }

  static int freePort() throws Exception {
    try (ServerSocket s = new ServerSocket(0)) {
      return s.getLocalPort();
    }
  }

  @Test
  void jfrDisabledLogsOnceAndTheAppRunsOn() throws Exception {
    Path log = dir.resolve("nojfr.log");
    Process p =
        demo(
            log,
            List.of(
                "-XX:-FlightRecorder",
                "-Dotel.exporter.otlp.profiles.endpoint=http://127.0.0.1:" + freePort()),
            3);
    assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
    String out = Files.readString(log);
    assertThat(p.exitValue()).as(out).isZero();
    assertThat(out)
        .contains("ember-demo: handling requests")
        .contains("Ember profiling is off")
        .contains("JFR is not available");
  }

  @Test
  void badConfigurationFailsStartUpNamingTheKey() throws Exception {
    Path log = dir.resolve("badconfig.log");
    Process p = demo(log, List.of("-Dotel.profiling.cpu.interval=fast"), 3);
    assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
    String out = Files.readString(log);
    assertThat(p.exitValue()).as(out).isNotZero();
    assertThat(out).contains("invalid value for otel.profiling.cpu.interval: fast");
  }

  @Test
  void backendDownThenUpWarnsAtMostOncePerIntervalAndDeliveryResumes() throws Exception {
    int port = freePort();
    Path log = dir.resolve("outage.log");
    Process p =
        demo(
            log,
            List.of(
                "-Dotel.exporter.otlp.profiles.endpoint=http://127.0.0.1:" + port,
                "-Dotel.profiling.export.interval=1s",
                "-Dotel.exporter.otlp.profiles.timeout=1s"),
            16);
    AtomicInteger received = new AtomicInteger();
    Thread.sleep(9_000); // the backend is down for the first 9 s
    assertThat(p.isAlive()).as("the app is unaffected by the outage").isTrue();
    Server server =
        NettyServerBuilder.forAddress(new InetSocketAddress("127.0.0.1", port))
            .addService(new AcceptingProfilesService(r -> received.incrementAndGet()))
            .build()
            .start();
    try {
      assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
    } finally {
      server.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    }
    String out = Files.readString(log);
    assertThat(p.exitValue()).as(out).isZero();
    long warnings = out.lines().filter(l -> l.startsWith("WARNING: Ember profiles")).count();
    System.out.printf(
        "outage IT: %d warnings during a 9 s outage at a 1 s interval; %d requests delivered"
            + " after it%n",
        warnings, received.get());
    assertThat(warnings).as(out).isBetween(1L, 11L);
    assertThat(received.get()).as("delivery resumes, including windows queued during the outage");
    assertThat(received.get()).isGreaterThanOrEqualTo(10);
  }
}
