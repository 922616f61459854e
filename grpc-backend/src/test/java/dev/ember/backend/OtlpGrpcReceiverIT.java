package dev.ember.backend;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ember.wire.ProfileRequests;
import io.grpc.CallOptions;
import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.MethodDescriptor;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.protobuf.ProtoUtils;
import io.grpc.stub.ClientCalls;
import io.grpc.stub.MetadataUtils;
import io.opentelemetry.proto.collector.profiles.v1development.ExportProfilesServiceRequest;
import io.opentelemetry.proto.collector.profiles.v1development.ExportProfilesServiceResponse;
import io.opentelemetry.proto.collector.profiles.v1development.ProfilesServiceGrpc;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Arrays;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The OTLP gRPC receiver over a real Netty server and client on loopback. */
class OtlpGrpcReceiverIT {
  static final String CPU = "process_cpu:cpu:nanoseconds:cpu:nanoseconds";

  @TempDir Path dir;
  Backend backend;
  ManagedChannel channel;
  final HttpClient http = HttpClient.newHttpClient();
  final long now = Instant.now().getEpochSecond() * 1_000_000_000L;

  @BeforeEach
  void start() throws Exception {
    backend = Backend.start(BackendConfig.forTests(dir));
    channel =
        NettyChannelBuilder.forAddress("127.0.0.1", backend.grpcPort()).usePlaintext().build();
  }

  @AfterEach
  void stop() throws Exception {
    channel.shutdownNow();
    backend.close();
  }

  ExportProfilesServiceRequest valid() {
    return ProfileRequests.request()
        .service("checkout")
        .cpuProfile(now - 60_000_000_000L)
        .sample(30, "main", "handle", "parse")
        .sample(12, "main", "gc")
        .build();
  }

  ProfilesServiceGrpc.ProfilesServiceBlockingStub stub() {
    return ProfilesServiceGrpc.newBlockingStub(channel).withCompression("gzip");
  }

  String render(String query) throws Exception {
    String url =
        "http://127.0.0.1:"
            + backend.httpPort()
            + "/pyroscope/render?from=now-1h&until=now&query="
            + URLEncoder.encode(query, StandardCharsets.UTF_8);
    HttpResponse<String> r =
        http.send(
            HttpRequest.newBuilder(URI.create(url)).build(), HttpResponse.BodyHandlers.ofString());
    assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
    // The timeline starts at "now-1h" and so moves between calls: compare the flame graph only.
    int timeline = r.body().indexOf(",\"timeline\":");
    return timeline < 0 ? r.body() : r.body().substring(0, timeline) + "}";
  }

  /** Sends raw bytes as an Export call, as a broken client would. */
  ExportProfilesServiceResponse exportBytes(byte[] bytes) {
    MethodDescriptor<byte[], ExportProfilesServiceResponse> m =
        ProfilesServiceGrpc.getExportMethod().toBuilder(
                new OtlpGrpcReceiver.RawBytes(),
                ProtoUtils.marshaller(ExportProfilesServiceResponse.getDefaultInstance()))
            .build();
    return ClientCalls.blockingUnaryCall(channel, m, CallOptions.DEFAULT, bytes);
  }

  @Test
  void storesAndAnswersTheMergedFlameGraph() throws Exception {
    ExportProfilesServiceResponse resp = stub().export(valid());
    assertThat(resp.hasPartialSuccess()).isFalse();
    String body = render(CPU + "{service_name=\"checkout\"}");
    assertThat(body)
        .contains("\"numTicks\":42")
        .contains("\"parse\"")
        .contains("\"name\":\"" + CPU + "\"");
    assertThat(render(CPU + "{service_name=\"other\"}")).contains("\"numTicks\":0");
  }

  @Test
  void truncatedBytesAreInvalidArgumentAndHarmNothing() throws Exception {
    stub().export(valid());
    String before = render(CPU + "{}");
    byte[] bytes = valid().toByteArray();
    byte[] truncated = Arrays.copyOf(bytes, bytes.length - 7);
    assertThatThrownBy(() -> exportBytes(truncated))
        .isInstanceOfSatisfying(
            StatusRuntimeException.class,
            e -> {
              assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.INVALID_ARGUMENT);
              assertThat(e.getStatus().getDescription())
                  .contains("not a valid ExportProfilesServiceRequest");
            });
    assertThat(render(CPU + "{}")).isEqualTo(before);
    // The server keeps serving.
    stub().export(valid());
    assertThat(render(CPU + "{}")).contains("\"numTicks\":84");
  }

  @Test
  void outOfRangeIndexInDictionaryIsInvalidArgument() throws Exception {
    stub().export(valid());
    String before = render(CPU + "{}");
    ExportProfilesServiceRequest.Builder bad = valid().toBuilder();
    bad.getDictionaryBuilder().getStackTableBuilder(1).setLocationIndices(0, 77);
    assertThatThrownBy(() -> stub().export(bad.build()))
        .isInstanceOfSatisfying(
            StatusRuntimeException.class,
            e -> {
              assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.INVALID_ARGUMENT);
              assertThat(e.getStatus().getDescription())
                  .contains("dictionary.stack_table[1].location_indices[0]=77");
            });
    assertThat(render(CPU + "{}")).isEqualTo(before);
  }

  @Test
  void invalidProfileIsRejectedThroughPartialSuccessWhileTheRestIsStored() throws Exception {
    ExportProfilesServiceRequest.Builder req =
        ProfileRequests.request()
            .service("a")
            .cpuProfile(now - 60_000_000_000L)
            .sample(5, "main", "x")
            .service("b")
            .cpuProfile(now - 60_000_000_000L)
            .sample(9, "main", "y")
            .build()
            .toBuilder();
    req.getResourceProfilesBuilder(1)
        .getScopeProfilesBuilder(0)
        .getProfilesBuilder(0)
        .getSamplesBuilder(0)
        .setStackIndex(500);
    ExportProfilesServiceResponse resp = stub().export(req.build());
    assertThat(resp.getPartialSuccess().getRejectedProfiles()).isEqualTo(1);
    assertThat(resp.getPartialSuccess().getErrorMessage())
        .contains("resource_profiles[1].scope_profiles[0].profiles[0].samples[0].stack_index=500");
    assertThat(render(CPU + "{}")).contains("\"numTicks\":5");
  }

  @Test
  void invalidTenantIsRefused() {
    Metadata md = new Metadata();
    md.put(TenantInterceptor.HEADER, "bad/tenant");
    assertThatThrownBy(
            () ->
                stub()
                    .withInterceptors(MetadataUtils.newAttachHeadersInterceptor(md))
                    .export(valid()))
        .isInstanceOfSatisfying(
            StatusRuntimeException.class,
            e -> assertThat(e.getStatus().getDescription()).contains("invalid tenant id"));
  }

  @Test
  void badQueriesAnswer400WithTheProblem() throws Exception {
    String url =
        "http://127.0.0.1:"
            + backend.httpPort()
            + "/pyroscope/render?from=now-1h&query="
            + URLEncoder.encode("cpu{service_name \"x\"}", StandardCharsets.UTF_8);
    HttpResponse<String> r =
        http.send(
            HttpRequest.newBuilder(URI.create(url)).build(), HttpResponse.BodyHandlers.ofString());
    assertThat(r.statusCode()).isEqualTo(400);
    assertThat(r.body()).contains("parse error at column");
    HttpResponse<String> ready =
        http.send(
            HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + backend.httpPort() + "/ready"))
                .build(),
            HttpResponse.BodyHandlers.ofString());
    assertThat(ready.statusCode()).isEqualTo(200);
  }
}
