package dev.ember.index.query;

import java.util.Arrays;
import java.util.List;

/**
 * A flame graph in Pyroscope's flamebearer layout: {@code names[0] = "total"}, and {@code
 * levels[d]} is row d as a flat list of 4-tuples {@code [x_delta, total, self, name_index]}, where
 * x_delta is the gap after the previous node of the row. A node's children start after its own self
 * value and are sorted by name. Nodes smaller than the {@code maxNodes} cut-off are folded into one
 * "other" node per parent, so totals are preserved.
 */
public record FlameGraph(List<String> names, List<long[]> levels, long numTicks, long maxSelf) {

  public static final String OTHER = "other";

  /** Pyroscope's default for {@code maxNodes}. */
  public static final int DEFAULT_MAX_NODES = 8192;

  /** The largest {@code maxNodes} a request may ask for. */
  public static final int MAX_NODES_LIMIT = 1 << 20;

  /** Renders a tree, keeping at most about {@code maxNodes} nodes. */
  public static FlameGraph of(FlameTree tree, int maxNodes) {
    checkMaxNodes(maxNodes);
    tree.computeTotals();
    int n = tree.size();
    long[] self = new long[n];
    long[] total = new long[n];
    for (int i = 0; i < n; i++) {
      self[i] = tree.self(i);
      total[i] = tree.total(i);
    }
    long[][] totals = {total};
    long threshold = FlameLevels.threshold(totals, n, maxNodes);
    FlameLevels.Result r = FlameLevels.build(tree, new long[][] {self}, totals, threshold);
    return new FlameGraph(r.names(), r.levels(), total[0], r.maxSelf());
  }

  static void checkMaxNodes(int maxNodes) {
    if (maxNodes < 1 || maxNodes > MAX_NODES_LIMIT) {
      throw new IllegalArgumentException(
          "maxNodes must be from 1 to " + MAX_NODES_LIMIT + ", got " + maxNodes);
    }
  }

  /** Number of nodes drawn. */
  public int nodeCount() {
    int count = 0;
    for (long[] level : levels) {
      count += level.length / 4;
    }
    return count;
  }

  /** A growable long array. */
  static final class LongList {
    private long[] a = new long[32];
    private int size;

    void add(long v) {
      if (size == a.length) {
        a = Arrays.copyOf(a, size * 2);
      }
      a[size++] = v;
    }

    long[] toArray() {
      return Arrays.copyOf(a, size);
    }
  }
}
