package dev.ember.exporter;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;

/** Real JFR in this JVM: a busy thread's method must show up in the emitted windows. */
class JfrSamplerTest {
  static volatile long sink;

  static long spin(long n) {
    long x = 1;
    for (long i = 0; i < n; i++) {
      x = x * 31 + i;
    }
    return x;
  }

  @Test
  void busyMethodAppearsInCpuSamples() throws Exception {
    ProfilingConfig config =
        ProfilingConfig.from(Map.of("otel.profiling.export.interval", "1s")::get);
    List<WindowAggregator> windows = new CopyOnWriteArrayList<>();
    Thread busy =
        new Thread(
            () -> {
              long end = System.nanoTime() + Duration.ofSeconds(4).toNanos();
              while (System.nanoTime() < end) {
                sink += spin(1_000_000);
              }
            },
            "busy-thread");
    try (JfrSampler sampler = new JfrSampler(config, windows::add)) {
      sampler.start();
      busy.start();
      busy.join();
    }
    long hot = 0;
    long all = 0;
    for (WindowAggregator w : windows) {
      for (var e : w.sums().entrySet()) {
        all += e.getValue()[0];
        if (e.getKey().type() != ProfileType.CPU) {
          continue;
        }
        Frame leaf = w.frame(e.getKey().stack()[0]);
        if (leaf.name().equals("dev/ember/exporter/JfrSamplerTest.spin")
            && e.getKey().threadName().equals("busy-thread")) {
          hot += e.getValue()[0];
          assertThat(leaf.fileName()).isEqualTo("dev/ember/exporter/JfrSamplerTest.java");
        }
      }
    }
    assertThat(windows).isNotEmpty();
    assertThat(hot).as("CPU ns in spin() out of %d", all).isGreaterThan(all / 4);
  }
}
