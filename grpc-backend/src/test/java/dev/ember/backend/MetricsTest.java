package dev.ember.backend;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.StringWriter;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class MetricsTest {
  @Test
  void writesThePrometheusTextFormat() throws Exception {
    Metrics m = new Metrics();
    Metrics.Counter c = m.counter("x_total", "Things.", "kind");
    c.inc(2, "b");
    c.inc(1, "a\"q\\\n");
    c.inc(3, "b");
    Metrics.Histogram h = m.histogram("lat_seconds", "Latency.", new double[] {0.1, 1}, "r");
    h.observe(0.05, "g");
    h.observe(0.5, "g");
    h.observe(5, "g");
    m.gauge("size_bytes", "Size.", () -> Map.of(List.of("t1"), 1e6, List.of("t0"), 2.5), "tenant");
    StringWriter w = new StringWriter();
    m.write(w);
    assertThat(w.toString())
        .isEqualTo(
            """
            # HELP lat_seconds Latency.
            # TYPE lat_seconds histogram
            lat_seconds_bucket{r="g",le="0.1"} 1
            lat_seconds_bucket{r="g",le="1"} 2
            lat_seconds_bucket{r="g",le="+Inf"} 3
            lat_seconds_sum{r="g"} 5.55
            lat_seconds_count{r="g"} 3
            # HELP size_bytes Size.
            # TYPE size_bytes gauge
            size_bytes{tenant="t0"} 2.5
            size_bytes{tenant="t1"} 1000000
            # HELP x_total Things.
            # TYPE x_total counter
            x_total{kind="a\\"q\\\\\\n"} 1
            x_total{kind="b"} 5
            """);
    assertThat(c.get("b")).isEqualTo(5);
    assertThat(h.count("g")).isEqualTo(3);
  }

  @Test
  void labelCountsAreChecked() {
    Metrics m = new Metrics();
    Metrics.Counter c = m.counter("c_total", "C.", "a", "b");
    assertThatThrownBy(() -> c.inc(1, "only-one")).hasMessageContaining("takes labels [a, b]");
    assertThatThrownBy(() -> m.counter("c_total", "again"))
        .hasMessageContaining("registered twice");
  }

  @Test
  void aFailingGaugeDoesNotBreakTheScrape() throws Exception {
    Metrics m = new Metrics();
    m.gauge(
        "broken",
        "Broken.",
        () -> {
          throw new IllegalStateException("disk gone");
        });
    m.counter("ok_total", "Fine.").inc(1);
    StringWriter w = new StringWriter();
    m.write(w);
    assertThat(w.toString()).doesNotContain("broken").contains("ok_total 1");
  }
}
