package dev.ember.exporter;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Consumer;
import java.util.logging.Level;
import java.util.logging.Logger;
import jdk.jfr.EventType;
import jdk.jfr.FlightRecorder;
import jdk.jfr.consumer.RecordedEvent;
import jdk.jfr.consumer.RecordedFrame;
import jdk.jfr.consumer.RecordedMethod;
import jdk.jfr.consumer.RecordedStackTrace;
import jdk.jfr.consumer.RecordedThread;
import jdk.jfr.consumer.RecordingStream;

/**
 * Reads JFR samples in-process with a {@link RecordingStream} and sums them into export windows
 * aligned to multiples of the export interval. A window is handed to {@code sink} once the stream
 * has moved past its end by {@link #SLACK}: JFR delivers events about a second after they happen.
 *
 * <p>All callbacks run on the stream's own thread; nothing here runs on application threads.
 */
final class JfrSampler implements AutoCloseable {
  private static final Logger logger = Logger.getLogger(JfrSampler.class.getName());
  static final String CPU_TIME_SAMPLE = "jdk.CPUTimeSample";
  static final String EXECUTION_SAMPLE = "jdk.ExecutionSample";

  /** JFR flushes about once a second and may deliver an event up to ~1.1 s late. */
  static final Duration SLACK = Duration.ofSeconds(2);

  private final ProfilingConfig config;
  private final Consumer<WindowAggregator> sink;
  private final TreeMap<Long, WindowAggregator> open = new TreeMap<>();
  private final long windowNanos;
  private RecordingStream stream;
  private String cpuEvent;

  JfrSampler(ProfilingConfig config, Consumer<WindowAggregator> sink) {
    this.config = config;
    this.sink = sink;
    this.windowNanos = config.exportInterval().toNanos();
  }

  /** True when the JVM has the JDK 25+ CPU-time sampler (Linux). */
  static boolean hasCpuTimeSampler() {
    for (EventType t : FlightRecorder.getFlightRecorder().getEventTypes()) {
      if (t.getName().equals(CPU_TIME_SAMPLE)) {
        return true;
      }
    }
    return false;
  }

  void start() {
    stream = new RecordingStream();
    stream.setReuse(true);
    stream.setOrdered(true);
    Duration interval = config.cpuInterval();
    if (hasCpuTimeSampler()) {
      cpuEvent = CPU_TIME_SAMPLE;
      stream.enable(CPU_TIME_SAMPLE).with("throttle", interval.toMillis() + "ms");
    } else {
      cpuEvent = EXECUTION_SAMPLE;
      stream.enable(EXECUTION_SAMPLE).withPeriod(interval);
    }
    stream.onEvent(cpuEvent, this::onCpuSample);
    stream.onFlush(this::onFlush);
    stream.onError(t -> logger.log(Level.WARNING, "JFR stream error; profiling continues", t));
    stream.startAsync();
    logger.log(Level.FINE, "Ember profiling started with {0}", cpuEvent);
  }

  String cpuEvent() {
    return cpuEvent;
  }

  private void onCpuSample(RecordedEvent e) {
    try {
      RecordedStackTrace st = e.getStackTrace();
      if (st == null) {
        return;
      }
      long period;
      RecordedThread thread;
      if (cpuEvent.equals(CPU_TIME_SAMPLE)) {
        if (e.getBoolean("failed")) {
          return;
        }
        period = e.getDuration("samplingPeriod").toNanos();
        thread = e.getThread("eventThread");
      } else {
        period = config.cpuInterval().toNanos();
        thread = e.getThread("sampledThread");
      }
      WindowAggregator window = windowFor(e.getStartTime());
      int[] stack = stack(window, st);
      String threadName =
          thread == null || thread.getJavaName() == null ? "" : thread.getJavaName();
      window.add(SampleKind.CPU, stack, threadName, period, period);
    } catch (RuntimeException ex) {
      logger.log(Level.FINE, "skipped a malformed JFR sample", ex);
    }
  }

  private int[] stack(WindowAggregator window, RecordedStackTrace st) {
    List<RecordedFrame> frames = st.getFrames();
    boolean truncated = st.isTruncated();
    int[] ids = new int[frames.size() + (truncated ? 1 : 0)];
    for (int i = 0; i < frames.size(); i++) {
      ids[i] = window.frameId(frame(frames.get(i)));
    }
    if (truncated) {
      // JFR cut the stack at its depth limit: say so with a root frame instead of hiding it.
      ids[ids.length - 1] = window.frameId(new Frame("[truncated]", "", "", 0));
      window.countTruncated();
    }
    return ids;
  }

  static Frame frame(RecordedFrame f) {
    RecordedMethod m = f.getMethod();
    String type = m.getType().getName().replace('.', '/');
    String name = type + "." + m.getName();
    int line = f.getLineNumber();
    return new Frame(name, name + m.getDescriptor(), fileName(type), Math.max(line, 0));
  }

  /** JFR has no source file: derive it from the outermost class, as javac names files. */
  static String fileName(String internalType) {
    int dollar = internalType.indexOf('$');
    String outer = dollar < 0 ? internalType : internalType.substring(0, dollar);
    return outer + ".java";
  }

  private WindowAggregator windowFor(Instant t) {
    long nanos = t.getEpochSecond() * 1_000_000_000L + t.getNano();
    long index = Math.floorDiv(nanos, windowNanos);
    WindowAggregator w = open.get(index);
    if (w == null) {
      Map.Entry<Long, WindowAggregator> first = open.firstEntry();
      if (first != null && index < first.getKey()) {
        return first.getValue(); // later than its window's flush: keep it in the oldest open one
      }
      w = new WindowAggregator(index * windowNanos, (index + 1) * windowNanos);
      open.put(index, w);
    }
    return w;
  }

  private void onFlush() {
    long now = System.currentTimeMillis() * 1_000_000L;
    long slack = SLACK.toNanos();
    while (!open.isEmpty() && open.firstEntry().getValue().endEpochNanos() + slack <= now) {
      emit(open.pollFirstEntry().getValue());
    }
  }

  private void emit(WindowAggregator w) {
    if (w.isEmpty()) {
      return;
    }
    try {
      sink.accept(w);
    } catch (RuntimeException ex) {
      logger.log(Level.WARNING, "dropped a profile window", ex);
    }
  }

  /** Stops the stream and hands over every window still open. */
  @Override
  public void close() {
    if (stream != null) {
      stream.close();
      try {
        // Let the reader thread finish its last callback before we touch the windows.
        stream.awaitTermination(Duration.ofSeconds(5));
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      while (!open.isEmpty()) {
        emit(open.pollFirstEntry().getValue());
      }
    }
  }
}
