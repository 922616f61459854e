package dev.ember.backend;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ember.index.store.Limits;
import dev.ember.index.store.TenantLimits;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

class TenantLimitsFileTest {
  @Test
  void overridesStartFromTheDefaults() {
    TenantLimits t =
        TenantLimitsFile.parse(
            List.of(
                "# comment",
                "acme.retention = 90d   # a quarter",
                "acme.max-series=50000",
                "team.prod.max-ingest-rate = 1.5",
                "team.prod.max-message-size = 8",
                "archive.retention = 0",
                ""),
            Limits.DEFAULT,
            "limits.properties");
    assertThat(t.of("acme").retention()).isEqualTo(Duration.ofDays(90));
    assertThat(t.of("acme").maxSeries()).isEqualTo(50000);
    assertThat(t.of("acme").maxLabels()).isEqualTo(Limits.DEFAULT.maxLabels());
    assertThat(t.of("team.prod").ingestBytesPerSecond()).isEqualTo(3L << 19);
    assertThat(t.of("team.prod").maxRequestBytes()).isEqualTo(8L << 20);
    assertThat(t.of("archive").hasRetention()).isFalse();
    assertThat(t.of("someone-else")).isEqualTo(Limits.DEFAULT);
  }

  @Test
  void mistakesNameTheFileLineAndKey() {
    assertThatThrownBy(
            () -> TenantLimitsFile.parse(List.of("", "acme.retention 3d"), Limits.DEFAULT, "f"))
        .hasMessage("f:2: expected <tenant>.<key> = <value>");
    assertThatThrownBy(
            () -> TenantLimitsFile.parse(List.of("acme.colour = red"), Limits.DEFAULT, "f"))
        .hasMessageStartingWith("f:1: unknown key 'colour'");
    assertThatThrownBy(
            () -> TenantLimitsFile.parse(List.of("acme.retention = soon"), Limits.DEFAULT, "f"))
        .hasMessageContaining("invalid duration 'soon'");
    assertThatThrownBy(
            () -> TenantLimitsFile.parse(List.of("a/b.max-series = 1"), Limits.DEFAULT, "f"))
        .hasMessageContaining("invalid tenant id");
    assertThatThrownBy(
            () -> TenantLimitsFile.parse(List.of("a.max-series = -1"), Limits.DEFAULT, "f"))
        .hasMessageContaining("max-series must be positive");
    assertThatThrownBy(
            () -> TenantLimitsFile.parse(List.of("a.retention = 5m"), Limits.DEFAULT, "f"))
        .hasMessageContaining("retention must be at least 1h");
  }
}
