package dev.ember.backend;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ember.wire.ProfileRequests;
import io.grpc.ManagedChannel;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.opentelemetry.proto.collector.profiles.v1development.ProfilesServiceGrpc;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Durable before acknowledgement, proven the hard way: a real backend process ({@code backend.jar})
 * takes concurrent exports, is killed with SIGKILL in the middle, and a new process on the same
 * data directory must hold every export that was acknowledged (each one carries a frame name of its
 * own), and nothing that was never sent.
 */
class CrashDurabilityIT {
  static final String CPU = TestBackend.CPU;
  static final Pattern LISTENING =
      Pattern.compile("OTLP gRPC :(\\d+), HTTP http://localhost:(\\d+)/");

  @TempDir Path dir;

  record Running(Process process, int grpcPort, int httpPort) {}

  Running startBackend(Path data) throws Exception {
    Path jar = Path.of("target", "backend.jar");
    assertThat(jar).as("backend.jar is built in the package phase").exists();
    String java = ProcessHandle.current().info().command().orElse("java");
    Process p =
        new ProcessBuilder(
                java,
                "-Xmx512m",
                "--enable-native-access=ALL-UNNAMED",
                "--add-modules",
                "jdk.incubator.vector",
                "-jar",
                jar.toString(),
                "--data-dir=" + data,
                "--bind=127.0.0.1",
                "--grpc-port=0",
                "--http-port=0")
            .redirectErrorStream(true)
            .start();
    BufferedReader out =
        new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
    String line;
    while ((line = out.readLine()) != null) {
      Matcher m = LISTENING.matcher(line);
      if (m.find()) {
        Thread drain =
            new Thread(
                () -> {
                  try {
                    while (out.readLine() != null) {
                      // keep the pipe empty so the backend never blocks on its output
                    }
                  } catch (IOException e) {
                    // the process is gone
                  }
                });
        drain.setDaemon(true);
        drain.start();
        return new Running(p, Integer.parseInt(m.group(1)), Integer.parseInt(m.group(2)));
      }
      if (System.nanoTime() > deadline) {
        break;
      }
    }
    p.destroyForcibly();
    throw new AssertionError("the backend did not start; last line: " + line);
  }

  @Test
  void everyAcknowledgedExportSurvivesKillMinus9() throws Exception {
    Path data = dir.resolve("data");
    Files.createDirectories(data);
    long now = Instant.now().getEpochSecond() * 1_000_000_000L;
    Running first = startBackend(data);
    ManagedChannel channel =
        NettyChannelBuilder.forAddress("127.0.0.1", first.grpcPort()).usePlaintext().build();
    Set<String> acked = ConcurrentHashMap.newKeySet();
    Set<String> sent = ConcurrentHashMap.newKeySet();
    AtomicInteger failures = new AtomicInteger();
    List<Thread> clients = new ArrayList<>();
    for (int c = 0; c < 4; c++) {
      int client = c;
      Thread t =
          new Thread(
              () -> {
                ProfilesServiceGrpc.ProfilesServiceBlockingStub stub =
                    ProfilesServiceGrpc.newBlockingStub(channel).withCompression("gzip");
                for (int i = 0; failures.get() == 0; i++) {
                  String frame = "c" + client + "_r" + i;
                  sent.add(frame);
                  try {
                    stub.withDeadlineAfter(10, TimeUnit.SECONDS)
                        .export(
                            ProfileRequests.request()
                                .service("crash")
                                .cpuProfile(now - 60_000_000_000L + i)
                                .sample(1, "main", "client" + client, frame)
                                .sample(2, "main", "shared")
                                .build());
                    acked.add(frame);
                  } catch (RuntimeException e) {
                    failures.incrementAndGet();
                  }
                }
              });
      t.start();
      clients.add(t);
    }
    long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    while (acked.size() < 400 && System.nanoTime() < until) {
      Thread.sleep(20);
    }
    first.process().destroyForcibly(); // SIGKILL: no shutdown hook, no commit, no flush
    assertThat(first.process().waitFor(30, TimeUnit.SECONDS)).isTrue();
    for (Thread t : clients) {
      t.join(30_000);
    }
    channel.shutdownNow();
    System.out.printf(
        "CrashDurabilityIT: %d sent, %d acknowledged before SIGKILL%n", sent.size(), acked.size());
    assertThat(acked.size()).isGreaterThan(50);

    Running second = startBackend(data);
    try {
      String body = render(second.httpPort(), CPU + "{service_name=\"crash\"}");
      List<String> lost = new ArrayList<>();
      for (String frame : acked) {
        if (!body.contains("\"" + frame + "\"")) {
          lost.add(frame);
        }
      }
      assertThat(lost).as("acknowledged exports missing after the crash").isEmpty();
      long total = numTicks(body);
      // Each export weighs 3; acknowledged ones are all there, unsent ones cannot be.
      assertThat(total).isBetween(3L * acked.size(), 3L * sent.size());
      assertThat(total % 3).isZero(); // no half-stored export
    } finally {
      second.process().destroy();
      second.process().waitFor(30, TimeUnit.SECONDS);
    }
  }

  static String render(int port, String query) throws Exception {
    HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();
    HttpResponse<String> r =
        http.send(
            HttpRequest.newBuilder(
                    URI.create(
                        "http://127.0.0.1:"
                            + port
                            + "/pyroscope/render?from=now-1h&until=now&maxNodes=1000000&query="
                            + URLEncoder.encode(query, StandardCharsets.UTF_8)))
                .build(),
            HttpResponse.BodyHandlers.ofString());
    assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
    return r.body();
  }

  static long numTicks(String body) {
    Matcher m = Pattern.compile("\"numTicks\":(\\d+)").matcher(body);
    assertThat(m.find()).isTrue();
    return Long.parseLong(m.group(1));
  }
}
