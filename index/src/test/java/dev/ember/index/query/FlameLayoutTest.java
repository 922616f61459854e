package dev.ember.index.query;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

/**
 * Random trees rendered as flamebearer levels (single and diff) must decode back to exactly the
 * stacks they came from, the way a client reads them: a node's parent is the node of the row above
 * whose span contains it. With truncation, totals stay intact and the node count stays bounded.
 */
class FlameLayoutTest {

  static FlameTree randomTree(Random r, int stacks, int names) {
    FlameTree t = new FlameTree();
    for (int i = 0; i < stacks; i++) {
      int depth = 1 + r.nextInt(7);
      String[] frames = new String[depth];
      for (int d = 0; d < depth; d++) {
        frames[d] = "f" + r.nextInt(names);
      }
      t.addStack(frames, 1 + r.nextInt(100));
    }
    t.computeTotals();
    return t;
  }

  /** Decodes one side of levels ({@code offset} 0 for single or left, 3 for right) to folded. */
  static Map<String, Long> decode(List<String> names, List<long[]> levels, int width, int side) {
    Map<String, Long> out = new TreeMap<>();
    List<long[]> xs = new ArrayList<>(); // per row: absolute x of each node
    List<String[]> paths = new ArrayList<>();
    for (int d = 0; d < levels.size(); d++) {
      long[] row = levels.get(d);
      int n = row.length / width;
      long[] x = new long[n];
      String[] path = new String[n];
      long cursor = 0;
      for (int i = 0; i < n; i++) {
        int base = i * width + side;
        x[i] = cursor + row[base];
        cursor = x[i] + row[base + 1];
        String name = names.get((int) row[i * width + width - 1]);
        if (d == 0) {
          path[i] = "";
        } else {
          long[] px = xs.get(d - 1);
          long[] prow = levels.get(d - 1);
          int parent = -1;
          for (int j = 0; j < px.length; j++) {
            long ptotal = prow[j * width + side + 1];
            if (px[j] <= x[i] && x[i] < px[j] + ptotal) {
              parent = j;
            }
          }
          long total = row[base + 1];
          if (total == 0) {
            path[i] = null; // absent on this side
            continue;
          }
          assertThat(parent).as("parent of %s at row %d", name, d).isNotNegative();
          String pp = paths.get(d - 1)[parent];
          path[i] = pp.isEmpty() ? name : pp + ";" + name;
        }
        long self = row[base + 2];
        if (d > 0 && self > 0) {
          out.merge(path[i], self, Long::sum);
        }
      }
      xs.add(x);
      paths.add(path);
    }
    return out;
  }

  static Map<String, Long> folded(FlameTree t) {
    return new TreeMap<>(FoldedStacks.parse(FoldedStacks.toString(t)));
  }

  @Test
  void singleLevelsDecodeToTheStacks() {
    long seed = new Random().nextLong();
    Random r = new Random(seed);
    for (int i = 0; i < 50; i++) {
      FlameTree t = randomTree(r, 1 + r.nextInt(200), 2 + r.nextInt(20));
      FlameGraph g = FlameGraph.of(t, FlameGraph.MAX_NODES_LIMIT);
      assertThat(decode(g.names(), g.levels(), 4, 0)).as("seed %d", seed).isEqualTo(folded(t));
      assertThat(g.numTicks()).isEqualTo(t.grandTotal());
      assertThat(g.nodeCount()).isEqualTo(t.size());
    }
  }

  @Test
  void diffLevelsDecodeToBothSides() {
    long seed = new Random().nextLong();
    Random r = new Random(seed);
    for (int i = 0; i < 50; i++) {
      FlameTree left = randomTree(r, 1 + r.nextInt(150), 2 + r.nextInt(15));
      FlameTree right = randomTree(r, r.nextInt(150), 2 + r.nextInt(15));
      FlameDiff d = FlameDiff.of(left, right, FlameGraph.MAX_NODES_LIMIT);
      assertThat(decode(d.names(), d.levels(), 7, 0)).as("seed %d", seed).isEqualTo(folded(left));
      assertThat(decode(d.names(), d.levels(), 7, 3)).as("seed %d", seed).isEqualTo(folded(right));
      assertThat(d.leftTicks()).isEqualTo(left.grandTotal());
      assertThat(d.rightTicks()).isEqualTo(right.grandTotal());
      assertThat(d.numTicks()).isEqualTo(left.grandTotal() + right.grandTotal());
    }
  }

  @Test
  void truncationKeepsRowTotalsOnBothSides() {
    long seed = new Random().nextLong();
    Random r = new Random(seed);
    for (int i = 0; i < 30; i++) {
      FlameTree left = randomTree(r, 500, 30);
      FlameTree right = randomTree(r, 500, 30);
      int maxNodes = 1 + r.nextInt(60);
      FlameDiff d = FlameDiff.of(left, right, maxNodes);
      long[] row1 = d.levels().get(1);
      long l = 0;
      long rr = 0;
      for (int k = 0; k < row1.length; k += 7) {
        l += row1[k + 1];
        rr += row1[k + 4];
      }
      assertThat(l).as("seed %d", seed).isEqualTo(left.grandTotal());
      assertThat(rr).as("seed %d", seed).isEqualTo(right.grandTotal());
      int nodes = 0;
      for (long[] level : d.levels()) {
        nodes += level.length / 7;
      }
      // Kept nodes, plus at most one "other" per kept parent.
      assertThat(nodes).as("seed %d", seed).isLessThanOrEqualTo(2 * maxNodes + 1);
    }
  }

  @Test
  void goldenDiff() {
    FlameTree left = new FlameTree();
    left.addStack(new String[] {"main", "a"}, 6);
    left.addStack(new String[] {"main", "b"}, 4);
    FlameTree right = new FlameTree();
    right.addStack(new String[] {"main", "b"}, 9);
    right.addStack(new String[] {"main", "c"}, 1);
    FlameDiff d = FlameDiff.of(left, right, 100);
    assertThat(d.names()).containsExactly("total", "main", "a", "b", "c");
    assertThat(d.levels().get(0)).containsExactly(0, 10, 0, 0, 10, 0, 0);
    assertThat(d.levels().get(1)).containsExactly(0, 10, 0, 0, 10, 0, 1);
    // a: left 6 / right 0; b: left 4 at x=6 / right 9 at x=0; c: left 0 / right 1 at x=9.
    assertThat(d.levels().get(2))
        .containsExactly(0, 6, 6, 0, 0, 0, 2, 0, 4, 4, 0, 9, 9, 3, 0, 0, 0, 0, 1, 1, 4);
    assertThat(d.leftTicks()).isEqualTo(10);
    assertThat(d.rightTicks()).isEqualTo(10);
    assertThat(d.maxSelf()).isEqualTo(9);
  }

  @Test
  void topCountsRecursionOnce() {
    FlameTree t = new FlameTree();
    t.addStack(new String[] {"main", "rec", "rec", "leaf"}, 5);
    t.addStack(new String[] {"main", "rec"}, 3);
    t.addStack(new String[] {"main", "other"}, 2);
    TopTable top = TopTable.of(t, TopTable.Order.TOTAL, 10);
    assertThat(top.rows())
        .containsExactly(
            new TopTable.Row("main", 0, 10),
            new TopTable.Row("rec", 3, 8),
            new TopTable.Row("leaf", 5, 5),
            new TopTable.Row("other", 2, 2));
    assertThat(TopTable.of(t, TopTable.Order.SELF, 1).rows())
        .containsExactly(new TopTable.Row("leaf", 5, 5));
    assertThat(top.grandTotal()).isEqualTo(10);
  }

  @Test
  void foldedEscapesSeparators() {
    FlameTree t = new FlameTree();
    t.addStack(new String[] {"main", "a;b", "line\nbreak"}, 3);
    t.addStack(new String[] {"main"}, 1);
    assertThat(FoldedStacks.toString(t)).isEqualTo("main 1\nmain;a:b;line break 3\n");
  }
}
