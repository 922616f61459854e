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
 */
public record StoreConfig(Path dataDir, Duration partitionDuration, Duration commitInterval) {
  public static final Duration DEFAULT_PARTITION = Duration.ofHours(1);
  public static final Duration DEFAULT_COMMIT_INTERVAL = Duration.ofSeconds(10);

  public StoreConfig {
    Objects.requireNonNull(dataDir, "dataDir");
    if (partitionDuration.compareTo(Duration.ofMinutes(1)) < 0
        || partitionDuration.compareTo(Duration.ofDays(1)) > 0
        || Duration.ofDays(1).toSeconds() % partitionDuration.toSeconds() != 0) {
      throw new IllegalArgumentException(
          "partition duration must divide a day and lie between 1m and 1d, got "
              + partitionDuration);
    }
    if (commitInterval.isNegative() || commitInterval.isZero()) {
      throw new IllegalArgumentException("commit interval must be positive, got " + commitInterval);
    }
  }

  public static StoreConfig of(Path dataDir) {
    return new StoreConfig(dataDir, DEFAULT_PARTITION, DEFAULT_COMMIT_INTERVAL);
  }
}
