package dev.ember.index.query;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Instant;
import org.junit.jupiter.api.Test;

class TimeExpressionsTest {
  static final Instant NOW = Instant.parse("2026-11-21T12:00:00Z");
  static final long NOW_NS = NOW.getEpochSecond() * 1_000_000_000L;

  @Test
  void relativeAbsoluteAndUnixForms() {
    assertThat(TimeExpressions.parse("now", NOW)).isEqualTo(NOW_NS);
    assertThat(TimeExpressions.parse("now-15m", NOW)).isEqualTo(NOW_NS - 900_000_000_000L);
    assertThat(TimeExpressions.parse("now-1h", NOW)).isEqualTo(NOW_NS - 3_600_000_000_000L);
    assertThat(TimeExpressions.parse("2026-11-21T11:00:00Z", NOW))
        .isEqualTo(NOW_NS - 3_600_000_000_000L);
    assertThat(TimeExpressions.parse("2026-11-21T13:00:00+01:00", NOW)).isEqualTo(NOW_NS);
    long s = NOW.getEpochSecond();
    assertThat(TimeExpressions.parse(Long.toString(s), NOW)).isEqualTo(NOW_NS);
    assertThat(TimeExpressions.parse(Long.toString(s * 1000), NOW)).isEqualTo(NOW_NS);
    assertThat(TimeExpressions.parse(Long.toString(NOW_NS), NOW)).isEqualTo(NOW_NS);
    assertThat(TimeExpressions.parse("20261121", NOW)).isEqualTo(NOW_NS - 12 * 3_600_000_000_000L);
  }

  @Test
  void badInputIsExplained() {
    assertThatThrownBy(() -> TimeExpressions.parse("yesterday", NOW))
        .hasMessageContaining("invalid time 'yesterday'");
    assertThatThrownBy(() -> TimeExpressions.parse("now-3x", NOW))
        .hasMessageContaining("now-<n><unit>");
  }
}
