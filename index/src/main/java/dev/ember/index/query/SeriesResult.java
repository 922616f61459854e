package dev.ember.index.query;

import java.util.List;
import java.util.Map;

/**
 * Totals over time: for each group of series (by the requested labels), one value per step. Step
 * {@code i} covers {@code [fromNanos + i * stepNanos, fromNanos + (i + 1) * stepNanos)}; {@code
 * counts[i]} is how many profiles fell into it (0 means no data, not a zero value).
 */
public record SeriesResult(
    String profileType,
    long fromNanos,
    long untilNanos,
    long stepNanos,
    List<Series> series,
    QueryStats stats) {

  /** How values in one step combine: summed, or averaged over the profiles in the step. */
  public enum Aggregation {
    SUM,
    AVERAGE
  }

  public record Series(Map<String, String> labels, long[] values, long[] counts) {
    public Series {
      labels = Map.copyOf(labels);
    }

    public long total() {
      long t = 0;
      for (long v : values) {
        t += v;
      }
      return t;
    }
  }

  public SeriesResult {
    series = List.copyOf(series);
  }

  /** Number of steps in every series: the range divided by the step, rounded up. */
  public int points() {
    return (int) ((untilNanos - fromNanos + stepNanos - 1) / stepNanos);
  }
}
