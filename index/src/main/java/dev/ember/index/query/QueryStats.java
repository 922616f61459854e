package dev.ember.index.query;

/**
 * The work a query did: partitions it read, how many of them it answered from their pre-aggregated
 * totals (no profile decoded), profiles and samples it decoded, and its wall time. Every answer is
 * exact: pre-aggregates hold exact sums, so nothing is sampled or estimated.
 */
public record QueryStats(
    long partitions,
    long aggregatedPartitions,
    long profilesRead,
    long samplesRead,
    long elapsedMillis) {}
