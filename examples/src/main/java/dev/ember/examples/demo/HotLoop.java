package dev.ember.examples.demo;

import dev.ember.exporter.EmberProfiler;
import java.time.Duration;

/**
 * A process whose CPU time goes almost entirely into {@link #burnCpu}: the end-to-end test runs it
 * in a child JVM, profiled with the programmatic builder, and expects that method to be the hottest
 * self frame. Arguments: endpoint, seconds, service name.
 */
public final class HotLoop {
  private HotLoop() {}

  static volatile long sink;

  public static void main(String[] args) throws Exception {
    String endpoint = args[0];
    long seconds = Long.parseLong(args[1]);
    String service = args.length > 2 ? args[2] : "hot-loop";
    EmberProfiler profiler =
        EmberProfiler.builder()
            .setEndpoint(endpoint)
            .setExportInterval(Duration.ofSeconds(2))
            .putResourceAttribute("service.name", service)
            .start();
    long end = System.nanoTime() + Duration.ofSeconds(seconds).toNanos();
    while (System.nanoTime() < end) {
      sink += burnCpu(2_000_000);
    }
    if (profiler != null) {
      profiler.close();
    }
  }

  static long burnCpu(int n) {
    long x = 0;
    for (int i = 0; i < n; i++) {
      x = x * 6364136223846793005L + i;
      x ^= x >>> 17;
    }
    return x;
  }
}
