package dev.ember.index.query;

import java.util.Objects;
import java.util.concurrent.atomic.AtomicLong;

/**
 * One running query: its limits, its deadline, whether it was cancelled (its client went away), and
 * counters of the work it did. Long loops call {@link #check()}, which throws {@link
 * QueryCancelledException} once the query should stop. Thread-safe: partitions are scanned in
 * parallel against one context.
 */
public final class QueryContext {
  private final QueryLimits limits;
  private final long startNanos = System.nanoTime();
  private final long deadlineNanos;
  private volatile boolean cancelled;
  private volatile String cancelReason = "the query was cancelled";
  private final AtomicLong partitions = new AtomicLong();
  private final AtomicLong aggregatedPartitions = new AtomicLong();
  private final AtomicLong profilesRead = new AtomicLong();
  private final AtomicLong samplesRead = new AtomicLong();

  private QueryContext(QueryLimits limits) {
    this.limits = Objects.requireNonNull(limits, "limits");
    this.deadlineNanos = startNanos + limits.timeout().toNanos();
  }

  public static QueryContext of(QueryLimits limits) {
    return new QueryContext(limits);
  }

  /** A context with the default limits, for tests and tools. */
  public static QueryContext defaults() {
    return new QueryContext(QueryLimits.DEFAULTS);
  }

  public QueryLimits limits() {
    return limits;
  }

  /** Asks the query to stop at its next check; {@code reason} ends up in the error message. */
  public void cancel(String reason) {
    cancelReason = reason;
    cancelled = true;
  }

  public boolean isCancelled() {
    return cancelled;
  }

  /** Throws {@link QueryCancelledException} if the query was cancelled or ran out of time. */
  public void check() {
    if (cancelled) {
      throw new QueryCancelledException(cancelReason, false);
    }
    if (System.nanoTime() - deadlineNanos > 0) {
      throw new QueryCancelledException(
          "the query ran longer than the limit of "
              + Durations.format(limits.timeout().toNanos())
              + " and was stopped; narrow the time range or the selector (limit:"
              + " --query-timeout)",
          true);
    }
  }

  public void addPartition(boolean aggregated) {
    partitions.incrementAndGet();
    if (aggregated) {
      aggregatedPartitions.incrementAndGet();
    }
  }

  public void addProfiles(long profiles, long samples) {
    profilesRead.addAndGet(profiles);
    samplesRead.addAndGet(samples);
  }

  /** What the query did so far. */
  public QueryStats stats() {
    return new QueryStats(
        partitions.get(),
        aggregatedPartitions.get(),
        profilesRead.get(),
        samplesRead.get(),
        (System.nanoTime() - startNanos) / 1_000_000L);
  }
}
