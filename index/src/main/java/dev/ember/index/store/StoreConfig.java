package dev.ember.index.store;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Objects;

/**
 * Configuration of the embedded store.
 *
 * @param dataDir where tenants and partitions live
 * @param partitionDuration the time span of one partition (default 1 h); retention drops whole
 *     partitions and queries skip partitions outside their range
 * @param commitInterval how often Lucene indexes are committed (default 10 s); commits only bound
 *     the work of a restart, durability comes from the log
 * @param limits per-tenant retention and ingest limits
 * @param maintenanceInterval how often the background maintenance runs (default 1 min): retention,
 *     compaction of sealed partitions, closing idle ones
 * @param idleClose a sealed partition no query or ingest used for this long is closed to free its
 *     memory (default 15 min); it reopens on the next use
 */
public record StoreConfig(
    Path dataDir,
    Duration partitionDuration,
    Duration commitInterval,
    TenantLimits limits,
    Duration maintenanceInterval,
    Duration idleClose) {
  public static final Duration DEFAULT_PARTITION = Duration.ofHours(1);
  public static final Duration DEFAULT_COMMIT_INTERVAL = Duration.ofSeconds(10);
  public static final Duration DEFAULT_MAINTENANCE_INTERVAL = Duration.ofMinutes(1);
  public static final Duration DEFAULT_IDLE_CLOSE = Duration.ofMinutes(15);

  public StoreConfig {
    Objects.requireNonNull(dataDir, "dataDir");
    Objects.requireNonNull(limits, "limits");
    if (partitionDuration.compareTo(Duration.ofMinutes(1)) < 0
        || partitionDuration.compareTo(Duration.ofDays(1)) > 0
        || Duration.ofDays(1).toSeconds() % partitionDuration.toSeconds() != 0
        || partitionDuration.toNanos() % 1_000_000_000L != 0) {
      throw new IllegalArgumentException(
          "partition duration must divide a day and lie between 1m and 1d, got "
              + partitionDuration);
    }
    positive(commitInterval, "commit interval");
    positive(maintenanceInterval, "maintenance interval");
    positive(idleClose, "idle close");
  }

  private static void positive(Duration d, String name) {
    if (d.isNegative() || d.isZero()) {
      throw new IllegalArgumentException(name + " must be positive, got " + d);
    }
  }

  /** Default limits but no retention: for embedding and tests that store fixed old timestamps. */
  public StoreConfig(Path dataDir, Duration partitionDuration, Duration commitInterval) {
    this(
        dataDir,
        partitionDuration,
        commitInterval,
        TenantLimits.of(Limits.DEFAULT.withRetention(Limits.KEEP_FOREVER)),
        DEFAULT_MAINTENANCE_INTERVAL,
        DEFAULT_IDLE_CLOSE);
  }

  /**
   * Default partitioning and limits, but no retention (data is kept forever): for embedding and
   * tests. A backend passes its limits, whose retention defaults to 30 days, with {@link
   * #withLimits}.
   */
  public static StoreConfig of(Path dataDir) {
    return new StoreConfig(dataDir, DEFAULT_PARTITION, DEFAULT_COMMIT_INTERVAL);
  }

  public StoreConfig withLimits(TenantLimits v) {
    return new StoreConfig(
        dataDir, partitionDuration, commitInterval, v, maintenanceInterval, idleClose);
  }

  public StoreConfig withPartitionDuration(Duration v) {
    return new StoreConfig(dataDir, v, commitInterval, limits, maintenanceInterval, idleClose);
  }

  public StoreConfig withCommitInterval(Duration v) {
    return new StoreConfig(dataDir, partitionDuration, v, limits, maintenanceInterval, idleClose);
  }

  public StoreConfig withMaintenance(Duration interval, Duration idle) {
    return new StoreConfig(dataDir, partitionDuration, commitInterval, limits, interval, idle);
  }
}
