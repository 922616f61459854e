package dev.ember.backend;

import static org.assertj.core.api.Assertions.assertThat;

import io.grpc.CallOptions;
import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.MethodDescriptor;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.protobuf.ProtoUtils;
import io.grpc.stub.ClientCalls;
import io.grpc.stub.MetadataUtils;
import io.opentelemetry.proto.collector.profiles.v1development.ExportProfilesServiceResponse;
import io.opentelemetry.proto.collector.profiles.v1development.ProfilesServiceGrpc;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.zip.GZIPOutputStream;

/**
 * Test helper: a backend on loopback with free ports, a gRPC channel and an HTTP client to it, and
 * the few calls the ITs make (export, render, post). Closes everything.
 */
final class TestBackend implements AutoCloseable {
  static final String CPU = "process_cpu:cpu:nanoseconds:cpu:nanoseconds";

  final Backend backend;
  final ManagedChannel channel;
  final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();

  TestBackend(BackendConfig config) throws IOException {
    this.backend = Backend.start(config);
    this.channel =
        NettyChannelBuilder.forAddress("127.0.0.1", backend.grpcPort())
            .usePlaintext()
            .maxInboundMessageSize(64 << 20)
            .build();
  }

  ProfilesServiceGrpc.ProfilesServiceBlockingStub stub(String tenant) {
    ProfilesServiceGrpc.ProfilesServiceBlockingStub s =
        ProfilesServiceGrpc.newBlockingStub(channel)
            .withCompression("gzip")
            .withDeadlineAfter(30, TimeUnit.SECONDS);
    if (tenant != null) {
      Metadata md = new Metadata();
      md.put(TenantInterceptor.HEADER, tenant);
      s = s.withInterceptors(MetadataUtils.newAttachHeadersInterceptor(md));
    }
    return s;
  }

  ProfilesServiceGrpc.ProfilesServiceBlockingStub stub() {
    return stub(null);
  }

  /** Sends raw bytes as an Export call, as a broken client would. */
  ExportProfilesServiceResponse exportBytes(byte[] bytes) {
    MethodDescriptor<byte[], ExportProfilesServiceResponse> m =
        ProfilesServiceGrpc.getExportMethod().toBuilder(
                new OtlpGrpcReceiver.RawBytes(),
                ProtoUtils.marshaller(ExportProfilesServiceResponse.getDefaultInstance()))
            .build();
    return ClientCalls.blockingUnaryCall(
        channel, m, CallOptions.DEFAULT.withDeadlineAfter(30, TimeUnit.SECONDS), bytes);
  }

  String url(String pathAndQuery) {
    return "http://127.0.0.1:" + backend.httpPort() + pathAndQuery;
  }

  HttpResponse<String> get(String pathAndQuery, String tenant) throws Exception {
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(url(pathAndQuery)));
    if (tenant != null) {
      b.header("X-Scope-OrgID", tenant);
    }
    return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
  }

  HttpResponse<byte[]> post(String pathAndQuery, String tenant, byte[] body, String... headers)
      throws Exception {
    HttpRequest.Builder b =
        HttpRequest.newBuilder(URI.create(url(pathAndQuery)))
            .POST(HttpRequest.BodyPublishers.ofByteArray(body))
            .timeout(Duration.ofSeconds(30));
    if (tenant != null) {
      b.header("X-Scope-OrgID", tenant);
    }
    for (int i = 0; i < headers.length; i += 2) {
      b.header(headers[i], headers[i + 1]);
    }
    return http.send(b.build(), HttpResponse.BodyHandlers.ofByteArray());
  }

  /** The flamebearer JSON of a query over the last day, as the UI would ask for it. */
  String render(String tenant, String query) throws Exception {
    return render(tenant, query, "now-1d", "now");
  }

  String render(String tenant, String query, String from, String until) throws Exception {
    HttpResponse<String> r =
        get(
            "/pyroscope/render?from="
                + from
                + "&until="
                + until
                + "&maxNodes=65536&query="
                + URLEncoder.encode(query, StandardCharsets.UTF_8),
            tenant);
    assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
    return r.body();
  }

  /** The root total of a query's flame graph. */
  long total(String tenant, String query) throws Exception {
    String body = render(tenant, query);
    int i = body.indexOf("\"numTicks\":");
    int end = i + "\"numTicks\":".length();
    int stop = end;
    while (Character.isDigit(body.charAt(stop))) {
      stop++;
    }
    return Long.parseLong(body.substring(end, stop));
  }

  String metrics() throws Exception {
    HttpResponse<String> r = get("/metrics", null);
    assertThat(r.statusCode()).isEqualTo(200);
    return r.body();
  }

  static byte[] gzip(byte[] b) throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try (GZIPOutputStream g = new GZIPOutputStream(out)) {
      g.write(b);
    }
    return out.toByteArray();
  }

  @Override
  public void close() throws IOException {
    channel.shutdownNow();
    try {
      channel.awaitTermination(5, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    backend.close();
  }
}
