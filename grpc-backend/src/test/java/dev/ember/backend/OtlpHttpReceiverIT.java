package dev.ember.backend;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import dev.ember.wire.ProfileRequests;
import io.opentelemetry.proto.collector.profiles.v1development.ExportProfilesServiceRequest;
import io.opentelemetry.proto.collector.profiles.v1development.ExportProfilesServiceResponse;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Instant;
import java.util.HexFormat;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** OTLP/HTTP {@code POST /v1development/profiles} in protobuf and JSON, plain and gzip'd. */
class OtlpHttpReceiverIT {
  static final String CPU = TestBackend.CPU;
  static final byte[] TRACE = HexFormat.of().parseHex("4bf92f3577b34da6a3ce929d0e0e4736");
  static final byte[] SPAN = HexFormat.of().parseHex("00f067aa0ba902b7");

  @TempDir Path dir;
  TestBackend b;
  final long now = Instant.now().getEpochSecond() * 1_000_000_000L;

  @BeforeEach
  void start() throws Exception {
    b = new TestBackend(BackendConfig.forTests(dir));
  }

  @AfterEach
  void stop() throws Exception {
    b.close();
  }

  ExportProfilesServiceRequest request(String service) {
    return ProfileRequests.request()
        .service(service)
        .cpuProfile(now - 60_000_000_000L)
        .sample(11, TRACE, SPAN, Map.of("thread.name", "http-1"), "main", "serve", "query")
        .sample(4, "main", "gc")
        .build();
  }

  @Test
  void protobufPlainAndGzipAnswerInProtobuf() throws Exception {
    HttpResponse<byte[]> r =
        b.post(
            OtlpHttpReceiver.PATH,
            null,
            request("proto").toByteArray(),
            "Content-Type",
            "application/x-protobuf");
    assertThat(r.statusCode()).isEqualTo(200);
    assertThat(r.headers().firstValue("Content-Type")).hasValue("application/x-protobuf");
    assertThat(ExportProfilesServiceResponse.parseFrom(r.body()).hasPartialSuccess()).isFalse();
    HttpResponse<byte[]> gz =
        b.post(
            OtlpHttpReceiver.PATH,
            null,
            TestBackend.gzip(request("proto").toByteArray()),
            "Content-Type",
            "application/x-protobuf",
            "Content-Encoding",
            "gzip");
    assertThat(gz.statusCode()).isEqualTo(200);
    assertThat(b.total(null, CPU + "{service_name=\"proto\"}")).isEqualTo(30);
  }

  @Test
  void jsonWithHexIdsIsStoredAndLinksAreFindable() throws Exception {
    String json = OtlpJsonWriter.write(request("json"));
    assertThat(json).contains("4bf92f3577b34da6a3ce929d0e0e4736");
    HttpResponse<byte[]> r =
        b.post(
            OtlpHttpReceiver.PATH,
            "team-a",
            TestBackend.gzip(json.getBytes(StandardCharsets.UTF_8)),
            "Content-Type",
            "application/json; charset=utf-8",
            "Content-Encoding",
            "gzip");
    assertThat(r.statusCode()).isEqualTo(200);
    assertThat(r.headers().firstValue("Content-Type")).hasValue("application/json");
    assertThat(new String(r.body(), StandardCharsets.UTF_8)).isEqualTo("{}");
    assertThat(b.total("team-a", CPU + "{service_name=\"json\"}")).isEqualTo(15);
    assertThat(b.total("team-a", CPU + "{trace_id=\"4bf92f3577b34da6a3ce929d0e0e4736\"}"))
        .isEqualTo(11);
    assertThat(b.total("team-a", CPU + "{span_id=\"00f067aa0ba902b7\",thread_name=\"http-1\"}"))
        .isEqualTo(11);
    assertThat(b.total(null, CPU + "{}")).isZero(); // another tenant
  }

  @Test
  void partialSuccessComesBackInJson() throws Exception {
    ExportProfilesServiceRequest.Builder req =
        ProfileRequests.request()
            .service("ok")
            .cpuProfile(now - 60_000_000_000L)
            .sample(5, "main", "x")
            .service("bad")
            .cpuProfile(now - 60_000_000_000L)
            .sample(9, "main", "y")
            .build()
            .toBuilder();
    req.getResourceProfilesBuilder(1)
        .getScopeProfilesBuilder(0)
        .getProfilesBuilder(0)
        .getSamplesBuilder(0)
        .setLinkIndex(77);
    HttpResponse<byte[]> r =
        b.post(
            OtlpHttpReceiver.PATH,
            null,
            OtlpJsonWriter.write(req.build()).getBytes(StandardCharsets.UTF_8),
            "Content-Type",
            "application/json");
    assertThat(r.statusCode()).isEqualTo(200);
    JsonObject body =
        JsonParser.parseString(new String(r.body(), StandardCharsets.UTF_8)).getAsJsonObject();
    JsonObject partial = body.getAsJsonObject("partialSuccess");
    assertThat(partial.get("rejectedProfiles").getAsString()).isEqualTo("1");
    assertThat(partial.get("errorMessage").getAsString())
        .contains("resource_profiles[1].scope_profiles[0].profiles[0].samples[0].link_index=77");
    assertThat(b.total(null, CPU + "{}")).isEqualTo(5);
  }
}
