package dev.ember.index.query;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * A flame graph in Pyroscope's flamebearer layout: {@code names[0] = "total"}, and {@code
 * levels[d]} is row d as a flat list of 4-tuples {@code [x_delta, total, self, name_index]}, where
 * x_delta is the gap after the previous node of the row. Children sit left-aligned under their
 * parent, sorted by name. Nodes smaller than the {@code maxNodes} cut-off are folded into one
 * "other" node per parent, so totals are preserved.
 */
public record FlameGraph(List<String> names, List<long[]> levels, long numTicks, long maxSelf) {

  public static final String OTHER = "other";

  /** Renders a tree, keeping at most about {@code maxNodes} nodes. */
  public static FlameGraph of(FlameTree tree, int maxNodes) {
    if (maxNodes < 1) {
      throw new IllegalArgumentException("maxNodes must be at least 1, got " + maxNodes);
    }
    tree.computeTotals();
    long threshold = threshold(tree, maxNodes);
    int[][] children = tree.sortedChildren();
    int[] first = children[0];
    int[] next = children[1];

    List<String> names = new ArrayList<>();
    names.add("total");
    int[] nameIndex = new int[tree.nameCount()];
    Arrays.fill(nameIndex, -1);
    nameIndex[0] = 0;
    int otherIndex = -1;

    List<LongList> rows = new ArrayList<>();
    long[] rowEnd = new long[16]; // x where the last node of each row ends
    long maxSelf = 0;

    // Explicit DFS stack of (node or -1 for "other", x, depth, value, self).
    int cap = 64;
    int[] stNode = new int[cap];
    long[] stX = new long[cap];
    int[] stDepth = new int[cap];
    long[] stTotal = new long[cap];
    long[] stSelf = new long[cap];
    int sp = 0;
    stNode[sp] = 0;
    stX[sp] = 0;
    stDepth[sp] = 0;
    stTotal[sp] = tree.total(0);
    stSelf[sp] = tree.self(0);
    sp++;
    while (sp > 0) {
      sp--;
      int node = stNode[sp];
      long x = stX[sp];
      int depth = stDepth[sp];
      long total = stTotal[sp];
      long self = stSelf[sp];
      while (rows.size() <= depth) {
        rows.add(new LongList());
      }
      if (depth >= rowEnd.length) {
        rowEnd = Arrays.copyOf(rowEnd, rowEnd.length * 2);
      }
      int idx;
      if (node < 0) {
        if (otherIndex < 0) {
          otherIndex = names.size();
          names.add(OTHER);
        }
        idx = otherIndex;
      } else {
        int nid = tree.nameId(node);
        if (nameIndex[nid] < 0) {
          nameIndex[nid] = names.size();
          names.add(tree.nameOf(nid));
        }
        idx = nameIndex[nid];
      }
      LongList row = rows.get(depth);
      row.add(x - rowEnd[depth]);
      row.add(total);
      row.add(self);
      row.add(idx);
      rowEnd[depth] = x + total;
      maxSelf = Math.max(maxSelf, self);
      if (node < 0) {
        continue;
      }
      // Push kept children in reverse so that they pop in name order; fold the rest into "other".
      int count = 0;
      long other = 0;
      for (int c = first[node]; c >= 0; c = next[c]) {
        if (tree.total(c) >= threshold && tree.total(c) > 0) {
          count++;
        } else {
          other += tree.total(c);
        }
      }
      int[] kept = new int[count];
      int k = 0;
      for (int c = first[node]; c >= 0; c = next[c]) {
        if (tree.total(c) >= threshold && tree.total(c) > 0) {
          kept[k++] = c;
        }
      }
      long cx = x;
      long[] xs = new long[count];
      for (int i = 0; i < count; i++) {
        xs[i] = cx;
        cx += tree.total(kept[i]);
      }
      int needed = sp + count + 1;
      if (needed > cap) {
        cap = Math.max(needed, cap * 2);
        stNode = Arrays.copyOf(stNode, cap);
        stX = Arrays.copyOf(stX, cap);
        stDepth = Arrays.copyOf(stDepth, cap);
        stTotal = Arrays.copyOf(stTotal, cap);
        stSelf = Arrays.copyOf(stSelf, cap);
      }
      if (other > 0) {
        stNode[sp] = -1;
        stX[sp] = cx;
        stDepth[sp] = depth + 1;
        stTotal[sp] = other;
        stSelf[sp] = other;
        sp++;
      }
      for (int i = count - 1; i >= 0; i--) {
        stNode[sp] = kept[i];
        stX[sp] = xs[i];
        stDepth[sp] = depth + 1;
        stTotal[sp] = tree.total(kept[i]);
        stSelf[sp] = tree.self(kept[i]);
        sp++;
      }
    }
    List<long[]> levels = new ArrayList<>(rows.size());
    for (LongList r : rows) {
      levels.add(r.toArray());
    }
    return new FlameGraph(List.copyOf(names), levels, tree.total(0), maxSelf);
  }

  /** The smallest total a node needs to be drawn, so that at most {@code maxNodes} are. */
  static long threshold(FlameTree tree, int maxNodes) {
    int n = tree.size();
    if (n <= maxNodes) {
      return 0;
    }
    long[] totals = new long[n];
    for (int i = 0; i < n; i++) {
      totals[i] = tree.total(i);
    }
    Arrays.sort(totals);
    // Keep the maxNodes largest; ties at the cut-off are dropped too, so the count stays bounded.
    long cut = totals[n - maxNodes];
    return cut == totals[n - maxNodes - 1] ? cut + 1 : cut;
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
