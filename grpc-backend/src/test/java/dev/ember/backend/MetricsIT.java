package dev.ember.backend;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ember.wire.ProfileRequests;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Instant;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code GET /metrics} after real traffic on every receiver. */
class MetricsIT {
  @TempDir Path dir;

  @Test
  void countsIngestRejectsLatencyAndStoreSize() throws Exception {
    long now = Instant.now().getEpochSecond() * 1_000_000_000L;
    try (TestBackend b = new TestBackend(BackendConfig.forTests(dir))) {
      var req =
          ProfileRequests.request()
              .service("m")
              .cpuProfile(now - 60_000_000_000L)
              .sample(3, "main", "a")
              .sample(4, "main", "b")
              .build();
      b.stub("t").export(req);
      b.stub("t").export(req);
      b.post(
          OtlpHttpReceiver.PATH, "t", req.toByteArray(), "Content-Type", "application/x-protobuf");
      // The pushed profile's own time, not the server's clock: both land in one hourly partition
      // even when the test runs across the turn of an hour.
      long at = now / 1_000_000_000L - 60;
      b.post(
          "/ingest?name=m&from=" + at + "&until=" + (at + 10),
          "t",
          "main;a 1\n".getBytes(StandardCharsets.UTF_8));
      b.post(
          OtlpHttpReceiver.PATH,
          "t",
          new byte[] {1, 2, 3},
          "Content-Type",
          "application/x-protobuf");
      String m = b.metrics();
      int size = req.getSerializedSize();
      assertThat(m)
          .contains("# TYPE ember_ingested_profiles_total counter")
          .contains("ember_ingested_profiles_total{receiver=\"otlp_grpc\",tenant=\"t\"} 2")
          .contains("ember_ingested_samples_total{receiver=\"otlp_grpc\",tenant=\"t\"} 4")
          .contains("ember_ingested_bytes_total{receiver=\"otlp_grpc\",tenant=\"t\"} " + 2 * size)
          .contains("ember_ingested_profiles_total{receiver=\"otlp_http_protobuf\",tenant=\"t\"} 1")
          .contains("ember_ingested_profiles_total{receiver=\"pprof_ingest\",tenant=\"t\"} 1")
          .contains(
              "ember_ingest_requests_total{receiver=\"otlp_grpc\",tenant=\"t\",outcome=\"ok\"} 2")
          .contains(
              "ember_rejected_requests_total{receiver=\"otlp_http_protobuf\",reason=\"unparseable\"} 1")
          .contains("ember_ingest_duration_seconds_count{receiver=\"otlp_grpc\"} 2")
          .contains("ember_ingest_duration_seconds_bucket{receiver=\"otlp_grpc\",le=\"+Inf\"} 2")
          .contains("ember_store_partitions{tenant=\"t\"} 1")
          .contains("ember_ingest_inflight_bytes 0");
      assertThat(m).containsPattern("ember_store_bytes\\{tenant=\"t\"} [1-9][0-9]*");
    }
  }
}
