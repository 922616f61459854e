package dev.ember.exporter;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Sums the samples of one export window by identity: (kind, stack, thread name). Frames are
 * interned into small integer ids so a stack is an {@code int[]} and equal stacks hash to one
 * entry. Not thread-safe: the JFR reader thread owns it until the window is handed to the encoder.
 */
final class WindowAggregator {

  /** A sample identity; the stack is leaf first. */
  record Key(SampleKind kind, int[] stack, String threadName) {
    @Override
    public boolean equals(Object o) {
      return o instanceof Key k
          && k.kind == kind
          && Arrays.equals(k.stack, stack)
          && k.threadName.equals(threadName);
    }

    @Override
    public int hashCode() {
      return (kind.hashCode() * 31 + Arrays.hashCode(stack)) * 31 + threadName.hashCode();
    }
  }

  private final long startEpochNanos;
  private final long endEpochNanos;
  private final Map<Frame, Integer> frameIds;
  private final List<Frame> frames;
  private final Map<Key, long[]> sums = new HashMap<>();
  private final long[] periods = new long[SampleKind.values().length];
  private int truncatedStacks;

  WindowAggregator(long startEpochNanos, long endEpochNanos) {
    this(startEpochNanos, endEpochNanos, new HashMap<>(), new ArrayList<>());
  }

  private WindowAggregator(
      long startEpochNanos, long endEpochNanos, Map<Frame, Integer> frameIds, List<Frame> frames) {
    this.startEpochNanos = startEpochNanos;
    this.endEpochNanos = endEpochNanos;
    this.frameIds = frameIds;
    this.frames = frames;
  }

  int frameId(Frame frame) {
    Integer id = frameIds.get(frame);
    if (id == null) {
      id = frames.size();
      frames.add(frame);
      frameIds.put(frame, id);
    }
    return id;
  }

  void add(SampleKind kind, int[] stack, String threadName, long value, long period) {
    sums.computeIfAbsent(new Key(kind, stack, threadName), k -> new long[1])[0] += value;
    periods[kind.ordinal()] = period;
  }

  void countTruncated() {
    truncatedStacks++;
  }

  boolean isEmpty() {
    return sums.isEmpty();
  }

  long startEpochNanos() {
    return startEpochNanos;
  }

  long endEpochNanos() {
    return endEpochNanos;
  }

  Map<Key, long[]> sums() {
    return sums;
  }

  Frame frame(int id) {
    return frames.get(id);
  }

  long period(SampleKind kind) {
    return periods[kind.ordinal()];
  }

  int truncatedStacks() {
    return truncatedStacks;
  }
}
