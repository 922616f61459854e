package dev.ember.exporter;

import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.concurrent.Callable;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Supplier;
import java.util.logging.Level;
import java.util.logging.Logger;
import java.util.regex.Pattern;

/**
 * Custom profiling labels around a block of code: every sample taken on this thread inside the
 * block carries the labels as sample attributes, next to {@code thread.name} and {@code span.name}.
 *
 * <pre>{@code
 * try (EmberLabels.Scope ignored = EmberLabels.with("tenant", tenantId)) {
 *   handle(request);
 * }
 * }</pre>
 *
 * <p>Labels nest (an inner block adds to or overrides the outer labels) and belong to the calling
 * thread: unlike span links, they do not follow tasks handed to other threads. They are bounded so
 * that profiles stay cheap to store and query: keys match {@code [A-Za-z_][A-Za-z0-9_.]*} (at most
 * {@value #MAX_KEY_LENGTH} characters) and must not be {@code thread.name} or {@code span.name}; at
 * most {@value #MAX_LABELS} labels apply at once; values are cut to {@value #MAX_VALUE_LENGTH}
 * characters; each key takes at most {@value #MAX_VALUES_PER_KEY} distinct values per JVM, after
 * which new values become {@value #OVERFLOW_VALUE} (with one warning). Bad keys throw {@link
 * IllegalArgumentException} at the call, which is a programming error in the caller.
 *
 * <p>When profiling is off, a label scope costs a thread-local update and nothing else.
 */
public final class EmberLabels {
  private static final Logger logger = Logger.getLogger(EmberLabels.class.getName());

  public static final int MAX_LABELS = 8;
  public static final int MAX_KEY_LENGTH = 64;
  public static final int MAX_VALUE_LENGTH = 128;
  public static final int MAX_VALUES_PER_KEY = 1000;
  public static final String OVERFLOW_VALUE = "[other]";

  static final char SEPARATOR = '\u001f';
  private static final Pattern KEY = Pattern.compile("[A-Za-z_][A-Za-z0-9_.]*");
  private static final ThreadLocal<String> CURRENT = ThreadLocal.withInitial(() -> "");
  private static final Map<String, Map<String, Boolean>> VALUES = new ConcurrentHashMap<>();
  private static final AtomicBoolean WARNED = new AtomicBoolean();

  static {
    try {
      // Known to JFR before any recording starts, so that no label change is missed.
      jdk.jfr.FlightRecorder.register(LabelsEvent.class);
    } catch (RuntimeException | LinkageError noJfr) {
      // no JFR in this runtime: labels are inert
    }
  }

  private EmberLabels() {}

  /** Closes a label block, restoring the labels that applied before it. */
  public interface Scope extends AutoCloseable {
    @Override
    void close();
  }

  /** Adds one label for the calling thread until the returned scope is closed. */
  public static Scope with(String key, String value) {
    return with(Map.of(Objects.requireNonNull(key, "key"), Objects.requireNonNull(value, "value")));
  }

  /** Adds labels for the calling thread until the returned scope is closed. */
  public static Scope with(Map<String, String> labels) {
    String before = CURRENT.get();
    String after = merge(before, labels);
    if (after.equals(before)) {
      return () -> {};
    }
    CURRENT.set(after);
    emit(after);
    Thread owner = Thread.currentThread();
    return () -> {
      if (Thread.currentThread() == owner && CURRENT.get().equals(after)) {
        CURRENT.set(before);
        emit(before);
      }
    };
  }

  /** Runs {@code body} with the labels added. */
  public static void run(Map<String, String> labels, Runnable body) {
    try (Scope ignored = with(labels)) {
      body.run();
    }
  }

  /** Calls {@code body} with the labels added and returns its result. */
  public static <T> T call(Map<String, String> labels, Callable<T> body) throws Exception {
    try (Scope ignored = with(labels)) {
      return body.call();
    }
  }

  /** Like {@link #call} for bodies that throw no checked exception. */
  public static <T> T get(Map<String, String> labels, Supplier<T> body) {
    try (Scope ignored = with(labels)) {
      return body.get();
    }
  }

  /** The labels of the calling thread in their canonical form, for tests. */
  static String current() {
    return CURRENT.get();
  }

  private static void emit(String labels) {
    try {
      LabelsEvent e = new LabelsEvent();
      if (e.isEnabled()) {
        e.labels = labels;
        e.commit();
      }
    } catch (LinkageError noJfr) {
      // A runtime without the jdk.jfr module: labels cannot reach any profile, and that is fine.
    }
  }

  /** Merges labels into a canonical string: pairs sorted by key, later values win. */
  static String merge(String canonical, Map<String, String> add) {
    TreeMap<String, String> all = decode(canonical);
    for (Map.Entry<String, String> e : add.entrySet()) {
      String key = Objects.requireNonNull(e.getKey(), "label key");
      String value = Objects.requireNonNull(e.getValue(), "label value for " + key);
      if (key.length() > MAX_KEY_LENGTH || !KEY.matcher(key).matches()) {
        throw new IllegalArgumentException(
            "label key '"
                + key
                + "' must match [A-Za-z_][A-Za-z0-9_.]* and be at most "
                + MAX_KEY_LENGTH
                + " characters");
      }
      if (key.equals("thread.name") || key.equals("span.name")) {
        throw new IllegalArgumentException("label key '" + key + "' is reserved by Ember");
      }
      all.put(key, bounded(key, clean(value)));
    }
    if (all.size() > MAX_LABELS) {
      throw new IllegalArgumentException(
          "at most " + MAX_LABELS + " profiling labels can apply at once, got " + all.keySet());
    }
    StringBuilder b = new StringBuilder();
    for (Map.Entry<String, String> e : all.entrySet()) {
      if (b.length() > 0) {
        b.append(SEPARATOR);
      }
      b.append(e.getKey()).append('=').append(e.getValue());
    }
    return b.toString();
  }

  static TreeMap<String, String> decode(String canonical) {
    TreeMap<String, String> out = new TreeMap<>();
    if (canonical == null || canonical.isEmpty()) {
      return out;
    }
    int start = 0;
    while (start <= canonical.length()) {
      int end = canonical.indexOf(SEPARATOR, start);
      if (end < 0) {
        end = canonical.length();
      }
      int eq = canonical.indexOf('=', start);
      if (eq > start && eq < end) {
        out.put(canonical.substring(start, eq), canonical.substring(eq + 1, end));
      }
      start = end + 1;
    }
    return out;
  }

  private static String clean(String value) {
    String v = value.indexOf(SEPARATOR) >= 0 ? value.replace(SEPARATOR, ' ') : value;
    return v.length() > MAX_VALUE_LENGTH ? v.substring(0, MAX_VALUE_LENGTH) : v;
  }

  private static String bounded(String key, String value) {
    Map<String, Boolean> seen = VALUES.computeIfAbsent(key, k -> new ConcurrentHashMap<>());
    if (seen.containsKey(value)) {
      return value;
    }
    if (seen.size() >= MAX_VALUES_PER_KEY) {
      if (WARNED.compareAndSet(false, true)) {
        logger.log(
            Level.WARNING,
            "Profiling label ''{0}'' has more than {1} distinct values; further values are"
                + " recorded as {2}",
            new Object[] {key, MAX_VALUES_PER_KEY, OVERFLOW_VALUE});
      }
      return OVERFLOW_VALUE;
    }
    seen.putIfAbsent(value, Boolean.TRUE);
    return value;
  }
}
