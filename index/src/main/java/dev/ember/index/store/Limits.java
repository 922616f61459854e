package dev.ember.index.store;

import java.time.Duration;
import java.util.Objects;

/**
 * What one tenant may store and send. The store enforces retention and the per-profile limits (a
 * profile over a limit is rejected on its own, through OTLP {@code partial_success}; stacks deeper
 * than {@link #maxStackDepth} are truncated, not rejected); the receivers enforce the request size
 * and the ingest rate.
 *
 * @param retention how long profiles are kept; {@link Duration#ZERO} keeps them forever. Whole
 *     partitions are dropped once their end is older than this; profiles older than this are
 *     refused at ingest.
 * @param maxSamplesPerProfile samples in one profile (before equal samples are merged)
 * @param maxStackDepth frames per stack; deeper stacks keep their leaf-most frames under a {@code
 *     [truncated]} root frame
 * @param maxLabels series labels per profile, {@code service_name} included
 * @param maxLabelNameLength characters in a series label name
 * @param maxLabelValueLength characters in a series label value or a sample attribute value
 * @param maxSeries distinct series (label sets) per tenant in one time partition
 * @param maxRequestBytes size of one request, after decompression
 * @param ingestBytesPerSecond sustained ingest rate in request bytes per second, with a burst of
 *     one second's worth or one maximal request, whichever is larger; 0 means unlimited
 */
public record Limits(
    Duration retention,
    int maxSamplesPerProfile,
    int maxStackDepth,
    int maxLabels,
    int maxLabelNameLength,
    int maxLabelValueLength,
    int maxSeries,
    long maxRequestBytes,
    long ingestBytesPerSecond) {

  public static final Duration DEFAULT_RETENTION = Duration.ofDays(30);

  /** Keep profiles forever. */
  public static final Duration KEEP_FOREVER = Duration.ZERO;

  /** The defaults of a production backend (see the backend README for the reasoning). */
  public static final Limits DEFAULT =
      new Limits(DEFAULT_RETENTION, 200_000, 2048, 64, 1024, 2048, 10_000, 64L << 20, 0);

  public Limits {
    Objects.requireNonNull(retention, "retention");
    if (retention.isNegative()) {
      throw new IllegalArgumentException("retention must not be negative, got " + retention);
    }
    if (!retention.isZero() && retention.compareTo(Duration.ofHours(1)) < 0) {
      throw new IllegalArgumentException(
          "retention must be at least 1h (or 0 to keep forever), got " + retention);
    }
    positive(maxSamplesPerProfile, "max-samples-per-profile");
    positive(maxLabels, "max-labels");
    positive(maxLabelNameLength, "max-label-name-length");
    positive(maxLabelValueLength, "max-label-value-length");
    positive(maxSeries, "max-series");
    // Label names and values, and sample attribute values, become Lucene terms (at most 32766
    // bytes, up to 4 bytes per character).
    if (maxLabelNameLength > 1024 || maxLabelValueLength > 8000) {
      throw new IllegalArgumentException(
          "max-label-name-length must be at most 1024 and max-label-value-length at most 8000, got "
              + maxLabelNameLength
              + " and "
              + maxLabelValueLength);
    }
    if (maxStackDepth < 2) {
      throw new IllegalArgumentException(
          "max-stack-depth must be at least 2, got " + maxStackDepth);
    }
    if (maxRequestBytes < 1024) {
      throw new IllegalArgumentException(
          "max-request-bytes must be at least 1024, got " + maxRequestBytes);
    }
    if (ingestBytesPerSecond < 0) {
      throw new IllegalArgumentException(
          "ingest-bytes-per-second must be 0 (unlimited) or positive, got " + ingestBytesPerSecond);
    }
  }

  private static void positive(long v, String name) {
    if (v < 1) {
      throw new IllegalArgumentException(name + " must be positive, got " + v);
    }
  }

  /** True when retention is on. */
  public boolean hasRetention() {
    return !retention.isZero();
  }

  public Limits withRetention(Duration v) {
    return new Limits(
        v,
        maxSamplesPerProfile,
        maxStackDepth,
        maxLabels,
        maxLabelNameLength,
        maxLabelValueLength,
        maxSeries,
        maxRequestBytes,
        ingestBytesPerSecond);
  }

  public Limits withMaxSamplesPerProfile(int v) {
    return new Limits(
        retention,
        v,
        maxStackDepth,
        maxLabels,
        maxLabelNameLength,
        maxLabelValueLength,
        maxSeries,
        maxRequestBytes,
        ingestBytesPerSecond);
  }

  public Limits withMaxStackDepth(int v) {
    return new Limits(
        retention,
        maxSamplesPerProfile,
        v,
        maxLabels,
        maxLabelNameLength,
        maxLabelValueLength,
        maxSeries,
        maxRequestBytes,
        ingestBytesPerSecond);
  }

  public Limits withMaxLabels(int v) {
    return new Limits(
        retention,
        maxSamplesPerProfile,
        maxStackDepth,
        v,
        maxLabelNameLength,
        maxLabelValueLength,
        maxSeries,
        maxRequestBytes,
        ingestBytesPerSecond);
  }

  public Limits withMaxLabelNameLength(int v) {
    return new Limits(
        retention,
        maxSamplesPerProfile,
        maxStackDepth,
        maxLabels,
        v,
        maxLabelValueLength,
        maxSeries,
        maxRequestBytes,
        ingestBytesPerSecond);
  }

  public Limits withMaxLabelValueLength(int v) {
    return new Limits(
        retention,
        maxSamplesPerProfile,
        maxStackDepth,
        maxLabels,
        maxLabelNameLength,
        v,
        maxSeries,
        maxRequestBytes,
        ingestBytesPerSecond);
  }

  public Limits withMaxSeries(int v) {
    return new Limits(
        retention,
        maxSamplesPerProfile,
        maxStackDepth,
        maxLabels,
        maxLabelNameLength,
        maxLabelValueLength,
        v,
        maxRequestBytes,
        ingestBytesPerSecond);
  }

  public Limits withMaxRequestBytes(long v) {
    return new Limits(
        retention,
        maxSamplesPerProfile,
        maxStackDepth,
        maxLabels,
        maxLabelNameLength,
        maxLabelValueLength,
        maxSeries,
        v,
        ingestBytesPerSecond);
  }

  public Limits withIngestBytesPerSecond(long v) {
    return new Limits(
        retention,
        maxSamplesPerProfile,
        maxStackDepth,
        maxLabels,
        maxLabelNameLength,
        maxLabelValueLength,
        maxSeries,
        maxRequestBytes,
        v);
  }
}
