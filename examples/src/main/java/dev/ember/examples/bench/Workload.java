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
import java.util.concurrent.ScheduledFuture;
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
    Service service = new Service(rate);
    service.start();
    Thread.sleep(TimeUnit.SECONDS.toMillis(warmup));
    Map<Integer, WorkloadCpu.ThreadCpu> threads0 = WorkloadCpu.threads();
    long cpu0 = WorkloadCpu.processCpuNanos();
    long wall0 = System.nanoTime();
    long done0 = service.done();
    Thread.sleep(TimeUnit.SECONDS.toMillis(seconds));
    Result r = new Result();
    r.cpuNanos = WorkloadCpu.processCpuNanos() - cpu0;
    r.wallNanos = System.nanoTime() - wall0;
    r.requests = service.done() - done0;
    r.threadGroups = WorkloadCpu.format(WorkloadCpu.groups(threads0, WorkloadCpu.threads()), 12);
    service.close();
    if (service.failures() > 0) {
      throw new IllegalStateException(service.failures() + " requests failed (first one printed)");
    }
    MemoryMXBean mem = ManagementFactory.getMemoryMXBean();
    System.gc();
    System.gc();
    r.heapUsedAfterGc = mem.getHeapMemoryUsage().getUsed();
    return r;
  }

  /**
   * The service: an open-loop generator (thread {@code load-1}) that submits requests at a fixed
   * rate to four handler threads ({@code handler-N}), cycling through the three endpoints. It can
   * be started and stopped any number of times; the handler pool lives until {@link #close}.
   */
  public static final class Service implements AutoCloseable {
    private static final String[] ENDPOINTS = {"GET /orders", "GET /search", "POST /checkout"};
    private final Tracer tracer = GlobalOpenTelemetry.getTracer("ember-workload");
    private final ExecutorService handlers = Executors.newFixedThreadPool(4, named("handler"));
    private final ScheduledExecutorService generator =
        Executors.newSingleThreadScheduledExecutor(named("load"));
    private final AtomicLong done = new AtomicLong();
    private final AtomicLong failures = new AtomicLong();
    private final AtomicLong seq = new AtomicLong();
    private final long periodMicros;
    private ScheduledFuture<?> running;

    public Service(int rate) {
      this.periodMicros = 1_000_000 / rate;
    }

    /** Starts submitting requests (no-op when already running). */
    public synchronized void start() {
      if (running == null) {
        running =
            generator.scheduleAtFixedRate(this::submit, 0, periodMicros, TimeUnit.MICROSECONDS);
      }
    }

    /** Stops submitting; requests already submitted still run. */
    public synchronized void stop() {
      if (running != null) {
        running.cancel(false);
        running = null;
      }
    }

    private void submit() {
      String endpoint = ENDPOINTS[(int) (seq.getAndIncrement() % ENDPOINTS.length)];
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
    }

    public long done() {
      return done.get();
    }

    public long failures() {
      return failures.get();
    }

    @Override
    public void close() throws InterruptedException {
      stop();
      generator.shutdownNow();
      handlers.shutdown();
      handlers.awaitTermination(10, TimeUnit.SECONDS);
    }
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

  private static java.util.concurrent.ThreadFactory named(String prefix) {
    AtomicLong n = new AtomicLong();
    return r -> {
      Thread t = new Thread(r, prefix + "-" + n.incrementAndGet());
      t.setDaemon(true);
      return t;
    };
  }
}
