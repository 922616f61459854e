package dev.ember.examples.bench;

import io.opentelemetry.api.GlobalOpenTelemetry;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.Tracer;
import io.opentelemetry.context.Scope;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A service-shaped workload for overhead measurements and agent tests: an open-loop load generator
 * submits requests at a fixed rate to a pool of handler threads; each request is a server span
 * ({@code GET /orders}, {@code GET /search} or {@code POST /checkout}) that burns CPU, allocates,
 * contends for a shared lock and makes a child "db" span that waits. It uses only the OpenTelemetry
 * API, so it runs bare (no-op API), under the Java agent, or with any profiler.
 *
 * <p>Because the load is open-loop, every configuration does the same work: overhead shows up as
 * CPU time, not as throughput. At the end it prints one line {@code workload: cpu_ns=... } with the
 * process CPU time of the measured period (after the warm-up) and the heap in use after a full GC.
 *
 * <p>{@code java -cp demo-app.jar dev.ember.examples.bench.Workload [seconds=30] [warmup=10]
 * [requests per second=200]}
 */
public final class Workload {
  private Workload() {}

  static final Object LOCK = new Object();
  static volatile double sink;
  static final Map<Integer, byte[]> cache = new HashMap<>();

  public static void main(String[] args) throws Exception {
    int seconds = args.length > 0 ? Integer.parseInt(args[0]) : 30;
    int warmup = args.length > 1 ? Integer.parseInt(args[1]) : 10;
    int rate = args.length > 2 ? Integer.parseInt(args[2]) : 200;
    Result r = run(seconds, warmup, rate);
    System.out.printf(
        "workload: cpu_ns=%d wall_ns=%d heap_used=%d requests=%d%n",
        r.cpuNanos, r.wallNanos, r.heapUsedAfterGc, r.requests);
    System.out.println("CPU ms by thread group in the measured period: " + r.threadGroups);
  }

  /** What one run measured. */
  public static final class Result {
    public long cpuNanos;
    public long wallNanos;
    public long heapUsedAfterGc;
    public long requests;
    public String threadGroups = "";
  }

  public static Result run(int seconds, int warmup, int rate) throws Exception {
    Tracer tracer = GlobalOpenTelemetry.getTracer("ember-workload");
    ExecutorService handlers = Executors.newFixedThreadPool(4, named("handler"));
    ScheduledExecutorService generator = Executors.newSingleThreadScheduledExecutor(named("load"));
    AtomicLong done = new AtomicLong();
    AtomicLong failures = new AtomicLong();
    String[] endpoints = {"GET /orders", "GET /search", "POST /checkout"};
    AtomicLong seq = new AtomicLong();
    generator.scheduleAtFixedRate(
        () -> {
          String endpoint = endpoints[(int) (seq.getAndIncrement() % endpoints.length)];
          handlers.execute(
              () -> {
                try {
                  handle(tracer, endpoint);
                  done.incrementAndGet();
                } catch (RuntimeException | Error e) {
                  if (failures.getAndIncrement() == 0) {
                    e.printStackTrace();
                  }
                }
              });
        },
        0,
        1_000_000 / rate,
        TimeUnit.MICROSECONDS);
    Thread.sleep(TimeUnit.SECONDS.toMillis(warmup));
    Map<String, Long> threads0 = threadTicks();
    long cpu0 = processCpuNanos();
    long wall0 = System.nanoTime();
    long done0 = done.get();
    Thread.sleep(TimeUnit.SECONDS.toMillis(seconds));
    Result r = new Result();
    r.cpuNanos = processCpuNanos() - cpu0;
    r.wallNanos = System.nanoTime() - wall0;
    r.requests = done.get() - done0;
    r.threadGroups = diff(threads0, threadTicks());
    generator.shutdownNow();
    handlers.shutdown();
    handlers.awaitTermination(10, TimeUnit.SECONDS);
    if (failures.get() > 0) {
      throw new IllegalStateException(failures.get() + " requests failed (first one printed)");
    }
    MemoryMXBean mem = ManagementFactory.getMemoryMXBean();
    System.gc();
    System.gc();
    r.heapUsedAfterGc = mem.getHeapMemoryUsage().getUsed();
    return r;
  }

  static void handle(Tracer tracer, String endpoint) {
    Span span = tracer.spanBuilder(endpoint).setSpanKind(SpanKind.SERVER).startSpan();
    try (Scope ignored = span.makeCurrent()) {
      switch (endpoint) {
        case "GET /orders":
          sink += priceOrders(400_000);
          break;
        case "GET /search":
          sink += search(40_000);
          break;
        default:
          sink += checkout(tracer);
          break;
      }
    } finally {
      span.end();
    }
  }

  /** CPU: floating-point pricing. */
  static double priceOrders(int n) {
    double total = 0;
    for (int i = 0; i < n; i++) {
      total += Math.sqrt(i) * 1.07 + Math.log1p(i) * 0.3;
    }
    return total;
  }

  /** Allocation: builds and hashes short-lived strings and lists. */
  static double search(int n) {
    List<String> hits = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      String doc = "doc-" + i + "-" + ThreadLocalRandom.current().nextInt(1000);
      if ((doc.hashCode() & 3) == 0) {
        hits.add(doc.toUpperCase());
      }
    }
    return hits.size();
  }

  /** Contention and waiting: a shared lock, then a child span that waits on a "database". */
  static double checkout(Tracer tracer) {
    double total;
    synchronized (LOCK) {
      total = priceOrders(100_000);
      cache.put(ThreadLocalRandom.current().nextInt(512), new byte[256]);
    }
    Span db = tracer.spanBuilder("db.query").startSpan();
    try (Scope ignored = db.makeCurrent()) {
      Thread.sleep(2);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } finally {
      db.end();
    }
    return total;
  }

  /**
   * CPU clock ticks per thread group (the thread's name without digits) from /proc: also sees the
   * JVM's own threads (GC, JIT compilers, JFR), which is where a profiler's cost hides. Linux only;
   * empty elsewhere.
   */
  static Map<String, Long> threadTicks() {
    Map<String, Long> out = new HashMap<>();
    java.io.File[] tasks = new java.io.File("/proc/self/task").listFiles();
    if (tasks == null) {
      return out;
    }
    for (java.io.File t : tasks) {
      try {
        String stat = java.nio.file.Files.readString(t.toPath().resolve("stat"));
        int open = stat.indexOf('(');
        int close = stat.lastIndexOf(')');
        String name = stat.substring(open + 1, close).replaceAll("[0-9]+", "#");
        String[] f = stat.substring(close + 2).split(" ");
        long ticks = Long.parseLong(f[11]) + Long.parseLong(f[12]); // utime + stime
        out.merge(name, ticks, Long::sum);
      } catch (java.io.IOException | RuntimeException e) {
        // the thread ended meanwhile
      }
    }
    return out;
  }

  static String diff(Map<String, Long> before, Map<String, Long> after) {
    List<String> out = new ArrayList<>();
    after.entrySet().stream()
        .map(e -> Map.entry(e.getKey(), e.getValue() - before.getOrDefault(e.getKey(), 0L)))
        .filter(e -> e.getValue() > 0)
        .sorted(Map.Entry.<String, Long>comparingByValue().reversed())
        .limit(12)
        .forEach(e -> out.add(e.getKey() + "=" + e.getValue() * 10)); // 100 ticks per second
    return String.join(", ", out);
  }

  static long processCpuNanos() {
    java.lang.management.OperatingSystemMXBean os = ManagementFactory.getOperatingSystemMXBean();
    if (os instanceof com.sun.management.OperatingSystemMXBean sun) {
      return sun.getProcessCpuTime();
    }
    return -1;
  }

  private static java.util.concurrent.ThreadFactory named(String prefix) {
    AtomicLong n = new AtomicLong();
    return r -> {
      Thread t = new Thread(r, prefix + "-" + n.incrementAndGet());
      t.setDaemon(true);
      return t;
    };
  }
}
