package dev.ember.exporter;

import java.lang.management.ManagementFactory;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Consumer;
import java.util.logging.Level;
import java.util.logging.Logger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import jdk.jfr.EventType;
import jdk.jfr.FlightRecorder;
import jdk.jfr.consumer.EventStream;
import jdk.jfr.consumer.RecordedEvent;
import jdk.jfr.consumer.RecordedFrame;
import jdk.jfr.consumer.RecordedMethod;
import jdk.jfr.consumer.RecordedStackTrace;
import jdk.jfr.consumer.RecordedThread;
import jdk.jfr.consumer.RecordingStream;

/**
 * Reads JFR events in-process with a {@link RecordingStream}, joins each sample with the span and
 * labels current on its thread at its instant ({@link ThreadContexts}), and sums samples into
 * export windows aligned to multiples of the export interval.
 *
 * <p>JFR delivers events up to about a second after they happen and not in time order. Samples
 * therefore wait in a buffer until the stream's watermark (wall clock minus {@link #SLACK}) passes
 * them, so that every context change before them has arrived; a window is handed to {@code sink}
 * once the watermark has passed its end. Duration events (monitor enter, park) join with the
 * context at their start and count in the window where they are delivered if theirs is closed.
 *
 * <p>All callbacks run on the stream's own daemon thread; nothing here runs on application threads.
 */
final class JfrSampler implements AutoCloseable {
  private static final Logger logger = Logger.getLogger(JfrSampler.class.getName());
  static final String CPU_TIME_SAMPLE = "jdk.CPUTimeSample";
  static final String EXECUTION_SAMPLE = "jdk.ExecutionSample";
  static final String ALLOCATION_SAMPLE = "jdk.ObjectAllocationSample";
  static final String MONITOR_ENTER = "jdk.JavaMonitorEnter";
  static final String THREAD_PARK = "jdk.ThreadPark";

  /** JFR flushes about once a second and may deliver an event up to ~1.1 s late. */
  static final Duration SLACK = Duration.ofSeconds(2);

  /** Samples waiting for the watermark; beyond this many, new ones are dropped and counted. */
  static final int MAX_PENDING = 200_000;

  private static final Frame TRUNCATED = new Frame("[truncated]", "", "", 0);
  private static final int METHOD_CACHE_LIMIT = 20_000;
  private static final int STACK_CACHE_LIMIT = 20_000;

  /** Sees every sample as it is joined: lets tests check links against known span intervals. */
  interface JoinListener {
    void joined(ProfileType type, long time, long threadId, Frame[] stack, SpanIds link);
  }

  /** A sample waiting to be joined with its thread's context. */
  private record Pending(
      ProfileType type,
      long time,
      long threadId,
      String threadName,
      Converted stack,
      long value0,
      long value1,
      long period) {}

  private final ProfilingConfig config;
  private final Consumer<WindowAggregator> sink;
  private final TreeMap<Long, WindowAggregator> open = new TreeMap<>();
  private final long windowNanos;
  private final ThreadContexts contexts = new ThreadContexts();
  private final long[] linkScratch = new long[4];
  private final List<Pending> pending = new ArrayList<>();
  private final Map<RecordedMethod, MethodFrames> methods = new IdentityHashMap<>();

  /**
   * JFR's parser hands out one object per distinct stack of a chunk (a chunk spans many flushes),
   * so most samples hit this cache and skip the conversion. Bounded; cleared when full and after
   * each emitted window.
   */
  private final Map<RecordedStackTrace, Converted> stacks = new IdentityHashMap<>();

  private final long lockThresholdNanos;
  private final long blockThresholdNanos;
  private long lastEmittedIndex = Long.MIN_VALUE;
  private long droppedSamples;
  private long lostCpuSamples;
  private boolean periodKnown;
  private long lastPeriodTicks;
  private long lastPeriodNanos;
  private RecordingStream stream;
  private String cpuEvent;
  private volatile JoinListener joinListener;
  private boolean closed;

  JfrSampler(ProfilingConfig config, Consumer<WindowAggregator> sink) {
    this.config = config;
    this.sink = sink;
    this.windowNanos = config.exportInterval().toNanos();
    this.lockThresholdNanos = config.lockThreshold().toNanos();
    this.blockThresholdNanos = config.blockThreshold().toNanos();
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

  /**
   * Starts the recording stream. Throws {@link IllegalStateException} with the reason when JFR is
   * unavailable or disabled in this JVM.
   */
  void start() {
    if (!FlightRecorder.isAvailable()) {
      throw new IllegalStateException(
          "JFR is not available in this JVM (disabled with -XX:-FlightRecorder, or not supported)");
    }
    // Register our events before the recording starts: a class JFR first sees while the recording
    // runs may miss its first commits while the settings catch up.
    FlightRecorder.register(SpanContextEvent.class);
    FlightRecorder.register(LabelsEvent.class);
    stream = new RecordingStream();
    stream.setReuse(true);
    // Unordered is cheaper to parse, and joining needs no order (see advance).
    stream.setOrdered(false);
    String cpu = null;
    if (config.enabled(ProfileType.CPU)) {
      Duration interval = config.cpuInterval();
      if (hasCpuTimeSampler()) {
        cpu = CPU_TIME_SAMPLE;
        stream.enable(CPU_TIME_SAMPLE).with("throttle", interval.toMillis() + "ms");
        stream.enable("jdk.CPUTimeSamplesLost");
      } else {
        cpu = EXECUTION_SAMPLE;
        stream.enable(EXECUTION_SAMPLE).withPeriod(interval);
      }
    }
    if (config.enabled(ProfileType.ALLOC)) {
      stream
          .enable(ALLOCATION_SAMPLE)
          .with("throttle", config.allocationRate() + "/s")
          .withStackTrace();
    }
    if (config.enabled(ProfileType.MUTEX)) {
      stream.enable(MONITOR_ENTER).withThreshold(config.lockThreshold()).withStackTrace();
    }
    if (config.enabled(ProfileType.BLOCK)) {
      stream.enable(THREAD_PARK).withThreshold(config.blockThreshold()).withStackTrace();
    }
    stream.enable(SpanContextEvent.NAME);
    stream.enable(LabelsEvent.NAME);
    subscribe(stream, cpu);
    stream.onFlush(this::onFlush);
    stream.onError(t -> logger.log(Level.WARNING, "JFR stream error; profiling continues", t));
    startRecordingOnADaemonThread(stream);
    TrackingContextStorage.setActive(true);
    warnIfJfrStackDepthIsLower(config.stackDepth());
    logger.log(Level.FINE, "Ember profiling started: {0}", config);
  }

  /**
   * Registers the callbacks for the configured profile types on a stream: the live recording
   * stream, or a recording file that a benchmark or test replays. {@code cpu} is the CPU event to
   * read ({@link #CPU_TIME_SAMPLE} or {@link #EXECUTION_SAMPLE}), null without CPU profiling.
   */
  void subscribe(EventStream s, String cpu) {
    cpuEvent = cpu;
    if (cpu != null) {
      s.onEvent(cpu, this::onCpuSample);
      if (cpu.equals(CPU_TIME_SAMPLE)) {
        s.onEvent("jdk.CPUTimeSamplesLost", e -> lostCpuSamples += e.getLong("lostSamples"));
      }
    }
    if (config.enabled(ProfileType.ALLOC)) {
      s.onEvent(ALLOCATION_SAMPLE, this::onAllocation);
    }
    if (config.enabled(ProfileType.MUTEX)) {
      s.onEvent(MONITOR_ENTER, e -> onLock(ProfileType.MUTEX, e));
    }
    if (config.enabled(ProfileType.BLOCK)) {
      s.onEvent(THREAD_PARK, e -> onLock(ProfileType.BLOCK, e));
    }
    s.onEvent(SpanContextEvent.NAME, this::onSpanContext);
    s.onEvent(LabelsEvent.NAME, this::onLabels);
  }

  /**
   * Runs the stream on a daemon thread (JFR's own {@code startAsync} thread is not a daemon and
   * would keep the application from exiting) and returns once the recording runs, so that events
   * written right after {@link #start} are recorded: our own event type turns enabled then.
   */
  private static void startRecordingOnADaemonThread(RecordingStream stream) {
    java.util.concurrent.atomic.AtomicReference<RuntimeException> failure =
        new java.util.concurrent.atomic.AtomicReference<>();
    Thread reader =
        new Thread(
            () -> {
              try {
                stream.start();
              } catch (RuntimeException e) {
                failure.set(e);
                logger.log(Level.FINE, "JFR stream ended with an error", e);
              }
            },
            "ember-jfr-reader");
    reader.setDaemon(true);
    reader.start();
    long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
    while (!new SpanContextEvent().isEnabled() && System.nanoTime() < deadline) {
      if (!reader.isAlive()) {
        RuntimeException e = failure.get();
        throw e != null ? e : new IllegalStateException("the JFR stream stopped at once");
      }
      try {
        Thread.sleep(2);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      }
    }
  }

  String cpuEvent() {
    return cpuEvent;
  }

  void setJoinListener(JoinListener listener) {
    this.joinListener = listener;
  }

  long droppedSamples() {
    return droppedSamples;
  }

  private synchronized void onSpanContext(RecordedEvent e) {
    RecordedThread t = e.getThread();
    if (t == null) {
      return;
    }
    long time = nanos(e.getStartTime());
    // Each field read walks the event's field list by name (and allocates an iterator): for a
    // change to "no span" (about a third of them) the span id alone says all.
    long spanId = e.getLong("spanId");
    if (spanId == 0) {
      contexts.spanChanged(t.getJavaThreadId(), time, 0, 0, 0, 0);
    } else {
      contexts.spanChanged(
          t.getJavaThreadId(),
          time,
          e.getLong("traceIdHigh"),
          e.getLong("traceIdLow"),
          spanId,
          e.getLong("localRootSpanId"));
    }
  }

  private synchronized void onLabels(RecordedEvent e) {
    RecordedThread t = e.getThread();
    if (t != null) {
      contexts.labelsChanged(t.getJavaThreadId(), nanos(e.getStartTime()), e.getString("labels"));
    }
  }

  private void onCpuSample(RecordedEvent e) {
    try {
      long period;
      RecordedThread thread;
      if (cpuEvent.equals(CPU_TIME_SAMPLE)) {
        if (e.getBoolean("failed")) {
          return;
        }
        period = samplingPeriodNanos(e);
        thread = e.getThread("eventThread");
      } else {
        period = config.cpuInterval().toNanos();
        thread = e.getThread("sampledThread");
      }
      add(ProfileType.CPU, e, thread, period, 0, period);
    } catch (RuntimeException ex) {
      logger.log(Level.FINE, "skipped a malformed JFR sample", ex);
    }
  }

  /**
   * The CPU-time sample's period in nanoseconds. The field is in JFR ticks, which only the parser
   * can convert, and {@link RecordedEvent#getDuration(String)} builds a proxy of the field's
   * {@code @Timespan} annotation on every call: so convert once per distinct raw value (the
   * throttle's period, the same for every sample) and again after each flush, to be safe.
   */
  private long samplingPeriodNanos(RecordedEvent e) {
    long raw = e.getLong("samplingPeriod");
    if (!periodKnown || raw != lastPeriodTicks) {
      lastPeriodNanos = e.getDuration("samplingPeriod").toNanos();
      lastPeriodTicks = raw;
      periodKnown = true;
    }
    return lastPeriodNanos;
  }

  private void onAllocation(RecordedEvent e) {
    try {
      add(ProfileType.ALLOC, e, e.getThread("eventThread"), e.getLong("weight"), 1, 0);
    } catch (RuntimeException ex) {
      logger.log(Level.FINE, "skipped a malformed JFR sample", ex);
    }
  }

  private void onLock(ProfileType type, RecordedEvent e) {
    try {
      long delay = e.getDuration().toNanos();
      if (delay < (type == ProfileType.BLOCK ? blockThresholdNanos : lockThresholdNanos)) {
        return; // enabled at a lower threshold by another recording in this JVM
      }
      add(type, e, e.getThread("eventThread"), 1, delay, 0);
    } catch (RuntimeException ex) {
      logger.log(Level.FINE, "skipped a malformed JFR sample", ex);
    }
  }

  private synchronized void add(
      ProfileType type, RecordedEvent e, RecordedThread thread, long v0, long v1, long period) {
    RecordedStackTrace st = e.getStackTrace();
    if (st == null || thread == null || closed) {
      return;
    }
    if (pending.size() >= MAX_PENDING) {
      droppedSamples++;
      return;
    }
    Converted stack = stacks.get(st);
    if (stack == null) {
      stack = convert(st);
      if (stacks.size() >= STACK_CACHE_LIMIT) {
        stacks.clear();
      }
      stacks.put(st, stack);
    }
    String name = thread.getJavaName();
    pending.add(
        new Pending(
            type,
            nanos(e.getStartTime()),
            thread.getJavaThreadId(),
            name == null ? "" : name,
            stack,
            v0,
            v1,
            period));
  }

  /**
   * A JFR stack converted to our frames, cut to the configured depth; {@code marked} is what gets
   * aggregated: the frames plus a {@code [truncated]} root when the stack was cut (JFR's depth
   * limit or ours), so a cut stack is never hidden. Built once per distinct stack, so the window
   * can recognise it by identity.
   */
  private record Converted(Frame[] frames, Frame[] marked, boolean truncated) {}

  private Converted convert(RecordedStackTrace st) {
    List<RecordedFrame> frames = st.getFrames();
    int depth = Math.min(frames.size(), config.stackDepth());
    Frame[] stack = new Frame[depth];
    for (int i = 0; i < depth; i++) {
      stack[i] = frame(frames.get(i));
    }
    boolean truncated = st.isTruncated() || frames.size() > depth;
    Frame[] marked = stack;
    if (truncated) {
      marked = java.util.Arrays.copyOf(stack, depth + 1);
      marked[depth] = TRUNCATED;
    }
    return new Converted(stack, marked, truncated);
  }

  private Frame frame(RecordedFrame f) {
    RecordedMethod m = f.getMethod();
    MethodFrames frames = methods.get(m);
    if (frames == null) {
      if (methods.size() >= METHOD_CACHE_LIMIT) {
        methods.clear();
      }
      String type = FrameNames.stableType(m.getType().getName()).replace('.', '/');
      String name = type + "." + m.getName();
      frames = new MethodFrames(name, name + m.getDescriptor(), fileName(type));
      methods.put(m, frames);
    }
    return frames.at(Math.max(f.getLineNumber(), 0));
  }

  /**
   * The names of one method and its frames by line. Stacks are converted again in every window, but
   * their frames stay the same objects as long as the method is cached: far fewer objects that live
   * for a window, which the garbage collector would copy again and again.
   */
  private static final class MethodFrames {
    static final int MAX_LINES_PER_METHOD = 64;

    final String name;
    final String systemName;
    final String fileName;
    private int[] lines = new int[2];
    private Frame[] frames = new Frame[2];
    private int size;

    MethodFrames(String name, String systemName, String fileName) {
      this.name = name;
      this.systemName = systemName;
      this.fileName = fileName;
    }

    Frame at(int line) {
      for (int i = 0; i < size; i++) {
        if (lines[i] == line) {
          return frames[i];
        }
      }
      if (size == MAX_LINES_PER_METHOD) {
        return new Frame(name, systemName, fileName, line); // bounded: rare huge methods
      }
      if (size == lines.length) {
        lines = java.util.Arrays.copyOf(lines, size * 2);
        frames = java.util.Arrays.copyOf(frames, size * 2);
      }
      Frame frame = new Frame(name, systemName, fileName, line);
      lines[size] = line;
      frames[size] = frame;
      size++;
      return frame;
    }
  }

  /** JFR has no source file: derive it from the outermost class, as javac names files. */
  static String fileName(String internalType) {
    int dollar = internalType.indexOf('$');
    String outer = dollar < 0 ? internalType : internalType.substring(0, dollar);
    return outer + ".java";
  }

  static long nanos(Instant t) {
    return t.getEpochSecond() * 1_000_000_000L + t.getNano();
  }

  private WindowAggregator windowFor(long nanos) {
    long index = Math.floorDiv(nanos, windowNanos);
    if (index <= lastEmittedIndex) {
      index = lastEmittedIndex + 1; // its own window is already sent: count it in the next one
    }
    WindowAggregator w = open.get(index);
    if (w == null) {
      w = new WindowAggregator(index * windowNanos, (index + 1) * windowNanos);
      open.put(index, w);
    }
    return w;
  }

  private void onFlush() {
    periodKnown = false;
    try {
      advance(System.currentTimeMillis() * 1_000_000L - SLACK.toNanos());
    } catch (RuntimeException ex) {
      logger.log(Level.WARNING, "Ember profiling: a window could not be built", ex);
    }
  }

  /** Joins the samples the watermark has passed and emits the windows it has closed. */
  synchronized void advance(long watermark) {
    // Joining needs no order: a sample finds the change current on its thread, and its window, by
    // its own time. Those the watermark has not passed stay, in the order they came.
    int kept = 0;
    for (int i = 0; i < pending.size(); i++) {
      Pending p = pending.get(i);
      if (p.time() <= watermark) {
        join(p);
      } else {
        pending.set(kept++, p);
      }
    }
    pending.subList(kept, pending.size()).clear();
    while (!open.isEmpty() && open.firstEntry().getValue().endEpochNanos() <= watermark) {
      Map.Entry<Long, WindowAggregator> first = open.pollFirstEntry();
      lastEmittedIndex = first.getKey();
      emit(first.getValue());
      forgetConversions();
    }
    contexts.expire(watermark);
    if (droppedSamples > 0) {
      logger.log(
          Level.WARNING,
          "Ember profiling: dropped {0} samples (JFR delivered them faster than they could be"
              + " joined)",
          droppedSamples);
      droppedSamples = 0;
    }
  }

  private void join(Pending p) {
    WindowAggregator w = windowFor(p.time());
    int[] stack = w.stack(p.stack().marked());
    if (p.stack().truncated()) {
      w.countTruncated();
    }
    long[] ids = linkScratch;
    boolean linked = contexts.spanAt(p.threadId(), p.time(), ids);
    JoinListener listener = joinListener;
    if (listener != null) {
      SpanIds link = linked ? new SpanIds(ids[0], ids[1], ids[2], ids[3]) : SpanIds.NONE;
      listener.joined(p.type(), p.time(), p.threadId(), p.stack().frames(), link);
    }
    String spanName = linked ? LocalRootSpans.rootName(ids[3]) : null;
    String labels = contexts.labelsAt(p.threadId(), p.time());
    w.add(
        p.type(),
        stack,
        p.threadName(),
        ids[0],
        ids[1],
        ids[2],
        ids[3],
        spanName,
        labels,
        p.value0(),
        p.value1());
    if (p.type() == ProfileType.CPU) {
      w.setPeriod(SampleKind.CPU, p.period());
    }
  }

  /**
   * Empties the conversion caches once per window. The parser keeps a stack or method object for
   * the whole chunk it came from (across its one-second flushes), so the caches hit for many
   * flushes; emptying them now and then lets the objects of finished chunks go.
   */
  private void forgetConversions() {
    stacks.clear();
    if (methods.size() > 4096) {
      methods.clear();
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

  private static final Pattern STACK_DEPTH_FLAG = Pattern.compile("stackdepth=(\\d+)");

  /** JFR records at most 64 frames unless the JVM was started with a larger stackdepth. */
  private static void warnIfJfrStackDepthIsLower(int wanted) {
    int jvmDepth = 64;
    try {
      for (String arg : ManagementFactory.getRuntimeMXBean().getInputArguments()) {
        if (arg.startsWith("-XX:FlightRecorderOptions")) {
          Matcher m = STACK_DEPTH_FLAG.matcher(arg);
          if (m.find()) {
            jvmDepth = Integer.parseInt(m.group(1));
          }
        }
      }
    } catch (RuntimeException | LinkageError e) {
      return; // no management API: nothing to compare with
    }
    if (wanted > jvmDepth) {
      logger.log(
          Level.WARNING,
          "{0}={1} but JFR records at most {2} frames in this JVM: start it with"
              + " -XX:FlightRecorderOptions:stackdepth={1} (deeper stacks are marked [truncated])",
          new Object[] {ProfilingConfig.STACK_DEPTH, wanted, jvmDepth});
    }
  }

  /** Stops the stream and hands over every sample and window still held. */
  @Override
  public void close() {
    TrackingContextStorage.setActive(false);
    if (stream != null) {
      stream.close();
      try {
        // Let the reader thread finish its last callback before we touch the windows.
        stream.awaitTermination(Duration.ofSeconds(5));
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      // On JDK 17 a callback may still be running after awaitTermination: the lock orders them.
      synchronized (this) {
        advance(Long.MAX_VALUE);
        closed = true;
      }
    }
  }
}
