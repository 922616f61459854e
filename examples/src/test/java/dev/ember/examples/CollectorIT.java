package dev.ember.examples;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ember.backend.Backend;
import dev.ember.backend.BackendConfig;
import dev.ember.wire.ProfileRequests;
import io.grpc.ManagedChannel;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.opentelemetry.proto.collector.profiles.v1development.ProfilesServiceGrpc;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.testcontainers.Testcontainers;
import org.testcontainers.containers.GenericContainer;
import org.testcontainers.containers.wait.strategy.Wait;
import org.testcontainers.images.builder.Transferable;

/**
 * A real OpenTelemetry Collector between a producer and Ember: the Collector's OTLP receiver takes
 * a profiles export and its {@code otlp_grpc} exporter forwards it (gzip, as by default) to the
 * backend, where the profile becomes queryable. Needs Docker; without it the class is skipped
 * ({@code disabledWithoutDocker}), and protocol conformance is covered by the receiver's ITs.
 */
@org.testcontainers.junit.jupiter.Testcontainers(disabledWithoutDocker = true)
class CollectorIT {
  /** The core distribution; profiles need v0.148.0+ (proto 1.10) and the feature gate below. */
  static final String IMAGE = "otel/opentelemetry-collector:0.151.0";

  @TempDir static Path dir;
  static Backend backend;
  static GenericContainer<?> collector;

  @BeforeAll
  static void start() throws Exception {
    backend = Backend.start(BackendConfig.forTests(dir));
    // The container reaches the backend on the host through Testcontainers' port forwarding.
    Testcontainers.exposeHostPorts(backend.grpcPort());
    collector =
        new GenericContainer<>(IMAGE)
            .withCopyToContainer(Transferable.of(config()), "/etc/otelcol/config.yaml")
            .withCommand(
                "--config=/etc/otelcol/config.yaml", "--feature-gates=service.profilesSupport")
            .withExposedPorts(4317)
            .waitingFor(Wait.forLogMessage(".*Everything is ready.*", 1))
            .withStartupTimeout(Duration.ofMinutes(2));
    collector.start();
  }

  @AfterAll
  static void stop() throws Exception {
    if (collector != null) {
      collector.stop();
    }
    if (backend != null) {
      backend.close();
    }
  }

  static String config() {
    return """
        receivers:
          otlp:
            protocols:
              grpc: { endpoint: 0.0.0.0:4317 }
        exporters:
          otlp_grpc/ember:
            endpoint: host.testcontainers.internal:%d
            tls: { insecure: true }
        service:
          pipelines:
            profiles:
              receivers: [otlp]
              exporters: [otlp_grpc/ember]
        """
        .formatted(backend.grpcPort());
  }

  @Test
  void profilesPassThroughTheCollector() throws Exception {
    long now = Instant.now().getEpochSecond() * 1_000_000_000L;
    var request =
        ProfileRequests.request()
            .service("via-collector")
            .cpuProfile(now - 60_000_000_000L)
            .sample(25, "main", "viaCollector")
            .build();
    ManagedChannel channel =
        NettyChannelBuilder.forAddress(collector.getHost(), collector.getMappedPort(4317))
            .usePlaintext()
            .build();
    try {
      ProfilesServiceGrpc.newBlockingStub(channel).export(request);
    } finally {
      channel.shutdownNow();
    }
    String url =
        "http://127.0.0.1:"
            + backend.httpPort()
            + "/pyroscope/render?from=now-1h&until=now&query="
            + URLEncoder.encode(
                "process_cpu:cpu:nanoseconds:cpu:nanoseconds{service_name=\"via-collector\"}",
                StandardCharsets.UTF_8);
    HttpClient http = HttpClient.newHttpClient();
    long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
    String body = "";
    while (System.nanoTime() < deadline) {
      body =
          http.send(
                  HttpRequest.newBuilder(URI.create(url)).build(),
                  HttpResponse.BodyHandlers.ofString())
              .body();
      if (Flamebearers.numTicks(body) > 0) {
        break;
      }
      Thread.sleep(500);
    }
    assertThat(Flamebearers.numTicks(body)).isEqualTo(25);
    assertThat(Flamebearers.selfByName(body)).containsEntry("viaCollector", 25L);
  }
}
