package dev.ember.exporter;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Map;
import org.junit.jupiter.api.Test;

class EmberLabelsTest {
  @Test
  void scopesNestAndRestore() {
    assertThat(EmberLabels.current()).isEmpty();
    try (EmberLabels.Scope a = EmberLabels.with("tenant", "acme")) {
      assertThat(EmberLabels.decode(EmberLabels.current()))
          .containsExactly(Map.entry("tenant", "acme"));
      try (EmberLabels.Scope b = EmberLabels.with(Map.of("tenant", "other", "job", "import"))) {
        assertThat(EmberLabels.decode(EmberLabels.current()))
            .containsEntry("tenant", "other")
            .containsEntry("job", "import");
      }
      assertThat(EmberLabels.decode(EmberLabels.current()))
          .containsExactly(Map.entry("tenant", "acme"));
    }
    assertThat(EmberLabels.current()).isEmpty();
    assertThat(EmberLabels.get(Map.of("k", "v"), EmberLabels::current)).isEqualTo("k=v");
  }

  @Test
  void keysAreValidatedAndValuesBounded() {
    assertThatThrownBy(() -> EmberLabels.with("bad key", "v"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("bad key");
    assertThatThrownBy(() -> EmberLabels.with("span.name", "v")).hasMessageContaining("reserved");
    assertThat(
            EmberLabels.decode(EmberLabels.merge("", Map.of("long", "x".repeat(500)))).get("long"))
        .hasSize(EmberLabels.MAX_VALUE_LENGTH);
    for (int i = 0; i < EmberLabels.MAX_VALUES_PER_KEY; i++) {
      EmberLabels.merge("", Map.of("user", "u" + i));
    }
    assertThat(EmberLabels.decode(EmberLabels.merge("", Map.of("user", "new-one"))).get("user"))
        .isEqualTo(EmberLabels.OVERFLOW_VALUE);
    assertThat(EmberLabels.decode(EmberLabels.merge("", Map.of("user", "u7"))).get("user"))
        .isEqualTo("u7");
    Map<String, String> many = new java.util.HashMap<>();
    for (int i = 0; i <= EmberLabels.MAX_LABELS; i++) {
      many.put("k" + i, "v");
    }
    assertThatThrownBy(() -> EmberLabels.with(many)).hasMessageContaining("at most");
  }
}
