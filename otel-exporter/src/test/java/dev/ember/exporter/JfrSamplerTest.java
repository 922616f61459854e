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
          // The thread runs a lambda: its hidden class is named without its per-process address.
          boolean lambdaFrame = false;
          for (int frame : e.getKey().stack()) {
            String name = w.frame(frame).name();
            assertThat(name).doesNotContain("0x");
            if (name.contains("$$Lambda")) {
              assertThat(name).isEqualTo("dev/ember/exporter/JfrSamplerTest$$Lambda.run");
              lambdaFrame = true;
            }
          }
          assertThat(lambdaFrame).as("a frame JfrSamplerTest$$Lambda.run").isTrue();
        }
      }
    }
    assertThat(windows).isNotEmpty();
    assertThat(hot).as("CPU ns in spin() out of %d", all).isGreaterThan(all / 4);
  }

  static final Object MONITOR = new Object();

  static long recurse(int depth) {
    return depth == 0 ? spin(200_000) : recurse(depth - 1) + 1;
  }

  /**
   * Every profile type from real JFR events, custom labels on the samples taken inside a label
   * block, and stacks deeper than the configured depth cut and marked {@code [truncated]}.
   */
  @Test
  void allTypesLabelsAndTruncation() throws Exception {
    ProfilingConfig config =
        ProfilingConfig.from(
            Map.of(
                    "otel.profiling.export.interval", "1s",
                    "otel.profiling.stack.depth", "8",
                    "otel.profiling.lock.threshold", "5ms",
                    "otel.profiling.block.threshold", "5ms",
                    "otel.profiling.alloc.rate", "1000")
                ::get);
    List<WindowAggregator> windows = new CopyOnWriteArrayList<>();
    long end = System.nanoTime() + Duration.ofSeconds(4).toNanos();
    Thread labelled =
        new Thread(
            () ->
                EmberLabels.run(
                    Map.of("tenant", "acme"),
                    () -> {
                      while (System.nanoTime() < end) {
                        sink += recurse(20);
                        byte[][] garbage = new byte[64][];
                        for (int i = 0; i < garbage.length; i++) {
                          garbage[i] = new byte[4096];
                        }
                        sink += garbage[7].length;
                      }
                    }),
            "labelled");
    Thread holder =
        new Thread(
            () -> {
              while (System.nanoTime() < end) {
                synchronized (MONITOR) {
                  java.util.concurrent.locks.LockSupport.parkNanos(20_000_000);
                }
                Thread.yield();
              }
            },
            "holder");
    Thread waiter =
        new Thread(
            () -> {
              while (System.nanoTime() < end) {
                synchronized (MONITOR) {
                  sink++;
                }
              }
            },
            "waiter");
    try (JfrSampler sampler = new JfrSampler(config, windows::add)) {
      sampler.start();
      labelled.start();
      holder.start();
      waiter.start();
      labelled.join();
      holder.join();
      waiter.join();
    }
    java.util.Set<ProfileType> types = java.util.EnumSet.noneOf(ProfileType.class);
    long labelledCpu = 0;
    long labelledCpuWithLabel = 0;
    long truncated = 0;
    for (WindowAggregator w : windows) {
      truncated += w.truncatedStacks();
      for (var e : w.sums().entrySet()) {
        WindowAggregator.Key k = e.getKey();
        types.add(k.type());
        assertThat(k.stack().length).isLessThanOrEqualTo(9);
        if (k.type() == ProfileType.CPU && k.threadName().equals("labelled")) {
          labelledCpu++;
          if (k.labels().equals("tenant=acme")) {
            labelledCpuWithLabel++;
          }
          if (k.stack().length == 9) {
            assertThat(w.frame(k.stack()[8]).name()).isEqualTo("[truncated]");
          }
        }
      }
    }
    assertThat(types).containsExactlyInAnyOrder(ProfileType.values());
    assertThat(truncated).isPositive();
    assertThat(labelledCpu).isPositive();
    assertThat(labelledCpuWithLabel).isGreaterThanOrEqualTo(labelledCpu * 9 / 10);
  }
}
