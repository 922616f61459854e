package dev.ember.backend;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ember.wire.ProfileRequests;
import io.grpc.health.v1.HealthCheckRequest;
import io.grpc.health.v1.HealthCheckResponse;
import io.grpc.health.v1.HealthGrpc;
import io.grpc.reflection.v1.ServerReflectionGrpc;
import io.grpc.reflection.v1.ServerReflectionRequest;
import io.grpc.reflection.v1.ServerReflectionResponse;
import io.grpc.stub.StreamObserver;
import io.opentelemetry.proto.collector.profiles.v1development.ExportProfilesServiceRequest;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The gRPC server's hygiene: health, reflection, large gzip'd messages, graceful shutdown. */
class GrpcServerIT {
  static final String CPU = TestBackend.CPU;

  @TempDir Path dir;
  final long now = Instant.now().getEpochSecond() * 1_000_000_000L;

  @Test
  void servesHealthAndReflection() throws Exception {
    try (TestBackend b = new TestBackend(BackendConfig.forTests(dir))) {
      HealthCheckResponse health =
          HealthGrpc.newBlockingStub(b.channel).check(HealthCheckRequest.getDefaultInstance());
      assertThat(health.getStatus()).isEqualTo(HealthCheckResponse.ServingStatus.SERVING);

      CompletableFuture<List<String>> services = new CompletableFuture<>();
      StreamObserver<ServerReflectionRequest> call =
          ServerReflectionGrpc.newStub(b.channel)
              .serverReflectionInfo(
                  new StreamObserver<>() {
                    @Override
                    public void onNext(ServerReflectionResponse r) {
                      List<String> names = new ArrayList<>();
                      r.getListServicesResponse()
                          .getServiceList()
                          .forEach(s -> names.add(s.getName()));
                      services.complete(names);
                    }

                    @Override
                    public void onError(Throwable t) {
                      services.completeExceptionally(t);
                    }

                    @Override
                    public void onCompleted() {}
                  });
      call.onNext(ServerReflectionRequest.newBuilder().setListServices("").build());
      assertThat(services.get(10, TimeUnit.SECONDS))
          .contains(
              "opentelemetry.proto.collector.profiles.v1development.ProfilesService",
              "grpc.health.v1.Health");
      call.onCompleted();
    }
  }

  @Test
  void acceptsGzipMessagesAboveGrpcsDefaultFourMebibytes() throws Exception {
    ProfileRequests.Builder r =
        ProfileRequests.request().service("big").cpuProfile(now - 1_000_000_000L);
    for (int i = 0; i < 60_000; i++) {
      r.sample(
          1, "main", "dispatch", "handler_" + i % 20_000, "com/example/Service$Inner.method" + i);
    }
    ExportProfilesServiceRequest big = r.build();
    assertThat(big.getSerializedSize()).isGreaterThan(5 << 20);
    try (TestBackend b = new TestBackend(BackendConfig.forTests(dir))) {
      assertThat(b.stub().export(big).hasPartialSuccess()).isFalse();
      assertThat(b.total(null, CPU + "{service_name=\"big\"}")).isEqualTo(60_000);
    }
  }

  @Test
  void gracefulShutdownLetsRunningCallsFinishAndKeepsWhatItAcknowledged() throws Exception {
    Set<Integer> acked = ConcurrentHashMap.newKeySet();
    AtomicBoolean stop = new AtomicBoolean();
    TestBackend b = new TestBackend(BackendConfig.forTests(dir));
    List<Thread> clients = new ArrayList<>();
    for (int c = 0; c < 3; c++) {
      int client = c;
      Thread t =
          new Thread(
              () -> {
                for (int i = 0; !stop.get(); i++) {
                  int id = client * 1_000_000 + i;
                  try {
                    b.stub()
                        .export(
                            ProfileRequests.request()
                                .service("shutdown")
                                .cpuProfile(now - 1_000_000_000L)
                                .sample(1, "main", "req_" + id)
                                .build());
                    acked.add(id);
                  } catch (RuntimeException e) {
                    return; // the server went away
                  }
                }
              });
      t.start();
      clients.add(t);
    }
    while (acked.size() < 30) {
      Thread.sleep(10);
    }
    b.close();
    stop.set(true);
    for (Thread t : clients) {
      t.join(10_000);
    }
    try (TestBackend again = new TestBackend(BackendConfig.forTests(dir))) {
      String body = again.render(null, CPU + "{service_name=\"shutdown\"}");
      for (int id : acked) {
        assertThat(body).contains("\"req_" + id + "\"");
      }
      assertThat(again.total(null, CPU + "{service_name=\"shutdown\"}"))
          .isGreaterThanOrEqualTo(acked.size());
    }
  }
}
