package dev.ember.backend;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Map;
import org.junit.jupiter.api.Test;

class IngestNameTest {
  @Test
  void parsesTheApplicationAndItsLabels() {
    assertThat(IngestName.parse("my-app")).isEqualTo(new IngestName("my-app", Map.of()));
    assertThat(IngestName.parse("my.app.cpu{}")).isEqualTo(new IngestName("my.app.cpu", Map.of()));
    IngestName n = IngestName.parse("checkout{env=staging, region = us-west-1}");
    assertThat(n.app()).isEqualTo("checkout");
    assertThat(n.labels())
        .containsExactly(Map.entry("env", "staging"), Map.entry("region", "us-west-1"));
    assertThat(IngestName.parse("a{k=\"x, y}\",q=\"say \\\"hi\\\"\"}").labels())
        .containsExactly(Map.entry("k", "x, y}"), Map.entry("q", "say \"hi\""));
  }

  @Test
  void namesWhatIsWrong() {
    assertThatThrownBy(() -> IngestName.parse(null))
        .hasMessageContaining("missing query parameter 'name'");
    assertThatThrownBy(() -> IngestName.parse("{a=b}")).hasMessageContaining("no application name");
    assertThatThrownBy(() -> IngestName.parse("app{a=b")).hasMessageContaining("must end with '}'");
    assertThatThrownBy(() -> IngestName.parse("app{a}"))
        .hasMessageContaining("expected key=value at column 5");
    assertThatThrownBy(() -> IngestName.parse("app{=b}")).hasMessageContaining("empty label name");
    assertThatThrownBy(() -> IngestName.parse("app{a=\"b}")).hasMessageContaining("unterminated");
  }
}
