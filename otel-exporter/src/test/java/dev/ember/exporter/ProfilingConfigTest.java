package dev.ember.exporter;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ProfilingConfigTest {
  @Test
  void defaults() {
    ProfilingConfig c = ProfilingConfig.defaults();
    assertThat(c.endpoint().toString()).isEqualTo("http://localhost:4317");
    assertThat(c.exportInterval()).isEqualTo(Duration.ofSeconds(10));
    assertThat(c.cpuInterval()).isEqualTo(Duration.ofMillis(10));
    assertThat(c.gzip()).isTrue();
  }

  @Test
  void readsKeys() {
    Map<String, String> p =
        Map.of(
            "otel.exporter.otlp.profiles.endpoint", "https://collector:4317",
            "otel.profiling.export.interval", "30s",
            "otel.profiling.cpu.interval", "20",
            "otel.exporter.otlp.profiles.headers", "X-Scope-OrgID=team-a,x=y");
    ProfilingConfig c = ProfilingConfig.from(p::get);
    assertThat(c.exportInterval()).isEqualTo(Duration.ofSeconds(30));
    assertThat(c.cpuInterval()).isEqualTo(Duration.ofMillis(20));
    assertThat(c.headers()).containsEntry("x-scope-orgid", "team-a").containsEntry("x", "y");
  }

  @Test
  void badValuesNameTheKey() {
    assertThatThrownBy(
            () -> ProfilingConfig.from(Map.of("otel.profiling.cpu.interval", "fast")::get))
        .isInstanceOf(ConfigurationError.class)
        .hasMessageContaining("otel.profiling.cpu.interval");
    assertThatThrownBy(
            () -> ProfilingConfig.from(Map.of("otel.profiling.export.interval", "0s")::get))
        .hasMessageContaining("otel.profiling.export.interval");
    assertThatThrownBy(
            () ->
                ProfilingConfig.from(
                    Map.of("otel.exporter.otlp.profiles.endpoint", "grpc://x")::get))
        .hasMessageContaining("otel.exporter.otlp.profiles.endpoint");
    assertThatThrownBy(() -> ProfilingConfig.enabled(Map.of("otel.profiling.enabled", "yes")::get))
        .hasMessageContaining("otel.profiling.enabled");
  }
}
