package dev.ember.exporter;

import java.util.HashMap;
import java.util.Iterator;
import java.util.Map;

/**
 * The sampler's view of what was current on each thread over time: a short history per Java thread
 * id of {@link SpanContextEvent}s and {@link LabelsEvent}s. A sample taken at time t on thread T
 * joins with the last change on T at or before t. Both come from JFR, so they share one clock.
 *
 * <p>Histories keep changes for {@link #RETENTION_NANOS} behind the sampler's watermark (samples of
 * long duration events are looked up at their start) and at most {@link #MAX_CHANGES} per thread.
 * When the change that applied at t has been forgotten, the answer is "unknown" and the sample
 * stays unlinked: a missing link is better than a wrong one. A thread whose last state is "nothing"
 * is forgotten entirely once its history expires. Not thread-safe: the JFR reader thread owns it.
 */
final class ThreadContexts {
  static final long RETENTION_NANOS = 10_000_000_000L;
  static final int MAX_CHANGES = 8192;
  static final int MAX_THREADS = 200_000;

  /** Changes of one kind on one thread, ordered by time. */
  static final class History {
    long[] times = new long[4];
    Object[] values = new Object[4];
    int size;

    /** True once older changes were dropped: lookups before times[0] are then unknown. */
    boolean forgotten;

    void add(long time, Object value) {
      if (size == times.length) {
        if (size >= MAX_CHANGES) {
          dropFirst(size / 2);
        } else {
          times = java.util.Arrays.copyOf(times, size * 2);
          values = java.util.Arrays.copyOf(values, size * 2);
        }
      }
      int i = size;
      // Events mostly arrive in time order; slide back for the rare late one.
      while (i > 0 && times[i - 1] > time) {
        times[i] = times[i - 1];
        values[i] = values[i - 1];
        i--;
      }
      times[i] = time;
      values[i] = value;
      size++;
    }

    /** The value current at {@code time}; {@code fallback} when nothing is known for it. */
    Object at(long time, Object none, Object unknown) {
      int lo = 0;
      int hi = size - 1;
      int found = -1;
      while (lo <= hi) {
        int mid = (lo + hi) >>> 1;
        if (times[mid] <= time) {
          found = mid;
          lo = mid + 1;
        } else {
          hi = mid - 1;
        }
      }
      if (found < 0) {
        return forgotten ? unknown : none;
      }
      return values[found];
    }

    /** Drops changes before {@code cutoff}, keeping the one that still applies at it. */
    void expire(long cutoff) {
      int keepFrom = 0;
      while (keepFrom + 1 < size && times[keepFrom + 1] <= cutoff) {
        keepFrom++;
      }
      if (keepFrom > 0) {
        dropFirst(keepFrom);
      }
    }

    private void dropFirst(int n) {
      System.arraycopy(times, n, times, 0, size - n);
      System.arraycopy(values, n, values, 0, size - n);
      java.util.Arrays.fill(values, size - n, size, null);
      size -= n;
      forgotten = true;
    }

    boolean isIdleAndEmpty(long cutoff, Object none) {
      return size == 0 || (size == 1 && times[0] <= cutoff && values[0] == none);
    }
  }

  static final Object UNKNOWN = new Object();

  private final Map<Long, History> spans = new HashMap<>();
  private final Map<Long, History> labels = new HashMap<>();
  private long droppedThreads;

  void spanChanged(long threadId, long time, SpanIds ids) {
    history(spans, threadId).add(time, ids.isNone() ? SpanIds.NONE : ids);
  }

  void labelsChanged(long threadId, long time, String canonical) {
    history(labels, threadId).add(time, canonical == null ? "" : canonical.intern());
  }

  /** The span current on a thread at a time; {@link SpanIds#NONE} when none or unknown. */
  SpanIds spanAt(long threadId, long time) {
    History h = spans.get(threadId);
    if (h == null) {
      return SpanIds.NONE;
    }
    Object v = h.at(time, SpanIds.NONE, UNKNOWN);
    return v instanceof SpanIds ids ? ids : SpanIds.NONE;
  }

  /** The canonical labels of a thread at a time; "" when none or unknown. */
  String labelsAt(long threadId, long time) {
    History h = labels.get(threadId);
    if (h == null) {
      return "";
    }
    Object v = h.at(time, "", UNKNOWN);
    return v instanceof String s ? s : "";
  }

  /** Forgets what no sample still waiting can need: changes older than the retention. */
  void expire(long watermark) {
    long cutoff = watermark - RETENTION_NANOS;
    expire(spans, cutoff, SpanIds.NONE);
    expire(labels, cutoff, "");
  }

  private static void expire(Map<Long, History> map, long cutoff, Object none) {
    for (Iterator<History> it = map.values().iterator(); it.hasNext(); ) {
      History h = it.next();
      h.expire(cutoff);
      if (h.isIdleAndEmpty(cutoff, none)) {
        it.remove();
      }
    }
  }

  private History history(Map<Long, History> map, long threadId) {
    History h = map.get(threadId);
    if (h == null) {
      if (map.size() >= MAX_THREADS) {
        // Bounded memory: forget an arbitrary thread; its samples become unlinked, never wrong.
        Iterator<Long> it = map.keySet().iterator();
        it.next();
        it.remove();
        droppedThreads++;
      }
      h = new History();
      map.put(threadId, h);
    }
    return h;
  }

  int threadCount() {
    return spans.size() + labels.size();
  }

  long droppedThreads() {
    return droppedThreads;
  }
}
