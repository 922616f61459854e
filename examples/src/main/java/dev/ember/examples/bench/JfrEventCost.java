package dev.ember.examples.bench;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import jdk.jfr.consumer.RecordingStream;

/**
 * What one JFR event costs the thread that emits it, with and without a stack trace: a thread
 * {@value #DEPTH} frames deep parks for 1 us {@value #PARKS} times, with {@code jdk.ThreadPark}
 * off, on at threshold 0 without a stack trace, and on with one; the differences in that thread's
 * CPU time divided by the events delivered. A stack-walked event is what Ember's CPU, allocation,
 * monitor and park samples cost on application threads (the walk dominates); the figures explain
 * the exporter's thresholds (see {@code docs/benchmarks.md}).
 *
 * <p>{@code java -cp examples/target/demo-app.jar dev.ember.examples.bench.JfrEventCost [rounds=3]}
 */
public final class JfrEventCost {
  private JfrEventCost() {}

  static final int DEPTH = 30;
  static final int PARKS = 50_000;
  static final ThreadMXBean THREADS = ManagementFactory.getThreadMXBean();

  public static void main(String[] args) throws Exception {
    int rounds = args.length > 0 ? Integer.parseInt(args[0]) : 3;
    for (int r = 0; r < rounds; r++) {
      long off = measure("off", s -> {});
      long bare =
          measure(
              "on, no stack",
              s -> s.enable("jdk.ThreadPark").withThreshold(Duration.ZERO).withoutStackTrace());
      long stack =
          measure(
              "on, stack",
              s -> s.enable("jdk.ThreadPark").withThreshold(Duration.ZERO).withStackTrace());
      System.out.printf(
          "round %d: per event %.2f us without stack trace, %.2f us with a %d-frame stack%n",
          r + 1, (bare - off) / 1e3 / PARKS, (stack - off) / 1e3 / PARKS, DEPTH);
    }
  }

  /** Thread CPU nanoseconds of {@value #PARKS} parks under this setup. */
  static long measure(String label, Setup setup) throws Exception {
    AtomicLong events = new AtomicLong();
    try (RecordingStream s = new RecordingStream()) {
      setup.apply(s);
      s.onEvent(
          "jdk.ThreadPark",
          e -> {
            if ("measured".equals(e.getThread("eventThread").getJavaName())) {
              events.incrementAndGet();
            }
          });
      s.startAsync();
      long[] cpu = new long[1];
      Thread t =
          new Thread(
              () -> {
                long c0 = THREADS.getCurrentThreadCpuTime();
                deep(
                    DEPTH,
                    () -> {
                      for (int i = 0; i < PARKS; i++) {
                        LockSupport.parkNanos(1_000);
                      }
                    });
                cpu[0] = THREADS.getCurrentThreadCpuTime() - c0;
              },
              "measured");
      t.start();
      t.join();
      Thread.sleep(1500); // let the last flush arrive
      System.out.printf(
          "  jdk.ThreadPark %-13s thread CPU %7.1f ms  events %6d%n",
          label, cpu[0] / 1e6, events.get());
      return cpu[0];
    }
  }

  interface Setup {
    void apply(RecordingStream s);
  }

  static void deep(int n, Runnable body) {
    if (n == 0) {
      body.run();
    } else {
      deep(n - 1, body);
    }
  }
}
