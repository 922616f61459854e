package dev.ember.backend;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ember.proto.pprof.PprofProfile;
import java.io.ByteArrayOutputStream;
import java.net.URLEncoder;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Instant;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Pyroscope-compatible {@code POST /ingest}: pprof (raw, gzip'd, multipart) and folded text. */
class PprofIngestIT {
  static final String CPU = TestBackend.CPU;

  @TempDir Path dir;
  TestBackend b;
  final long nowSeconds = Instant.now().getEpochSecond();

  @BeforeEach
  void start() throws Exception {
    b =
        new TestBackend(
            BackendConfig.forTests(dir)
                .withLimits(
                    dev.ember.index.store.TenantLimits.of(dev.ember.index.store.Limits.DEFAULT)));
  }

  @AfterEach
  void stop() throws Exception {
    b.close();
  }

  /** A Go-style CPU pprof at a recent time. */
  PprofProfile cpu() {
    return PprofToOtlpTest.goCpu().toBuilder()
        .setTimeNanos((nowSeconds - 120) * 1_000_000_000L)
        .build();
  }

  String ingest(String name, String extra) {
    return "/ingest?name="
        + URLEncoder.encode(name, StandardCharsets.UTF_8)
        + "&from="
        + (nowSeconds - 130)
        + "&until="
        + (nowSeconds - 120)
        + extra;
  }

  @Test
  void rawAndGzipPprofAreStoredWithTheirLabelsAndLinks() throws Exception {
    HttpResponse<byte[]> raw =
        b.post(
            ingest("go-app{env=prod}", "&format=pprof&spyName=gospy"), null, cpu().toByteArray());
    assertThat(raw.statusCode()).as(new String(raw.body(), StandardCharsets.UTF_8)).isEqualTo(200);
    // No format: a gzip'd body is taken as pprof, as Pyroscope's SDKs send it.
    HttpResponse<byte[]> gz =
        b.post(ingest("go-app{env=prod}", ""), null, TestBackend.gzip(cpu().toByteArray()));
    assertThat(gz.statusCode()).isEqualTo(200);
    assertThat(
            b.total(null, CPU + "{service_name=\"go-app\",env=\"prod\",pyroscope_spy=\"gospy\"}"))
        .isEqualTo(40_000_000);
    assertThat(b.total(null, CPU + "{service_name=\"go-app\"}")).isEqualTo(80_000_000);
    assertThat(b.total(null, CPU + "{span_id=\"0123456789abcdef\"}")).isEqualTo(60_000_000);
    assertThat(b.render(null, CPU + "{service_name=\"go-app\"}")).contains("\"main.work\"");
  }

  @Test
  void multipartFormsAsPyroscopeSdksSendThem() throws Exception {
    String boundary = "----ember" + nowSeconds;
    ByteArrayOutputStream body = new ByteArrayOutputStream();
    body.write(
        ("--"
                + boundary
                + "\r\nContent-Disposition: form-data; name=\"profile\"; filename=\"profile.pprof\"\r\n"
                + "Content-Type: application/octet-stream\r\n\r\n")
            .getBytes(StandardCharsets.UTF_8));
    body.write(TestBackend.gzip(cpu().toByteArray()));
    body.write(("\r\n--" + boundary + "--\r\n").getBytes(StandardCharsets.UTF_8));
    HttpResponse<byte[]> r =
        b.post(
            ingest("mp-app", "&format=pprof"),
            "team",
            body.toByteArray(),
            "Content-Type",
            "multipart/form-data; boundary=" + boundary);
    assertThat(r.statusCode()).as(new String(r.body(), StandardCharsets.UTF_8)).isEqualTo(200);
    assertThat(b.total("team", CPU + "{service_name=\"mp-app\"}")).isEqualTo(40_000_000);
  }

  @Test
  void foldedTextIsPyroscopesDefaultFormat() throws Exception {
    byte[] folded = "foo;bar 100\nfoo;baz 200\n".getBytes(StandardCharsets.UTF_8);
    HttpResponse<byte[]> r = b.post(ingest("curl-test-app", "&sampleRate=100"), null, folded);
    assertThat(r.statusCode()).isEqualTo(200);
    // 300 samples at 100 Hz: 3 s of CPU.
    assertThat(b.total(null, CPU + "{service_name=\"curl-test-app\"}")).isEqualTo(3_000_000_000L);
  }

  @Test
  void profilesOutsideTheRetentionWindowAreRefusedWithTheReason() throws Exception {
    PprofProfile old = cpu().toBuilder().setTimeNanos(1_000_000_000_000_000_000L).build();
    HttpResponse<byte[]> r = b.post(ingest("old-app", "&format=pprof"), null, old.toByteArray());
    assertThat(r.statusCode()).isEqualTo(400);
    assertThat(new String(r.body(), StandardCharsets.UTF_8)).contains("retention");
  }
}
