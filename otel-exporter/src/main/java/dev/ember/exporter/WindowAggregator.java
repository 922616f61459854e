package dev.ember.exporter;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Sums the samples of one export window by identity: (profile type, stack, thread name, span link,
 * local root span name, custom labels), the OTLP sample identity. Frames are interned into small
 * integer ids so a stack is an {@code int[]} and equal stacks hash to one entry. Not thread-safe:
 * the JFR reader thread owns it until the window is handed to the encoder.
 */
final class WindowAggregator {

  /** A sample identity; the stack is leaf first; labels are in {@link EmberLabels}' form. */
  record Key(
      ProfileType type,
      int[] stack,
      String threadName,
      SpanIds link,
      String spanName,
      String labels) {
    Key {
      Objects.requireNonNull(threadName, "threadName");
      Objects.requireNonNull(labels, "labels");
    }

    @Override
    public boolean equals(Object o) {
      return o instanceof Key k
          && k.type == type
          && Arrays.equals(k.stack, stack)
          && k.threadName.equals(threadName)
          && k.link.sameSpan(link)
          && Objects.equals(k.spanName, spanName)
          && k.labels.equals(labels);
    }

    @Override
    public int hashCode() {
      int h = type.hashCode() * 31 + Arrays.hashCode(stack);
      h = h * 31 + threadName.hashCode();
      h = h * 31 + Long.hashCode(link.spanId());
      h = h * 31 + Objects.hashCode(spanName);
      return h * 31 + labels.hashCode();
    }
  }

  private final long startEpochNanos;
  private final long endEpochNanos;
  private final Map<Frame, Integer> frameIds = new HashMap<>();
  private final List<Frame> frames = new ArrayList<>();

  /**
   * The sampler hands in one array per distinct stack it converted, so most samples find their
   * stack here by identity instead of looking up each frame. Arrays are never changed once given.
   */
  private final Map<Frame[], int[]> stackIds = new IdentityHashMap<>();

  private final Map<Key, long[]> sums = new HashMap<>();
  private final long[] periods = new long[SampleKind.values().length];
  private long allocationSamples;
  private long allocationBytes;
  private int truncatedStacks;
  private long samples;

  WindowAggregator(long startEpochNanos, long endEpochNanos) {
    this.startEpochNanos = startEpochNanos;
    this.endEpochNanos = endEpochNanos;
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

  /** The frame ids of a stack, leaf first; the array must not be changed afterwards. */
  int[] stack(Frame[] leafFirst) {
    int[] known = stackIds.get(leafFirst);
    if (known != null) {
      return known;
    }
    int[] ids = new int[leafFirst.length];
    for (int i = 0; i < ids.length; i++) {
      ids[i] = frameId(leafFirst[i]);
    }
    stackIds.put(leafFirst, ids);
    return ids;
  }

  /**
   * Adds one sample; {@code values} holds one value per {@link SampleKind} of the type, in the
   * order of {@link ProfileType#kinds}.
   */
  void add(Key key, long... values) {
    long[] sum = sums.computeIfAbsent(key, k -> new long[k.type().kinds.size()]);
    for (int i = 0; i < sum.length; i++) {
      sum[i] += values[i];
    }
    samples++;
    if (key.type() == ProfileType.ALLOC) {
      allocationSamples++;
      allocationBytes += values[0];
    }
  }

  void setPeriod(SampleKind kind, long period) {
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

  /**
   * The sampling period of a kind: the CPU interval for CPU; for allocations, the mean bytes per
   * sample in this window (JFR throttles by rate, so there is no fixed byte period); 1 for locks,
   * which are threshold events counted one by one.
   */
  long period(SampleKind kind) {
    switch (kind) {
      case ALLOC_SPACE:
      case ALLOC_OBJECTS:
        return allocationSamples == 0 ? 0 : allocationBytes / allocationSamples;
      case CPU:
        return periods[kind.ordinal()];
      default:
        return 1;
    }
  }

  int truncatedStacks() {
    return truncatedStacks;
  }

  long sampleCount() {
    return samples;
  }
}
