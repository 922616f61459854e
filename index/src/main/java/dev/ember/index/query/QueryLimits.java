package dev.ember.index.query;

import java.time.Duration;
import java.util.Objects;

/**
 * Bounds on what one query may cost, so that no query can exhaust the server. Each is checked where
 * it applies and fails with a {@link QueryLimitException} naming it.
 *
 * @param maxRange the longest time range a query may span (default 30 days)
 * @param maxSeries the most series one query may select in one partition, and the most groups a
 *     series query may return (default 10,000)
 * @param maxTreeNodes the most nodes a merged call tree may hold in memory (default 1,000,000)
 * @param timeout how long a query may run before it is stopped (default 60 s)
 */
public record QueryLimits(Duration maxRange, int maxSeries, int maxTreeNodes, Duration timeout) {
  public static final Duration DEFAULT_MAX_RANGE = Duration.ofDays(30);
  public static final int DEFAULT_MAX_SERIES = 10_000;
  public static final int DEFAULT_MAX_TREE_NODES = 1_000_000;
  public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(60);

  /** The most points one series may have (range / step), as in Prometheus. */
  public static final int MAX_POINTS = 11_000;

  /**
   * The most values a series answer may hold in memory, series times points (4,000,000 longs, 32 MB
   * per array); checked per partition and for the whole answer.
   */
  public static final long MAX_SERIES_CELLS = 4_000_000L;

  /** The most entries a listing (profiles, label values, contributors) may return. */
  public static final int MAX_RESULTS = 10_000;

  public static final QueryLimits DEFAULTS =
      new QueryLimits(
          DEFAULT_MAX_RANGE, DEFAULT_MAX_SERIES, DEFAULT_MAX_TREE_NODES, DEFAULT_TIMEOUT);

  /**
   * No limits, for callers inside the store (the {@code ProfileStore.merge} storage API and its
   * contract tests); the servers always pass configured limits.
   */
  public static final QueryLimits UNBOUNDED =
      new QueryLimits(
          Duration.ofNanos(Long.MAX_VALUE),
          Integer.MAX_VALUE,
          Integer.MAX_VALUE,
          // A century: deadlines are compared by difference, so stay well below 2^63 ns.
          Duration.ofDays(36_500));

  public QueryLimits {
    Objects.requireNonNull(maxRange, "maxRange");
    Objects.requireNonNull(timeout, "timeout");
    if (maxRange.isNegative() || maxRange.isZero()) {
      throw new IllegalArgumentException("max range must be positive, got " + maxRange);
    }
    if (maxSeries < 1) {
      throw new IllegalArgumentException("max series must be at least 1, got " + maxSeries);
    }
    if (maxTreeNodes < 16) {
      throw new IllegalArgumentException("max tree nodes must be at least 16, got " + maxTreeNodes);
    }
    if (timeout.isNegative() || timeout.isZero()) {
      throw new IllegalArgumentException("query timeout must be positive, got " + timeout);
    }
  }

  /** Throws when [from, until) is longer than {@link #maxRange}. */
  public void checkRange(long fromNanos, long untilNanos) {
    long span = untilNanos - fromNanos;
    if (span > maxRange.toNanos() || span < 0) {
      throw new QueryLimitException(
          "the time range of "
              + Durations.format(span)
              + " exceeds the limit of "
              + Durations.format(maxRange.toNanos())
              + "; choose a shorter range",
          "--query-max-range");
    }
  }

  /** Throws when a series answer would hold more than {@link #MAX_SERIES_CELLS} values. */
  public static void checkSeriesCells(long series, long points) {
    if (series * points > MAX_SERIES_CELLS) {
      throw new QueryLimitException(
          series
              + " series of "
              + points
              + " points exceed the limit of "
              + MAX_SERIES_CELLS
              + " values in one answer; choose a larger step, group by fewer labels or narrow"
              + " the selector",
          "step");
    }
  }

  /** Throws when {@code count} series match in one partition. */
  public void checkSeries(int count, String where) {
    if (count > maxSeries) {
      throw new QueryLimitException(
          count
              + " series match "
              + where
              + ", more than the limit of "
              + maxSeries
              + "; add label matchers to narrow the selector",
          "--query-max-series");
    }
  }
}
