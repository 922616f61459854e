package dev.ember.index.query;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Random;
import org.junit.jupiter.api.Test;

class FlameGraphTest {
  @Test
  void goldenLevels() {
    FlameTree t = new FlameTree();
    t.addStack(new String[] {"main", "b"}, 3);
    t.addStack(new String[] {"main", "a"}, 5);
    t.addStack(new String[] {"main"}, 2);
    FlameGraph g = FlameGraph.of(t, 100);
    assertThat(g.names()).containsExactly("total", "main", "a", "b");
    assertThat(g.levels()).hasSize(3);
    assertThat(g.levels().get(0)).containsExactly(0, 10, 0, 0);
    assertThat(g.levels().get(1)).containsExactly(0, 10, 2, 1);
    // As in Pyroscope, children start after the parent's self (2), sorted by name: a at x=2 (5),
    // then b right after it at x=7 (3).
    assertThat(g.levels().get(2)).containsExactly(2, 5, 5, 2, 0, 3, 3, 3);
    assertThat(g.numTicks()).isEqualTo(10);
    assertThat(g.maxSelf()).isEqualTo(5);
  }

  @Test
  void truncationKeepsTotalsAndBoundsNodes() {
    long seed = System.nanoTime();
    Random r = new Random(seed);
    FlameTree t = new FlameTree();
    long sum = 0;
    for (int i = 0; i < 2000; i++) {
      int depth = 1 + r.nextInt(6);
      String[] frames = new String[depth];
      for (int d = 0; d < depth; d++) {
        frames[d] = "f" + r.nextInt(30);
      }
      long v = 1 + r.nextInt(100);
      sum += v;
      t.addStack(frames, v);
    }
    FlameGraph g = FlameGraph.of(t, 50);
    assertThat(g.numTicks()).as("seed %d", seed).isEqualTo(sum);
    // Each row's nodes sum to at most the root, and the kept nodes plus "other" stay bounded.
    long row1 = 0;
    long[] level1 = g.levels().get(1);
    for (int i = 0; i < level1.length; i += 4) {
      row1 += level1[i + 1];
    }
    assertThat(row1).as("seed %d", seed).isEqualTo(sum);
    assertThat(g.nodeCount()).as("seed %d", seed).isLessThanOrEqualTo(50 + 50);
  }
}
