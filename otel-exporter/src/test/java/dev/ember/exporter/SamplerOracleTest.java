package dev.ember.exporter;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.concurrent.CopyOnWriteArrayList;
import jdk.jfr.Recording;
import jdk.jfr.consumer.RecordedEvent;
import jdk.jfr.consumer.RecordedThread;
import jdk.jfr.consumer.RecordingFile;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The sampler's CPU values and span links against a brute-force reading of the same JFR file: every
 * event read in file order with {@link RecordingFile}, each CPU sample worth the period JFR states
 * for it ({@code getDuration}, converted per event) and linked to the last span change on its
 * thread at or before it. The sampler reads the file unordered, converts the period once per raw
 * value and joins without sorting; both must come out the same. Spans and their ids are random
 * (seed printed). Where JFR's ticks are nanoseconds (Linux) the CPU sum cannot tell a raw tick
 * count from a converted period; elsewhere it can.
 */
class SamplerOracleTest {
  static volatile long sink;

  @Test
  void cpuValuesAndLinksMatchABruteForceJoin(@TempDir Path dir) throws Exception {
    long seed = Long.getLong("tests.seed", System.nanoTime());
    System.out.println(
        "SamplerOracleTest seed: " + seed + " (replay with -Dtests.seed=" + seed + ")");
    Path file = dir.resolve("spans.jfr");
    boolean cpuTime = JfrSampler.hasCpuTimeSampler();
    String cpuEvent = cpuTime ? JfrSampler.CPU_TIME_SAMPLE : JfrSampler.EXECUTION_SAMPLE;
    try (Recording r = new Recording()) {
      if (cpuTime) {
        r.enable(cpuEvent).with("throttle", "10ms");
      } else {
        r.enable(cpuEvent).withPeriod(Duration.ofMillis(10));
      }
      r.enable(SpanContextEvent.NAME);
      r.start();
      List<Thread> threads = new ArrayList<>();
      for (int t = 0; t < 3; t++) {
        Random random = new Random(seed + t);
        threads.add(new Thread(() -> switchSpans(random), "oracle-" + t));
      }
      threads.forEach(Thread::start);
      for (Thread t : threads) {
        t.join();
      }
      r.stop();
      r.dump(file);
    }

    // The sampler, as the live stream drives it but from the file.
    ProfilingConfig config = ProfilingConfig.from(Map.of("otel.profiling.types", "cpu")::get);
    List<WindowAggregator> windows = new CopyOnWriteArrayList<>();
    Map<String, Long> joined = new TreeMap<>();
    JfrSampler sampler = new JfrSampler(config, windows::add);
    sampler.setJoinListener(
        (type, time, threadId, stack, link) ->
            joined.merge(key(threadId, time, link), 1L, Long::sum));
    JfrReplay.replay(sampler, file);
    long cpuNanos = 0;
    for (WindowAggregator w : windows) {
      for (var e : w.sums().entrySet()) {
        assertThat(e.getKey().type()).isEqualTo(ProfileType.CPU);
        cpuNanos += e.getValue()[0];
      }
    }

    // Brute force: all events in file order; each sample joined by a scan of its thread's changes.
    Map<Long, TreeMap<Long, SpanIds>> changes = new HashMap<>();
    List<RecordedEvent> samples = new ArrayList<>();
    for (RecordedEvent e : RecordingFile.readAllEvents(file)) {
      String name = e.getEventType().getName();
      if (name.equals(SpanContextEvent.NAME)) {
        changes
            .computeIfAbsent(e.getThread().getJavaThreadId(), k -> new TreeMap<>())
            .put(
                JfrSampler.nanos(e.getStartTime()),
                new SpanIds(
                    e.getLong("traceIdHigh"),
                    e.getLong("traceIdLow"),
                    e.getLong("spanId"),
                    e.getLong("localRootSpanId")));
      } else if (name.equals(cpuEvent)) {
        samples.add(e);
      }
    }
    Map<String, Long> expected = new TreeMap<>();
    long expectedNanos = 0;
    long linked = 0;
    for (RecordedEvent e : samples) {
      RecordedThread thread = e.getThread(cpuTime ? "eventThread" : "sampledThread");
      if (thread == null || e.getStackTrace() == null || (cpuTime && e.getBoolean("failed"))) {
        continue;
      }
      long time = JfrSampler.nanos(e.getStartTime());
      TreeMap<Long, SpanIds> history = changes.get(thread.getJavaThreadId());
      Map.Entry<Long, SpanIds> at = history == null ? null : history.floorEntry(time);
      SpanIds link = at == null || at.getValue().spanId() == 0 ? SpanIds.NONE : at.getValue();
      linked += link.isNone() ? 0 : 1;
      expected.merge(key(thread.getJavaThreadId(), time, link), 1L, Long::sum);
      expectedNanos +=
          cpuTime ? e.getDuration("samplingPeriod").toNanos() : config.cpuInterval().toNanos();
    }

    String context = "seed " + seed;
    assertThat(linked).as("linked samples, %s", context).isGreaterThan(20);
    assertThat(firstDifferences(joined, expected))
        .as("joined vs brute force, %s", context)
        .isEmpty();
    assertThat(cpuNanos).as("CPU ns, %s", context).isEqualTo(expectedNanos);
  }

  /** Up to five keys whose counts differ, each with both counts: short enough to read. */
  private static List<String> firstDifferences(Map<String, Long> got, Map<String, Long> want) {
    List<String> out = new ArrayList<>();
    TreeMap<String, Long> all = new TreeMap<>(got);
    all.putAll(want);
    for (String k : all.keySet()) {
      long g = got.getOrDefault(k, 0L);
      long w = want.getOrDefault(k, 0L);
      if (g != w && out.size() < 5) {
        out.add(k + " sampler " + g + " brute force " + w);
      }
    }
    return out;
  }

  private static String key(long threadId, long time, SpanIds link) {
    return threadId
        + "@"
        + time
        + ":"
        + link.traceIdHigh()
        + "/"
        + link.traceIdLow()
        + "/"
        + link.spanId()
        + "/"
        + link.localRootSpanId();
  }

  /** About 1.5 s of CPU, inside random spans and outside any, switched every few milliseconds. */
  private static void switchSpans(Random random) {
    long end = System.nanoTime() + Duration.ofMillis(1500).toNanos();
    while (System.nanoTime() < end) {
      boolean inSpan = random.nextInt(4) != 0;
      SpanContextEvent e = new SpanContextEvent();
      if (inSpan) {
        e.traceIdHigh = random.nextLong();
        e.traceIdLow = random.nextLong();
        e.spanId = random.nextLong() | 1;
        e.localRootSpanId = random.nextLong();
      }
      e.commit();
      long until = System.nanoTime() + Duration.ofMillis(2 + random.nextInt(20)).toNanos();
      while (System.nanoTime() < until) {
        sink += JfrSamplerTest.spin(10_000);
      }
    }
  }
}
