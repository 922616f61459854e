package dev.ember.backend;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.protobuf.Any;
import com.google.rpc.RetryInfo;
import dev.ember.index.store.Limits;
import dev.ember.index.store.TenantLimits;
import dev.ember.wire.ProfileRequests;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.protobuf.StatusProto;
import io.opentelemetry.proto.collector.profiles.v1development.ExportProfilesServiceRequest;
import io.opentelemetry.proto.collector.profiles.v1development.ExportProfilesServiceResponse;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Per-tenant limits and overload over real servers: partial success for profiles over a limit,
 * {@code RESOURCE_EXHAUSTED} with {@code RetryInfo} (HTTP 429 with {@code Retry-After}) for rate
 * and memory, and the request goes through once there is room again.
 */
class LimitsIT {
  static final String CPU = TestBackend.CPU;

  @TempDir Path dir;
  final long now = Instant.now().getEpochSecond() * 1_000_000_000L;

  ExportProfilesServiceRequest request(String service) {
    return ProfileRequests.request()
        .service(service)
        .cpuProfile(now - 60_000_000_000L)
        .sample(1, "main", "x")
        .build();
  }

  static RetryInfo retryInfo(StatusRuntimeException e) throws Exception {
    com.google.rpc.Status s = StatusProto.fromThrowable(e);
    assertThat(s).isNotNull();
    for (Any a : s.getDetailsList()) {
      if (a.is(RetryInfo.class)) {
        return a.unpack(RetryInfo.class);
      }
    }
    throw new AssertionError("no RetryInfo in " + s);
  }

  @Test
  void aTenantOverItsRateIsToldWhenToRetry() throws Exception {
    int size = request("svc").getSerializedSize();
    Limits slow = Limits.DEFAULT.withMaxRequestBytes(4096).withIngestBytesPerSecond(size);
    TenantLimits limits = TenantLimits.of(Limits.DEFAULT).withOverride("slow", slow);
    try (TestBackend b = new TestBackend(BackendConfig.forTests(dir).withLimits(limits))) {
      // The bucket holds one maximal request (4096 bytes): a few requests pass, then the rate.
      StatusRuntimeException refused = null;
      int passed = 0;
      for (int i = 0; i < 50 && refused == null; i++) {
        try {
          b.stub("slow").export(request("svc"));
          passed++;
        } catch (StatusRuntimeException e) {
          refused = e;
        }
      }
      assertThat(refused).isNotNull();
      assertThat(passed).isBetween(1, 4096 / size + 2);
      assertThat(refused.getStatus().getCode()).isEqualTo(Status.Code.RESOURCE_EXHAUSTED);
      assertThat(refused.getStatus().getDescription()).contains("ingest rate").contains("'slow'");
      assertThat(retryInfo(refused).getRetryDelay().getSeconds()).isLessThanOrEqualTo(1);

      HttpResponse<byte[]> http =
          b.post(
              OtlpHttpReceiver.PATH,
              "slow",
              request("svc").toByteArray(),
              "Content-Type",
              "application/x-protobuf");
      assertThat(http.statusCode()).isEqualTo(429);
      assertThat(http.headers().firstValue("Retry-After")).hasValue("1");
      // Other tenants are not slowed down.
      for (int i = 0; i < 20; i++) {
        b.stub("fast").export(request("svc"));
      }
      Thread.sleep(1100);
      b.stub("slow").export(request("svc"));
      assertThat(b.total("slow", CPU + "{}")).isEqualTo(passed + 1);
    }
  }

  @Test
  void aFullMemoryBudgetAnswersResourceExhaustedWithRetryInfoThenRecovers() throws Exception {
    try (TestBackend b =
        new TestBackend(BackendConfig.forTests(dir).withIngestMemoryBytes(1 << 20))) {
      IngestGate.Reservation held = b.backend.gate().reserve(1 << 20);
      try {
        assertThatThrownBy(() -> b.stub().export(request("svc")))
            .isInstanceOfSatisfying(
                StatusRuntimeException.class,
                e -> {
                  assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.RESOURCE_EXHAUSTED);
                  assertThat(e.getStatus().getDescription()).contains("busy");
                  try {
                    assertThat(retryInfo(e).getRetryDelay().getSeconds()).isEqualTo(1);
                  } catch (Exception ex) {
                    throw new AssertionError(ex);
                  }
                });
        HttpResponse<byte[]> http =
            b.post(
                "/ingest?name=svc",
                null,
                "main;x 1\n".getBytes(java.nio.charset.StandardCharsets.UTF_8));
        assertThat(http.statusCode()).isEqualTo(429);
        assertThat(http.headers().firstValue("Retry-After")).hasValue("1");
      } finally {
        held.close();
      }
      ExportProfilesServiceResponse ok = b.stub().export(request("svc"));
      assertThat(ok.hasPartialSuccess()).isFalse();
      assertThat(b.metrics())
          .contains(
              "ember_rejected_requests_total{receiver=\"otlp_grpc\",reason=\"overloaded\"} 1");
    }
  }

  @Test
  void profilesOverPerTenantLimitsAreRefusedThroughPartialSuccess() throws Exception {
    Limits strict = Limits.DEFAULT.withMaxSeries(1).withMaxLabels(3);
    TenantLimits limits = TenantLimits.of(Limits.DEFAULT).withOverride("strict", strict);
    try (TestBackend b = new TestBackend(BackendConfig.forTests(dir).withLimits(limits))) {
      ExportProfilesServiceRequest two =
          ProfileRequests.request()
              .service("a")
              .cpuProfile(now - 60_000_000_000L)
              .sample(1, "main")
              .service("b")
              .cpuProfile(now - 60_000_000_000L)
              .sample(1, "main")
              .resource(Map.of("service.name", "c", "k1", "1", "k2", "2", "k3", "3"))
              .cpuProfile(now - 60_000_000_000L)
              .sample(1, "main")
              .build();
      ExportProfilesServiceResponse strictAnswer = b.stub("strict").export(two);
      assertThat(strictAnswer.getPartialSuccess().getRejectedProfiles()).isEqualTo(2);
      assertThat(strictAnswer.getPartialSuccess().getErrorMessage())
          .contains("max-labels")
          .contains("max-series");
      assertThat(b.stub("relaxed").export(two).hasPartialSuccess()).isFalse();
      String metrics = b.metrics();
      assertThat(metrics)
          .contains(
              "ember_rejected_profiles_total{receiver=\"otlp_grpc\",tenant=\"strict\",reason=\"series_limit\"} 1")
          .contains(
              "ember_rejected_profiles_total{receiver=\"otlp_grpc\",tenant=\"strict\",reason=\"too_many_labels\"} 1");
    }
  }
}
