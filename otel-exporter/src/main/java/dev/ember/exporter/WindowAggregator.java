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

  /** One array per distinct stack content, so rows compare stacks by identity. */
  private final Map<IntArrayKey, int[]> canonicalStacks = new HashMap<>();

  /*
   * The sums, one row per sample identity, in columns. Why not a map of keys: in a window nearly
   * every sample has its own span, so a map held four small objects per sample (key, link, values,
   * entry) for the whole window; young collections copied each of them again and again until the
   * window was sent. Columns are a few arrays whatever the number of samples. {@link #sums()} builds
   * the map view once, when the window is encoded.
   */
  private int rows;
  private int[] typeOrdinals = new int[64];
  private int[][] stacks = new int[64][];
  private String[] threadNames = new String[64];
  private String[] spanNames = new String[64];
  private String[] labelSets = new String[64];
  private long[] links = new long[64 * 4]; // trace id high, low, span id, local root span id
  private long[] values = new long[64 * 2];

  /** Open addressing over row numbers (row + 1; 0 is empty); its length is a power of two. */
  private int[] slots = new int[128];

  private Map<Key, long[]> sumsView;
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
    ids = canonical(ids);
    stackIds.put(leafFirst, ids);
    return ids;
  }

  private int[] canonical(int[] ids) {
    int[] known = canonicalStacks.putIfAbsent(new IntArrayKey(ids), ids);
    return known != null ? known : ids;
  }

  /**
   * Adds one sample; {@code values} holds one value per {@link SampleKind} of the type, in the
   * order of {@link ProfileType#kinds}.
   */
  void add(Key key, long... values) {
    SpanIds l = key.link();
    add(
        key.type(),
        canonical(key.stack()),
        key.threadName(),
        l.traceIdHigh(),
        l.traceIdLow(),
        l.spanId(),
        l.localRootSpanId(),
        key.spanName(),
        key.labels(),
        values.length > 0 ? values[0] : 0,
        values.length > 1 ? values[1] : 0);
  }

  /**
   * Adds one sample without building its key. {@code stack} must come from {@link #stack}; a link
   * with span id 0 is no link (its other ids are then ignored). Values beyond the type's kinds are
   * ignored.
   */
  void add(
      ProfileType type,
      int[] stack,
      String threadName,
      long traceIdHigh,
      long traceIdLow,
      long spanId,
      long localRootSpanId,
      String spanName,
      String labels,
      long value0,
      long value1) {
    Objects.requireNonNull(threadName, "threadName");
    Objects.requireNonNull(labels, "labels");
    if (spanId == 0) {
      traceIdHigh = 0;
      traceIdLow = 0;
      localRootSpanId = 0;
    }
    int mask = slots.length - 1;
    int i = hash(type.ordinal(), stack, threadName, spanId, traceIdLow, spanName, labels) & mask;
    int row;
    while (true) {
      int r = slots[i] - 1;
      if (r < 0) {
        row = newRow(type, stack, threadName, spanName, labels);
        links[row * 4] = traceIdHigh;
        links[row * 4 + 1] = traceIdLow;
        links[row * 4 + 2] = spanId;
        links[row * 4 + 3] = localRootSpanId;
        slots[i] = row + 1;
        if (rows * 2 > slots.length) {
          rehash();
        }
        break;
      }
      if (typeOrdinals[r] == type.ordinal()
          && stacks[r] == stack
          && links[r * 4 + 2] == spanId
          && links[r * 4 + 1] == traceIdLow
          && links[r * 4] == traceIdHigh
          && threadNames[r].equals(threadName)
          && Objects.equals(spanNames[r], spanName)
          && labelSets[r].equals(labels)) {
        row = r;
        break;
      }
      i = (i + 1) & mask;
    }
    values[row * 2] += value0;
    if (type.kinds.size() > 1) {
      values[row * 2 + 1] += value1;
    }
    samples++;
    if (type == ProfileType.ALLOC) {
      allocationSamples++;
      allocationBytes += value0;
    }
    sumsView = null;
  }

  private int newRow(
      ProfileType type, int[] stack, String threadName, String spanName, String labels) {
    if (rows == typeOrdinals.length) {
      int n = rows * 2;
      typeOrdinals = Arrays.copyOf(typeOrdinals, n);
      stacks = Arrays.copyOf(stacks, n);
      threadNames = Arrays.copyOf(threadNames, n);
      spanNames = Arrays.copyOf(spanNames, n);
      labelSets = Arrays.copyOf(labelSets, n);
      links = Arrays.copyOf(links, n * 4);
      values = Arrays.copyOf(values, n * 2);
    }
    int row = rows++;
    typeOrdinals[row] = type.ordinal();
    stacks[row] = stack;
    threadNames[row] = threadName;
    spanNames[row] = spanName;
    labelSets[row] = labels;
    return row;
  }

  /** A row's hash: stacks by identity (they are canonical), the link by its span and trace. */
  private static int hash(
      int typeOrdinal,
      int[] stack,
      String threadName,
      long spanId,
      long traceIdLow,
      String spanName,
      String labels) {
    int h = typeOrdinal * 31 + System.identityHashCode(stack);
    h = h * 31 + threadName.hashCode();
    h = h * 31 + Long.hashCode(spanId ^ traceIdLow);
    h = h * 31 + Objects.hashCode(spanName);
    h = h * 31 + labels.hashCode();
    return h ^ (h >>> 16);
  }

  /** Doubles the slot table; rows keep their numbers. */
  private void rehash() {
    int[] old = slots;
    slots = new int[old.length * 2];
    int mask = slots.length - 1;
    for (int s : old) {
      if (s == 0) {
        continue;
      }
      int r = s - 1;
      int i =
          hash(
                  typeOrdinals[r],
                  stacks[r],
                  threadNames[r],
                  links[r * 4 + 2],
                  links[r * 4 + 1],
                  spanNames[r],
                  labelSets[r])
              & mask;
      while (slots[i] != 0) {
        i = (i + 1) & mask;
      }
      slots[i] = s;
    }
  }

  void setPeriod(SampleKind kind, long period) {
    periods[kind.ordinal()] = period;
  }

  void countTruncated() {
    truncatedStacks++;
  }

  boolean isEmpty() {
    return rows == 0;
  }

  long startEpochNanos() {
    return startEpochNanos;
  }

  long endEpochNanos() {
    return endEpochNanos;
  }

  /**
   * The sums by sample identity, in the order identities first appeared; built once per window
   * (when it is encoded), so its objects do not outlive the encoding.
   */
  Map<Key, long[]> sums() {
    Map<Key, long[]> view = sumsView;
    if (view == null) {
      ProfileType[] types = ProfileType.values();
      view = new java.util.LinkedHashMap<>(rows * 2);
      for (int r = 0; r < rows; r++) {
        ProfileType type = types[typeOrdinals[r]];
        long spanId = links[r * 4 + 2];
        SpanIds link =
            spanId == 0
                ? SpanIds.NONE
                : new SpanIds(links[r * 4], links[r * 4 + 1], spanId, links[r * 4 + 3]);
        long[] v =
            type.kinds.size() > 1
                ? new long[] {values[r * 2], values[r * 2 + 1]}
                : new long[] {values[r * 2]};
        view.put(new Key(type, stacks[r], threadNames[r], link, spanNames[r], labelSets[r]), v);
      }
      sumsView = view;
    }
    return view;
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
