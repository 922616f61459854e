package dev.ember.index.store;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Arrays;
import java.util.Random;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

/** The ranges that index a profile's link ids cover every id, and no more ranges than allowed. */
class LinkRangesTest {
  @Test
  void rangesCoverEveryIdAndCutAtTheWidestGaps() {
    assertThat(LinkRanges.cover(new int[0], 8)).isEmpty();
    assertThat(LinkRanges.cover(new int[] {7}, 8)).containsExactly(7, 7);
    assertThat(LinkRanges.cover(new int[] {1, 2, 3, 10, 11, 50}, 2)).containsExactly(1, 11, 50, 50);
    assertThat(LinkRanges.cover(new int[] {1, 2, 3, 10, 11, 50}, 8))
        .containsExactly(1, 3, 10, 11, 50, 50);
    assertThat(LinkRanges.cover(new int[] {1, 2, 3, 10, 11, 50}, 1)).containsExactly(1, 50);
  }

  @Test
  void randomIdsAreAlwaysCovered() {
    long seed = Long.getLong("tests.seed", new Random().nextLong());
    Random r = new Random(seed);
    for (int round = 0; round < 500; round++) {
      TreeSet<Integer> set = new TreeSet<>();
      int n = 1 + r.nextInt(300);
      int base = r.nextInt(1_000_000);
      for (int i = 0; i < n; i++) {
        set.add(base + r.nextInt(1 + r.nextInt(5000)));
      }
      int[] ids = set.stream().mapToInt(Integer::intValue).toArray();
      int max = 1 + r.nextInt(10);
      int[] ranges = LinkRanges.cover(ids, max);
      assertThat(ranges.length / 2).as("seed %d", seed).isBetween(1, max);
      for (int i = 0; i < ranges.length; i += 2) {
        assertThat(ranges[i]).isLessThanOrEqualTo(ranges[i + 1]);
        if (i > 0) {
          assertThat(ranges[i]).as("ranges ascend, apart").isGreaterThan(ranges[i - 1] + 1);
        }
      }
      for (int id : ids) {
        boolean covered = false;
        for (int i = 0; i < ranges.length && !covered; i += 2) {
          covered = ranges[i] <= id && id <= ranges[i + 1];
        }
        assertThat(covered).as("seed %d: %d in %s", seed, id, Arrays.toString(ranges)).isTrue();
      }
      // With as many ranges as runs of consecutive ids, the cover is exact.
      int runs = 1;
      for (int i = 1; i < ids.length; i++) {
        runs += ids[i] > ids[i - 1] + 1 ? 1 : 0;
      }
      if (runs <= max) {
        long coveredIds = 0;
        for (int i = 0; i < ranges.length; i += 2) {
          coveredIds += ranges[i + 1] - ranges[i] + 1;
        }
        assertThat(coveredIds).as("seed %d", seed).isEqualTo(ids.length);
      }
    }
  }
}
