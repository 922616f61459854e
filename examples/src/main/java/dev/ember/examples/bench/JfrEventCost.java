package dev.ember.examples.bench;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import jdk.jfr.consumer.RecordingStream;

/**
 * What one JFR event with a stack trace costs the thread that emits it, for the event types Ember
 * records: a thread {@value #DEPTH} frames deep parks (or allocates) in a loop, once with the event
 * off and once with it on, and the difference in that thread's CPU time is divided by the events
 * delivered. The figures explain the exporter's defaults (see {@code docs/benchmarks.md}): a thread
 * pool's idle workers park between requests, so every park event saved is a stack walk saved on an
 * application thread.
 *
 * <p>{@code java -cp examples/target/demo-app.jar dev.ember.examples.bench.JfrEventCost [rounds=3]}
 */
public final class JfrEventCost {
  private JfrEventCost() {}

  static final int DEPTH = 30;
  static final ThreadMXBean THREADS = ManagementFactory.getThreadMXBean();
  static volatile Object sink;

  public static void main(String[] args) throws Exception {
    int rounds = args.length > 0 ? Integer.parseInt(args[0]) : 3;
    for (int r = 0; r < rounds; r++) {
      park(false);
      park(true);
      alloc(false);
      alloc(true);
    }
  }

  /** Parks 11 ms 300 times: with the event on (threshold 10 ms) every park is one event. */
  static void park(boolean on) throws Exception {
    measure(
        "jdk.ThreadPark",
        on,
        s -> s.enable("jdk.ThreadPark").withThreshold(Duration.ofMillis(10)).withStackTrace(),
        () -> {
          for (int i = 0; i < 300; i++) {
            LockSupport.parkNanos(11_000_000);
          }
        });
  }

  /** Allocates 3 GB in 1 KiB arrays: the event on at 1000 samples/s. */
  static void alloc(boolean on) throws Exception {
    measure(
        "jdk.ObjectAllocationSample",
        on,
        s -> s.enable("jdk.ObjectAllocationSample").with("throttle", "1000/s").withStackTrace(),
        () -> {
          for (int i = 0; i < 3_000_000; i++) {
            sink = new byte[1024];
          }
        });
  }

  interface Setup {
    void apply(RecordingStream s);
  }

  static void measure(String event, boolean on, Setup setup, Runnable body) throws Exception {
    AtomicLong events = new AtomicLong();
    try (RecordingStream s = new RecordingStream()) {
      if (on) {
        setup.apply(s);
        s.onEvent(event, e -> events.incrementAndGet());
      }
      s.startAsync();
      long[] cpu = new long[1];
      Thread t =
          new Thread(
              () -> {
                long c0 = THREADS.getCurrentThreadCpuTime();
                deep(DEPTH, body);
                cpu[0] = THREADS.getCurrentThreadCpuTime() - c0;
              },
              "measured");
      t.start();
      t.join();
      Thread.sleep(1500); // let the last flush arrive
      System.out.printf(
          "%-28s %-3s thread CPU %7.1f ms  events %6d%s%n",
          event,
          on ? "on" : "off",
          cpu[0] / 1e6,
          events.get(),
          on && events.get() > 0
              ? String.format(
                  "  (%.1f us of thread CPU per event incl. baseline)", cpu[0] / 1e3 / events.get())
              : "");
    }
  }

  static void deep(int n, Runnable body) {
    if (n == 0) {
      body.run();
    } else {
      deep(n - 1, body);
    }
  }
}
