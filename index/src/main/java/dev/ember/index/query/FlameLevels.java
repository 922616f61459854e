package dev.ember.index.query;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Lays out a call tree as flamebearer levels for one side (a flame graph) or two (a diff), without
 * recursion. Row d holds the nodes at depth d in x order; each node is {@code [x_delta, total,
 * self]} per side followed by its name index, where x_delta is the gap after the previous node of
 * the same row on that side. As in Pyroscope, a node's children start after its own self value,
 * sorted by name; children below the threshold on every side are folded into one "other" node.
 */
final class FlameLevels {
  private FlameLevels() {}

  record Result(List<String> names, List<long[]> levels, long maxSelf) {}

  /**
   * @param shape the tree whose nodes are laid out
   * @param self per side, the self value of each node of {@code shape}
   * @param total per side, the total value of each node of {@code shape}
   * @param threshold the smallest total (on any side) a node needs to be drawn
   */
  static Result build(FlameTree shape, long[][] self, long[][] total, long threshold) {
    int sides = self.length;
    int[][] children = shape.sortedChildren();
    int[] first = children[0];
    int[] next = children[1];

    List<String> names = new ArrayList<>();
    names.add("total");
    int[] nameIndex = new int[shape.nameCount()];
    Arrays.fill(nameIndex, -1);
    nameIndex[0] = 0;
    int otherIndex = -1;

    List<FlameGraph.LongList> rows = new ArrayList<>();
    long[][] rowEnd = new long[sides][16];
    long maxSelf = 0;

    // Explicit DFS stack; node -1 stands for an "other" node whose values sit in the stack.
    Stack st = new Stack(sides);
    long[] rootX = new long[sides];
    long[] rootTotal = new long[sides];
    long[] rootSelf = new long[sides];
    for (int s = 0; s < sides; s++) {
      rootTotal[s] = total[s][0];
      rootSelf[s] = self[s][0];
    }
    st.push(0, 0, rootX, rootTotal, rootSelf);
    long[] x = new long[sides];
    long[] t = new long[sides];
    long[] sf = new long[sides];
    long[] cursor = new long[sides];
    long[] other = new long[sides];
    while (st.size > 0) {
      int node = st.pop(x, t, sf);
      int depth = st.poppedDepth;
      while (rows.size() <= depth) {
        rows.add(new FlameGraph.LongList());
      }
      if (depth >= rowEnd[0].length) {
        for (int s = 0; s < sides; s++) {
          rowEnd[s] = Arrays.copyOf(rowEnd[s], rowEnd[s].length * 2);
        }
      }
      int idx;
      if (node < 0) {
        if (otherIndex < 0) {
          otherIndex = names.size();
          names.add(FlameGraph.OTHER);
        }
        idx = otherIndex;
      } else {
        int nid = shape.nameId(node);
        if (nameIndex[nid] < 0) {
          nameIndex[nid] = names.size();
          names.add(shape.nameOf(nid));
        }
        idx = nameIndex[nid];
      }
      FlameGraph.LongList row = rows.get(depth);
      for (int s = 0; s < sides; s++) {
        row.add(x[s] - rowEnd[s][depth]);
        row.add(t[s]);
        row.add(sf[s]);
        rowEnd[s][depth] = x[s] + t[s];
        maxSelf = Math.max(maxSelf, sf[s]);
      }
      row.add(idx);
      if (node < 0) {
        continue;
      }
      // Children start after the node's own self value. Collect kept children in name order,
      // then push them in reverse so that they pop (and are laid out) in name order.
      int kept = 0;
      Arrays.fill(other, 0);
      for (int c = first[node]; c >= 0; c = next[c]) {
        if (drawn(total, c, threshold)) {
          kept++;
        } else {
          for (int s = 0; s < sides; s++) {
            other[s] += total[s][c];
          }
        }
      }
      int[] keptNodes = new int[kept];
      int k = 0;
      for (int c = first[node]; c >= 0; c = next[c]) {
        if (drawn(total, c, threshold)) {
          keptNodes[k++] = c;
        }
      }
      long[][] xs = new long[kept + 1][sides];
      for (int s = 0; s < sides; s++) {
        cursor[s] = x[s] + sf[s];
      }
      for (int i = 0; i < kept; i++) {
        for (int s = 0; s < sides; s++) {
          xs[i][s] = cursor[s];
          cursor[s] += total[s][keptNodes[i]];
        }
      }
      boolean anyOther = false;
      for (int s = 0; s < sides; s++) {
        anyOther |= other[s] > 0;
      }
      if (anyOther) {
        st.push(-1, depth + 1, cursor, other, other);
      }
      long[] ct = new long[sides];
      long[] cs = new long[sides];
      for (int i = kept - 1; i >= 0; i--) {
        int c = keptNodes[i];
        for (int s = 0; s < sides; s++) {
          ct[s] = total[s][c];
          cs[s] = self[s][c];
        }
        st.push(c, depth + 1, xs[i], ct, cs);
      }
    }
    List<long[]> levels = new ArrayList<>(rows.size());
    for (FlameGraph.LongList r : rows) {
      levels.add(r.toArray());
    }
    return new Result(List.copyOf(names), levels, maxSelf);
  }

  private static boolean drawn(long[][] total, int node, long threshold) {
    for (long[] side : total) {
      if (side[node] > 0 && side[node] >= threshold) {
        return true;
      }
    }
    return false;
  }

  /**
   * The smallest total a node needs (on its largest side) to be drawn, so that at most {@code
   * maxNodes} nodes are; ties at the cut-off are dropped too, so the count stays bounded.
   */
  static long threshold(long[][] total, int size, int maxNodes) {
    if (size <= maxNodes) {
      return 0;
    }
    long[] best = new long[size];
    for (int n = 0; n < size; n++) {
      long m = 0;
      for (long[] side : total) {
        m = Math.max(m, side[n]);
      }
      best[n] = m;
    }
    Arrays.sort(best);
    long cut = best[size - maxNodes];
    return cut == best[size - maxNodes - 1] ? cut + 1 : cut;
  }

  /** Parallel primitive arrays used as the DFS stack. */
  private static final class Stack {
    final int sides;
    int size;
    int poppedDepth;
    int[] node = new int[64];
    int[] depth = new int[64];
    long[] values; // per entry: x, total, self for each side

    Stack(int sides) {
      this.sides = sides;
      this.values = new long[64 * 3 * sides];
    }

    void push(int n, int d, long[] x, long[] total, long[] self) {
      if (size == node.length) {
        node = Arrays.copyOf(node, size * 2);
        depth = Arrays.copyOf(depth, size * 2);
        values = Arrays.copyOf(values, values.length * 2);
      }
      node[size] = n;
      depth[size] = d;
      int base = size * 3 * sides;
      for (int s = 0; s < sides; s++) {
        values[base + 3 * s] = x[s];
        values[base + 3 * s + 1] = total[s];
        values[base + 3 * s + 2] = self[s];
      }
      size++;
    }

    int pop(long[] x, long[] total, long[] self) {
      size--;
      int base = size * 3 * sides;
      for (int s = 0; s < sides; s++) {
        x[s] = values[base + 3 * s];
        total[s] = values[base + 3 * s + 1];
        self[s] = values[base + 3 * s + 2];
      }
      poppedDepth = depth[size];
      return node[size];
    }
  }
}
