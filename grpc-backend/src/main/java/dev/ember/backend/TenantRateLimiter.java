package dev.ember.backend;

import dev.ember.index.store.Limits;
import dev.ember.index.store.TenantLimits;
import java.time.Duration;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Per-tenant ingest rate in request bytes per second ({@link Limits#ingestBytesPerSecond}), as a
 * token bucket that holds one second of rate or one maximal request, whichever is larger. A request
 * over the rate is refused with the time after which the same request would pass. Thread-safe.
 */
final class TenantRateLimiter {
  private final TenantLimits limits;
  private final ConcurrentHashMap<String, Bucket> buckets = new ConcurrentHashMap<>();

  TenantRateLimiter(TenantLimits limits) {
    this.limits = limits;
  }

  private static final class Bucket {
    private final double rate; // bytes per nanosecond
    private final double capacity;
    private double tokens;
    private long last;

    Bucket(long bytesPerSecond, long maxRequest, long now) {
      this.rate = bytesPerSecond / 1e9;
      this.capacity = Math.max(bytesPerSecond, maxRequest);
      this.tokens = capacity;
      this.last = now;
    }

    /** Takes the bytes, or returns the nanoseconds to wait before they are available. */
    synchronized long take(long bytes, long now) {
      tokens = Math.min(capacity, tokens + (now - last) * rate);
      last = now;
      if (tokens >= bytes) {
        tokens -= bytes;
        return 0;
      }
      return (long) Math.ceil((bytes - tokens) / rate);
    }
  }

  /** Charges the request to its tenant or throws {@link IngestException.Kind#OVERLOADED}. */
  void charge(String tenant, long bytes) {
    Limits l = limits.of(tenant);
    if (l.ingestBytesPerSecond() == 0) {
      return;
    }
    long now = System.nanoTime();
    Bucket b =
        buckets.computeIfAbsent(
            tenant, t -> new Bucket(l.ingestBytesPerSecond(), l.maxRequestBytes(), now));
    long wait = b.take(bytes, now);
    if (wait > 0) {
      Duration after = Duration.ofNanos(wait).plusMillis(1);
      throw new IngestException(
          IngestException.Kind.OVERLOADED,
          "rate_limited",
          "tenant '"
              + tenant
              + "' is over its ingest rate of "
              + l.ingestBytesPerSecond()
              + " bytes/s (max-ingest-rate); retry after "
              + after.toMillis()
              + " ms",
          after);
    }
  }
}
