package dev.ember.examples.bench;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

class OverheadBenchmarkTest {
  /** Every row is a permutation, and each configuration follows every other equally often. */
  @Test
  void williamsOrdersAreBalancedForEvenAndOddCounts() {
    for (int n = 2; n <= 7; n++) {
      int[][] rows = OverheadBenchmark.williams(n);
      assertEquals(n % 2 == 0 ? n : 2 * n, rows.length, "rows for n=" + n);
      int[][] follows = new int[n][n];
      for (int[] row : rows) {
        boolean[] seen = new boolean[n];
        for (int i = 0; i < n; i++) {
          assertTrue(!seen[row[i]], "n=" + n + ": row repeats " + row[i]);
          seen[row[i]] = true;
          if (i > 0) {
            follows[row[i - 1]][row[i]]++;
          }
        }
      }
      int expected = follows[0][1];
      for (int a = 0; a < n; a++) {
        for (int b = 0; b < n; b++) {
          if (a != b) {
            assertEquals(expected, follows[a][b], "n=" + n + ": " + b + " after " + a);
          }
        }
      }
    }
  }

  @Test
  void fourConfigurationsKeepTheOrdersOfEarlierRuns() {
    int[][] expected = {{0, 1, 3, 2}, {1, 2, 0, 3}, {2, 3, 1, 0}, {3, 0, 2, 1}};
    int[][] rows = OverheadBenchmark.williams(4);
    assertEquals(expected.length, rows.length);
    for (int r = 0; r < expected.length; r++) {
      assertArrayEquals(expected[r], rows[r], "row " + r);
    }
  }

  @Test
  void configurationsAreParsedAndCheckedByLabel() {
    assertEquals(
        List.of(
            OverheadBenchmark.Config.AGENT,
            OverheadBenchmark.Config.JFR,
            OverheadBenchmark.Config.EMBER),
        OverheadBenchmark.configs("agent, agent+jfr,agent+ember"));
    IllegalArgumentException unknown =
        assertThrows(IllegalArgumentException.class, () -> OverheadBenchmark.configs("agent,nope"));
    assertTrue(unknown.getMessage().contains("'nope'"), unknown.getMessage());
    assertThrows(IllegalArgumentException.class, () -> OverheadBenchmark.configs("agent,agent"));
    IllegalArgumentException noAgent =
        assertThrows(IllegalArgumentException.class, () -> OverheadBenchmark.configs("bare"));
    assertTrue(noAgent.getMessage().contains("'agent'"), noAgent.getMessage());
  }

  @Test
  void aThreadShareIsReportedWithTheIntervalOfItsMedian() {
    double[] shares = {0.013, 0.009, 0.011, 0.010, 0.012, 0.030, 0.011};
    String text = OverheadBenchmark.withInterval(shares, 46);
    java.util.regex.Matcher m =
        java.util.regex.Pattern.compile("([+-][0-9.]+)% \\[([+-][0-9.]+)%, ([+-][0-9.]+)%\\]")
            .matcher(text);
    assertTrue(m.matches(), text);
    double median = Double.parseDouble(m.group(1));
    double low = Double.parseDouble(m.group(2));
    double high = Double.parseDouble(m.group(3));
    assertEquals(1.10, median, 1e-9, text); // the outlier moves the median by one place only
    assertTrue(low <= median && median <= high, text);
    assertTrue(low >= 0.9 && high <= 1.3, "the interval stays among the middle values: " + text);
  }
}
