package dev.ember.backend;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ember.wire.ProfileRequests;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.opentelemetry.proto.collector.profiles.v1development.ExportProfilesServiceRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Instant;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code X-Scope-OrgID} on every receiver (gRPC metadata, HTTP header): data lands in its tenant
 * and no read crosses tenants; without the header the default tenant, unless tenants are required.
 */
class TenantsIT {
  static final String CPU = TestBackend.CPU;

  @TempDir Path dir;
  final long now = Instant.now().getEpochSecond() * 1_000_000_000L;

  ExportProfilesServiceRequest request(String service, long value) {
    return ProfileRequests.request()
        .service(service)
        .cpuProfile(now - 60_000_000_000L)
        .sample(value, "main", service)
        .build();
  }

  @Test
  void everyReceiverWritesToTheHeadersTenantAndReadsNeverCross() throws Exception {
    try (TestBackend b = new TestBackend(BackendConfig.forTests(dir))) {
      b.stub("red").export(request("svc", 1));
      b.stub("blue").export(request("svc", 10));
      b.stub(null).export(request("svc", 100));
      assertThat(
              b.post(
                      OtlpHttpReceiver.PATH,
                      "red",
                      request("svc", 2).toByteArray(),
                      "Content-Type",
                      "application/x-protobuf")
                  .statusCode())
          .isEqualTo(200);
      assertThat(
              b.post(
                      "/ingest?name=svc&format=folded",
                      "blue",
                      "main;svc 2\n".getBytes(StandardCharsets.UTF_8))
                  .statusCode())
          .isEqualTo(200);

      assertThat(b.total("red", CPU + "{service_name=\"svc\"}")).isEqualTo(3);
      assertThat(b.total("blue", CPU + "{service_name=\"svc\"}")).isEqualTo(10 + 20_000_000);
      assertThat(b.total(null, CPU + "{service_name=\"svc\"}")).isEqualTo(100);
      assertThat(b.total("anonymous", CPU + "{}")).isEqualTo(100);
      assertThat(b.total("green", CPU + "{}")).isZero();
      assertThat(b.render("red", CPU + "{}")).doesNotContain("\"numTicks\":110");
    }
  }

  @Test
  void requiredTenantsRefuseRequestsWithoutOne() throws Exception {
    try (TestBackend b = new TestBackend(BackendConfig.forTests(dir).withRequireTenant(true))) {
      assertThatThrownBy(() -> b.stub(null).export(request("svc", 1)))
          .isInstanceOfSatisfying(
              StatusRuntimeException.class,
              e -> {
                assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.UNAUTHENTICATED);
                assertThat(e.getStatus().getDescription()).contains("requires a tenant id");
              });
      HttpResponse<byte[]> http =
          b.post(
              OtlpHttpReceiver.PATH,
              null,
              request("svc", 1).toByteArray(),
              "Content-Type",
              "application/x-protobuf");
      assertThat(http.statusCode()).isEqualTo(401);
      HttpResponse<byte[]> pprof =
          b.post("/ingest?name=svc", null, "main 1\n".getBytes(StandardCharsets.UTF_8));
      assertThat(pprof.statusCode()).isEqualTo(401);
      assertThat(new String(pprof.body(), StandardCharsets.UTF_8)).contains("X-Scope-OrgID");
      assertThat(b.get("/pyroscope/render?query=" + "cpu%7B%7D", null).statusCode()).isEqualTo(401);

      b.stub("t1").export(request("svc", 5));
      assertThat(b.total("t1", CPU + "{}")).isEqualTo(5);
    }
  }

  @Test
  void invalidTenantIdsAreRefusedEverywhere() throws Exception {
    try (TestBackend b = new TestBackend(BackendConfig.forTests(dir))) {
      assertThatThrownBy(() -> b.stub("../etc").export(request("svc", 1)))
          .isInstanceOfSatisfying(
              StatusRuntimeException.class,
              e -> assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.INVALID_ARGUMENT));
      HttpResponse<byte[]> http =
          b.post(
              OtlpHttpReceiver.PATH,
              "a b",
              request("svc", 1).toByteArray(),
              "Content-Type",
              "application/x-protobuf");
      assertThat(http.statusCode()).isEqualTo(400);
      assertThat(b.backend.store().stats().tenants()).isEmpty();
    }
  }
}
