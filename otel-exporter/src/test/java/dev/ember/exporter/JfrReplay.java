package dev.ember.exporter;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import jdk.jfr.EventType;
import jdk.jfr.consumer.EventStream;
import jdk.jfr.consumer.RecordingFile;

/**
 * Feeds a JFR recording file through a {@link JfrSampler}'s own callbacks, on the calling thread,
 * so that benchmarks and tests get real windows from fixed input. The file must hold Ember's events
 * (record with Ember running, e.g. {@code -XX:StartFlightRecording=filename=x.jfr} next to the
 * exporter: recordings share their events). The watermark follows the events' clock, advancing once
 * per second of it as the live stream's flushes do. Local root span names are not in the file, so
 * replayed samples carry no {@code span.name}.
 */
final class JfrReplay {
  private static final long SECOND = 1_000_000_000L;

  private JfrReplay() {}

  /** The windows of a recording, sampled with the default configuration. */
  static List<WindowAggregator> windows(Path file) throws IOException {
    List<WindowAggregator> windows = new ArrayList<>();
    replay(new JfrSampler(ProfilingConfig.from(key -> null), windows::add), file);
    return windows;
  }

  static void replay(JfrSampler sampler, Path file) throws IOException {
    long[] clock = {0, 0}; // latest event end, last watermark step (epoch ns)
    try (EventStream s = EventStream.openFile(file)) {
      s.setOrdered(false);
      String cpu = cpuEvent(file);
      sampler.subscribe(s, cpu);
      // The clock follows the events the sampler reads only (a file also holds events stamped at
      // the end of their chunk, which would pass the watermark over what is still to come), and
      // only those get parsed.
      for (String name : sampledEvents(cpu)) {
        s.onEvent(
            name,
            e -> {
              long t = JfrSampler.nanos(e.getEndTime());
              if (t > clock[0]) {
                clock[0] = t;
                if (t - clock[1] >= SECOND) {
                  clock[1] = t;
                  sampler.advance(t - JfrSampler.SLACK.toNanos());
                }
              }
            });
      }
      s.start();
    }
    sampler.advance(Long.MAX_VALUE);
  }

  /** Only JFR's parsing of the events the sampler reads, for comparison: no Ember work. */
  static long parseOnly(Path file) throws IOException {
    long[] count = {0};
    try (EventStream s = EventStream.openFile(file)) {
      s.setOrdered(false);
      for (String name : sampledEvents(cpuEvent(file))) {
        s.onEvent(name, e -> count[0]++);
      }
      s.start();
    }
    return count[0];
  }

  private static List<String> sampledEvents(String cpu) {
    return List.of(
        cpu,
        JfrSampler.ALLOCATION_SAMPLE,
        JfrSampler.MONITOR_ENTER,
        JfrSampler.THREAD_PARK,
        SpanContextEvent.NAME,
        LabelsEvent.NAME);
  }

  /** The CPU event the live sampler would have read: the CPU-time sampler where it was on. */
  private static String cpuEvent(Path file) throws IOException {
    try (RecordingFile f = new RecordingFile(file)) {
      for (EventType t : f.readEventTypes()) {
        if (t.getName().equals(JfrSampler.CPU_TIME_SAMPLE)) {
          return JfrSampler.CPU_TIME_SAMPLE;
        }
      }
    }
    return JfrSampler.EXECUTION_SAMPLE;
  }
}
