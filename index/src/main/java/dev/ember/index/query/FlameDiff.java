package dev.ember.index.query;

import java.util.List;

/**
 * A diff of two call trees in Pyroscope's "double" flamebearer layout: both trees are merged into
 * one shape, and each node of {@code levels[d]} is a 7-tuple {@code [left_x_delta, left_total,
 * left_self, right_x_delta, right_total, right_self, name_index]}. Values are raw; a reader
 * compares each side as a share of its own total ({@link #leftTicks}, {@link #rightTicks}), which
 * is how Pyroscope's UI colours diffs. One {@code maxNodes} cut-off, on the larger side of each
 * node, prunes both sides alike.
 */
public record FlameDiff(
    List<String> names, List<long[]> levels, long leftTicks, long rightTicks, long maxSelf) {

  /** Both sides together, Pyroscope's {@code numTicks} for a diff. */
  public long numTicks() {
    return leftTicks + rightTicks;
  }

  public static FlameDiff of(FlameTree left, FlameTree right, int maxNodes) {
    FlameGraph.checkMaxNodes(maxNodes);
    Aligned a = align(left, right);
    long[][] totals = {a.leftTotal, a.rightTotal};
    long threshold = FlameLevels.threshold(totals, a.shape.size(), maxNodes);
    FlameLevels.Result r =
        FlameLevels.build(a.shape, new long[][] {a.leftSelf, a.rightSelf}, totals, threshold);
    return new FlameDiff(r.names(), r.levels(), a.leftTotal[0], a.rightTotal[0], r.maxSelf());
  }

  /** Two trees mapped onto one shape, with each side's self and total per shape node. */
  record Aligned(
      FlameTree shape, long[] leftSelf, long[] rightSelf, long[] leftTotal, long[] rightTotal) {}

  static Aligned align(FlameTree left, FlameTree right) {
    FlameTree shape = new FlameTree();
    int[] leftMap = mapInto(shape, left);
    int[] rightMap = mapInto(shape, right);
    int n = shape.size();
    long[] ls = new long[n];
    long[] rs = new long[n];
    for (int i = 0; i < left.size(); i++) {
      ls[leftMap[i]] += left.self(i);
    }
    for (int i = 0; i < right.size(); i++) {
      rs[rightMap[i]] += right.self(i);
    }
    return new Aligned(shape, ls, rs, totals(shape, ls), totals(shape, rs));
  }

  private static int[] mapInto(FlameTree shape, FlameTree t) {
    int[] map = new int[t.size()];
    int[] names = new int[t.nameCount()];
    for (int i = 0; i < names.length; i++) {
      names[i] = shape.nameId(t.nameOf(i));
    }
    // Parents precede children, so each parent is mapped before its children need it.
    for (int i = 1; i < t.size(); i++) {
      map[i] = shape.child(map[t.parent(i)], names[t.nameId(i)]);
    }
    return map;
  }

  private static long[] totals(FlameTree shape, long[] self) {
    long[] t = self.clone();
    for (int i = shape.size() - 1; i > 0; i--) {
      t[shape.parent(i)] += t[i];
    }
    return t;
  }
}
