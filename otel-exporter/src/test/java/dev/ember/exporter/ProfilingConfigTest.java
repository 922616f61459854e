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
    assertThat(c.gzipLevel()).isEqualTo(1);
    assertThat(
            ProfilingConfig.from(Map.of("otel.exporter.otlp.profiles.compression.level", "6")::get)
                .gzipLevel())
        .isEqualTo(6);
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

  @Test
  void newKeysHaveDefaultsAndParse() {
    ProfilingConfig d = ProfilingConfig.defaults();
    assertThat(d.types()).containsExactlyInAnyOrder(ProfileType.values());
    assertThat(d.allocationRate()).isEqualTo(150);
    assertThat(d.lockThreshold()).isEqualTo(Duration.ofMillis(10));
    assertThat(d.blockThreshold()).isEqualTo(Duration.ofMillis(20));
    assertThat(d.stackDepth()).isEqualTo(64);
    assertThat(d.queueMaxWindows()).isEqualTo(30);
    assertThat(d.queueMaxBytes()).isEqualTo(8L << 20);
    assertThat(d.shutdownTimeout()).isEqualTo(Duration.ofSeconds(10));
    ProfilingConfig c =
        ProfilingConfig.from(
            Map.of(
                    "otel.profiling.types", " CPU, block ",
                    "otel.profiling.alloc.rate", "300",
                    "otel.profiling.lock.threshold", "0ms",
                    "otel.profiling.block.threshold", "50ms",
                    "otel.profiling.stack.depth", "512",
                    "otel.profiling.queue.max.bytes", "2MiB",
                    "otel.profiling.queue.max.windows", "5")
                ::get);
    assertThat(c.types()).containsExactlyInAnyOrder(ProfileType.CPU, ProfileType.BLOCK);
    assertThat(c.allocationRate()).isEqualTo(300);
    assertThat(c.lockThreshold()).isZero();
    assertThat(c.blockThreshold()).isEqualTo(Duration.ofMillis(50));
    assertThat(c.stackDepth()).isEqualTo(512);
    assertThat(c.queueMaxBytes()).isEqualTo(2L << 20);
    assertThat(c.queueMaxWindows()).isEqualTo(5);
  }

  @Test
  void everyBadValueNamesItsKey() {
    Map<String, String> bad =
        Map.ofEntries(
            Map.entry("otel.profiling.types", "cpu,heap"),
            Map.entry("otel.profiling.alloc.rate", "lots"),
            Map.entry("otel.profiling.lock.threshold", "1h"),
            Map.entry("otel.profiling.block.threshold", "-1ms"),
            Map.entry("otel.profiling.stack.depth", "0"),
            Map.entry("otel.profiling.queue.max.windows", "0"),
            Map.entry("otel.profiling.queue.max.bytes", "12 parsecs"),
            Map.entry("otel.profiling.shutdown.timeout", "1d"),
            Map.entry("otel.exporter.otlp.profiles.compression", "zstd"),
            Map.entry("otel.exporter.otlp.profiles.compression.level", "0"),
            Map.entry("otel.exporter.otlp.profiles.timeout", "0s"),
            Map.entry("otel.exporter.otlp.profiles.certificate", "/no/such/ca.pem"),
            Map.entry("otel.exporter.otlp.profiles.headers", "no-equals-sign"));
    for (Map.Entry<String, String> e : bad.entrySet()) {
      assertThatThrownBy(() -> ProfilingConfig.from(Map.of(e.getKey(), e.getValue())::get))
          .as(e.getKey())
          .isInstanceOf(ConfigurationError.class)
          .hasMessageContaining(e.getKey());
    }
    assertThatThrownBy(() -> ProfilingConfig.from(Map.of("otel.profiling.types", "wall")::get))
        .hasMessageContaining("otel.profiling.types")
        .hasMessageContaining("wall-clock");
  }
}
