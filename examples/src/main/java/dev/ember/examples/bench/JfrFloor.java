package dev.ember.examples.bench;

import java.time.Duration;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.Set;
import jdk.jfr.EventType;
import jdk.jfr.FlightRecorder;
import jdk.jfr.consumer.RecordedEvent;
import jdk.jfr.consumer.RecordedFrame;
import jdk.jfr.consumer.RecordedStackTrace;
import jdk.jfr.consumer.RecordedThread;
import jdk.jfr.consumer.RecordingStream;

/**
 * The floor under any in-process JFR profiler (the {@code agent+jfr} configuration of {@link
 * OverheadBenchmark}): a {@link RecordingStream} with the JFR events and settings of Ember's
 * defaults, whose consumer does only what every exporter must: read each event's time and thread,
 * and resolve each distinct stack's frames to method and class names once per flush. No joining
 * with spans, no aggregation, no encoding, nothing sent. Whatever this configuration costs over the
 * agent alone is JFR's own price (stack walks, buffers, flushes, the parser), which Ember cannot go
 * below while it captures with JFR.
 */
final class JfrFloor {
  private JfrFloor() {}

  /** Something the consumer's reads flow into, so the JIT cannot drop them. */
  static volatile long sink;

  private static final Set<RecordedStackTrace> seen =
      Collections.newSetFromMap(new IdentityHashMap<>());

  static void start() {
    RecordingStream s = new RecordingStream();
    s.setReuse(true);
    s.setOrdered(false);
    boolean cpuTime =
        FlightRecorder.getFlightRecorder().getEventTypes().stream()
            .map(EventType::getName)
            .anyMatch("jdk.CPUTimeSample"::equals);
    if (cpuTime) {
      s.enable("jdk.CPUTimeSample").with("throttle", "10ms");
    } else {
      s.enable("jdk.ExecutionSample").withPeriod(Duration.ofMillis(10));
    }
    s.enable("jdk.ObjectAllocationSample").with("throttle", "150/s").withStackTrace();
    s.enable("jdk.JavaMonitorEnter").withThreshold(Duration.ofMillis(10)).withStackTrace();
    s.enable("jdk.ThreadPark").withThreshold(Duration.ofMillis(20)).withStackTrace();
    s.onEvent(JfrFloor::consume);
    s.onFlush(seen::clear);
    Thread t = new Thread(s::start, "jfr-floor-reader");
    t.setDaemon(true);
    t.start();
  }

  private static void consume(RecordedEvent e) {
    long h = e.getStartTime().getNano();
    RecordedThread thread =
        e.getThread(
            e.getEventType().getName().equals("jdk.ExecutionSample")
                ? "sampledThread"
                : "eventThread");
    if (thread != null) {
      h += thread.getJavaThreadId();
    }
    RecordedStackTrace stack = e.getStackTrace();
    if (stack != null && seen.add(stack)) {
      for (RecordedFrame f : stack.getFrames()) {
        h += f.getMethod().getName().length() + f.getMethod().getType().getName().length();
        h += f.getLineNumber();
      }
    }
    sink += h;
  }
}
