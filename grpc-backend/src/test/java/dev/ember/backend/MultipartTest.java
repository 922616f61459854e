package dev.ember.backend;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import org.junit.jupiter.api.Test;

class MultipartTest {
  static byte[] body(String boundary, byte[] profile) throws Exception {
    ByteArrayOutputStream b = new ByteArrayOutputStream();
    b.write(
        ("--"
                + boundary
                + "\r\nContent-Disposition: form-data; name=\"profile\"; filename=\"p.pprof\"\r\n"
                + "Content-Type: application/octet-stream\r\n\r\n")
            .getBytes(StandardCharsets.UTF_8));
    b.write(profile);
    b.write(
        ("\r\n--"
                + boundary
                + "\r\nContent-Disposition: form-data; name=\"sample_type_config\"\r\n\r\n{}"
                + "\r\n--"
                + boundary
                + "--\r\n")
            .getBytes(StandardCharsets.UTF_8));
    return b.toByteArray();
  }

  @Test
  void splitsNamedPartsKeepingBinaryContent() throws Exception {
    byte[] binary = {0x1f, (byte) 0x8b, 0, '\r', '\n', '-', '-', 1};
    Map<String, byte[]> parts = Multipart.parse(body("xYz", binary), "xYz");
    assertThat(parts).containsOnlyKeys("profile", "sample_type_config");
    assertThat(parts.get("profile")).isEqualTo(binary);
    assertThat(new String(parts.get("sample_type_config"), StandardCharsets.UTF_8)).isEqualTo("{}");
    assertThat(Multipart.boundary("multipart/form-data; boundary=\"a b\"")).isEqualTo("a b");
  }

  @Test
  void malformedBodiesAreNamed() {
    assertThatThrownBy(() -> Multipart.boundary("multipart/form-data"))
        .hasMessageContaining("without a boundary");
    assertThatThrownBy(() -> Multipart.parse("nothing".getBytes(StandardCharsets.UTF_8), "b"))
        .hasMessageContaining("the boundary never occurs");
    assertThatThrownBy(
            () ->
                Multipart.parse(
                    "--b\r\nContent-Disposition: form-data; name=\"p\"\r\n\r\nxx"
                        .getBytes(StandardCharsets.UTF_8),
                    "b"))
        .hasMessageContaining("not closed by the boundary");
  }
}
