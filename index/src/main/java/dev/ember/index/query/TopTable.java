package dev.ember.index.query;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * The "top" table of a call tree: per function name, its self value (samples in which it is the
 * leaf) and its total (samples in which it appears at all; a recursive function counts once per
 * sample). Computed in one non-recursive pass over the tree.
 *
 * @param rows functions sorted by the chosen column, largest first
 * @param grandTotal the root total, for shares
 * @param functions how many distinct functions the tree holds (rows may be fewer)
 */
public record TopTable(List<Row> rows, long grandTotal, int functions) {

  public record Row(String name, long self, long total) {}

  public enum Order {
    SELF,
    TOTAL
  }

  public TopTable {
    rows = List.copyOf(rows);
  }

  public static TopTable of(FlameTree tree, Order order, int limit) {
    if (limit < 1) {
      throw new IllegalArgumentException("limit must be at least 1, got " + limit);
    }
    tree.computeTotals();
    int names = tree.nameCount();
    long[] self = new long[names];
    long[] total = new long[names];
    int[] onPath = new int[names];
    int[] pathName = new int[64];
    int[] depth = new int[tree.size()];
    int pathLength = 0;
    for (int n : tree.depthFirstOrder()) {
      if (n == 0) {
        continue;
      }
      int d = depth[tree.parent(n)] + 1;
      depth[n] = d;
      // Leave the frames of the previous branch that are not ancestors of n.
      while (pathLength >= d) {
        onPath[pathName[--pathLength]]--;
      }
      int name = tree.nameId(n);
      self[name] += tree.self(n);
      if (onPath[name] == 0) {
        total[name] += tree.total(n);
      }
      if (pathLength == pathName.length) {
        pathName = java.util.Arrays.copyOf(pathName, pathLength * 2);
      }
      pathName[pathLength++] = name;
      onPath[name]++;
    }
    List<Row> rows = new ArrayList<>();
    for (int i = 1; i < names; i++) {
      if (total[i] > 0 || self[i] > 0) {
        rows.add(new Row(tree.nameOf(i), self[i], total[i]));
      }
    }
    Comparator<Row> by =
        order == Order.SELF
            ? Comparator.comparingLong(Row::self).thenComparingLong(Row::total)
            : Comparator.comparingLong(Row::total).thenComparingLong(Row::self);
    rows.sort(by.reversed().thenComparing(Row::name));
    int functions = rows.size();
    return new TopTable(rows.subList(0, Math.min(limit, rows.size())), tree.total(0), functions);
  }
}
