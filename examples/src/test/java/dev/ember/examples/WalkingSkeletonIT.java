package dev.ember.examples;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ember.backend.Backend;
import dev.ember.backend.BackendConfig;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The whole pipeline with real parts: a child JVM burns CPU in a known method while the Ember
 * exporter samples it with JFR; its profiles travel over real gRPC to a backend on a free port, are
 * stored and indexed on disk, and the merged flame graph over HTTP names that method as the hottest
 * self frame. A restart on the same data directory answers identically.
 */
class WalkingSkeletonIT {
  static final String HOT = "dev/ember/examples/demo/HotLoop.burnCpu";
  static final String QUERY =
      "process_cpu:cpu:nanoseconds:cpu:nanoseconds{service_name=\"hot-loop\"}";

  @TempDir Path dir;
  final HttpClient http = HttpClient.newHttpClient();

  String render(Backend backend, long fromSeconds, long untilSeconds) throws Exception {
    String url =
        "http://127.0.0.1:"
            + backend.httpPort()
            + "/pyroscope/render?from="
            + fromSeconds
            + "&until="
            + untilSeconds
            + "&query="
            + URLEncoder.encode(QUERY, StandardCharsets.UTF_8);
    HttpResponse<String> r =
        http.send(
            HttpRequest.newBuilder(URI.create(url)).build(), HttpResponse.BodyHandlers.ofString());
    assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
    return r.body();
  }

  @Test
  void profilesOfAChildJvmArriveAndSurviveARestart() throws Exception {
    long from = Instant.now().getEpochSecond() - 60;
    String first;
    long until;
    try (Backend backend = Backend.start(BackendConfig.forTests(dir))) {
      String java = ProcessHandle.current().info().command().orElse("java");
      Process child =
          new ProcessBuilder(
                  List.of(
                      java,
                      "-cp",
                      System.getProperty("java.class.path"),
                      "dev.ember.examples.demo.HotLoop",
                      "http://127.0.0.1:" + backend.grpcPort(),
                      "8",
                      "hot-loop"))
              .inheritIO()
              .start();
      assertThat(child.waitFor(60, TimeUnit.SECONDS)).as("child JVM finished").isTrue();
      assertThat(child.exitValue()).isZero();
      until = Instant.now().getEpochSecond() + 60;
      first = render(backend, from, until);
      assertThat(Flamebearers.numTicks(first)).isPositive();
      assertThat(Flamebearers.hottestSelfFrame(first)).isEqualTo(HOT);
    }
    try (Backend again = Backend.start(BackendConfig.forTests(dir))) {
      assertThat(render(again, from, until)).isEqualTo(first);
    }
  }
}
