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

  /**
   * Changes of one kind on one thread, ordered by time. A span change is four longs in {@code
   * longs} (span id first: 0 means no span), so the span history holds no object per change: these
   * live for the whole retention, and young objects that live that long are what the garbage
   * collector copies again and again. A labels change is its canonical string in {@code values}.
   */
  static final class History {
    static final int SPAN_LONGS = 4;

    final int stride;
    long[] times = new long[4];
    long[] longs;
    Object[] values;
    int size;

    /** True once older changes were dropped: lookups before times[0] are then unknown. */
    boolean forgotten;

    /** {@code stride} longs per change, or 0 for one object per change. */
    History(int stride) {
      this.stride = stride;
      if (stride > 0) {
        longs = new long[4 * stride];
      } else {
        values = new Object[4];
      }
    }

    /** Makes room at the end and slides later changes back; returns the new change's index. */
    private int insert(long time) {
      if (size == times.length) {
        if (size >= MAX_CHANGES) {
          dropFirst(size / 2);
        } else {
          times = java.util.Arrays.copyOf(times, size * 2);
          if (longs != null) {
            longs = java.util.Arrays.copyOf(longs, size * 2 * stride);
          } else {
            values = java.util.Arrays.copyOf(values, size * 2);
          }
        }
      }
      int i = size;
      // Events mostly arrive in time order; slide back for the rare late one.
      while (i > 0 && times[i - 1] > time) {
        times[i] = times[i - 1];
        if (longs != null) {
          System.arraycopy(longs, (i - 1) * stride, longs, i * stride, stride);
        } else {
          values[i] = values[i - 1];
        }
        i--;
      }
      times[i] = time;
      size++;
      return i;
    }

    void add(long time, Object value) {
      values[insert(time)] = value;
    }

    void add(long time, long a, long b, long c, long d) {
      int at = insert(time) * stride;
      longs[at] = a;
      longs[at + 1] = b;
      longs[at + 2] = c;
      longs[at + 3] = d;
    }

    /** The index of the change current at {@code time}: -1 when none, -2 when unknown. */
    int at(long time) {
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
        return forgotten ? -2 : -1;
      }
      return found;
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
      if (longs != null) {
        System.arraycopy(longs, n * stride, longs, 0, (size - n) * stride);
      } else {
        System.arraycopy(values, n, values, 0, size - n);
        java.util.Arrays.fill(values, size - n, size, null);
      }
      size -= n;
      forgotten = true;
    }

    /** Nothing left that a sample could need: no change, or one old change to "nothing". */
    boolean isIdleAndEmpty(long cutoff) {
      if (size == 0) {
        return true;
      }
      boolean nothing = longs != null ? longs[0] == 0 : "".equals(values[0]);
      return size == 1 && times[0] <= cutoff && nothing;
    }
  }

  private final Map<Long, History> spans = new HashMap<>();
  private final Map<Long, History> labels = new HashMap<>();
  private long droppedThreads;

  /** A span change; {@code spanId} 0 means no sampled span (the other ids are then ignored). */
  void spanChanged(
      long threadId, long time, long traceIdHigh, long traceIdLow, long spanId, long root) {
    History h = history(spans, threadId, History.SPAN_LONGS);
    if (spanId == 0) {
      h.add(time, 0, 0, 0, 0);
    } else {
      h.add(time, spanId, traceIdHigh, traceIdLow, root);
    }
  }

  void labelsChanged(long threadId, long time, String canonical) {
    history(labels, threadId, 0).add(time, canonical == null ? "" : canonical.intern());
  }

  /** The span current on a thread at a time; {@link SpanIds#NONE} when none or unknown. */
  SpanIds spanAt(long threadId, long time) {
    long[] ids = new long[4];
    return spanAt(threadId, time, ids) ? new SpanIds(ids[0], ids[1], ids[2], ids[3]) : SpanIds.NONE;
  }

  /**
   * The span current on a thread at a time, without an object per lookup: writes trace id high,
   * trace id low, span id and local root span id into {@code out}, all zero (and returns false)
   * when none or unknown.
   */
  boolean spanAt(long threadId, long time, long[] out) {
    History h = spans.get(threadId);
    int i = h == null ? -1 : h.at(time);
    int at = i * History.SPAN_LONGS;
    long[] l = i < 0 ? null : h.longs;
    if (l == null || l[at] == 0) {
      java.util.Arrays.fill(out, 0, 4, 0L);
      return false;
    }
    out[0] = l[at + 1];
    out[1] = l[at + 2];
    out[2] = l[at];
    out[3] = l[at + 3];
    return true;
  }

  /** The canonical labels of a thread at a time; "" when none or unknown. */
  String labelsAt(long threadId, long time) {
    History h = labels.get(threadId);
    if (h == null) {
      return "";
    }
    int i = h.at(time);
    return i < 0 ? "" : (String) h.values[i];
  }

  /** Forgets what no sample still waiting can need: changes older than the retention. */
  void expire(long watermark) {
    long cutoff = watermark - RETENTION_NANOS;
    expire(spans, cutoff);
    expire(labels, cutoff);
  }

  private static void expire(Map<Long, History> map, long cutoff) {
    for (Iterator<History> it = map.values().iterator(); it.hasNext(); ) {
      History h = it.next();
      h.expire(cutoff);
      if (h.isIdleAndEmpty(cutoff)) {
        it.remove();
      }
    }
  }

  private History history(Map<Long, History> map, long threadId, int stride) {
    History h = map.get(threadId);
    if (h == null) {
      if (map.size() >= MAX_THREADS) {
        // Bounded memory: forget an arbitrary thread; its samples become unlinked, never wrong.
        Iterator<Long> it = map.keySet().iterator();
        it.next();
        it.remove();
        droppedThreads++;
      }
      h = new History(stride);
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
