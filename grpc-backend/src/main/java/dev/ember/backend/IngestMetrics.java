package dev.ember.backend;

import dev.ember.index.store.ProfileStore;
import dev.ember.index.store.StoreStats;
import dev.ember.index.store.TenantStats;
import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * The backend's self-metrics, as {@code /metrics} shows them: what was ingested, what was refused
 * and why, how long ingest took, and how large the store is. Receivers report through the one
 * {@link IngestPipeline}, so every protocol is counted the same way.
 */
final class IngestMetrics {
  private static final Logger logger = Logger.getLogger(IngestMetrics.class.getName());

  /** Store size is read from disk at most this often, however often Prometheus scrapes. */
  static final long STATS_TTL_NANOS = 10_000_000_000L;

  private static final double[] LATENCY_BOUNDS = {
    0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10
  };

  final Metrics registry = new Metrics();
  final Metrics.Counter requests =
      registry.counter(
          "ember_ingest_requests_total",
          "Ingest requests by receiver, tenant and outcome (ok, partial, refused).",
          "receiver",
          "tenant",
          "outcome");
  final Metrics.Counter profiles =
      registry.counter(
          "ember_ingested_profiles_total", "Profiles stored durably.", "receiver", "tenant");
  final Metrics.Counter samples =
      registry.counter(
          "ember_ingested_samples_total",
          "Samples stored (after merging equal samples).",
          "receiver",
          "tenant");
  final Metrics.Counter bytes =
      registry.counter(
          "ember_ingested_bytes_total",
          "Request bytes (decompressed) of accepted requests.",
          "receiver",
          "tenant");
  final Metrics.Counter rejectedProfiles =
      registry.counter(
          "ember_rejected_profiles_total",
          "Profiles refused inside otherwise accepted requests (partial success), by reason.",
          "receiver",
          "tenant",
          "reason");
  final Metrics.Counter rejectedRequests =
      registry.counter(
          "ember_rejected_requests_total",
          "Whole requests refused, by reason (invalid, too_large, overloaded, ...).",
          "receiver",
          "reason");
  final Metrics.Histogram latency =
      registry.histogram(
          "ember_ingest_duration_seconds",
          "Time from a received request to its durable acknowledgement or refusal.",
          LATENCY_BOUNDS,
          "receiver");

  private volatile StoreStats cached;
  private volatile long cachedAt;

  IngestMetrics(ProfileStore store, IngestGate gate) {
    registry.gauge(
        "ember_ingest_inflight_bytes",
        "Request bytes being decoded, validated and stored right now.",
        () -> Map.of(List.of(), (double) gate.inFlight()));
    registry.gauge(
        "ember_ingest_memory_budget_bytes",
        "Request bytes that may be in progress at once before clients are told to retry.",
        () -> Map.of(List.of(), (double) gate.budget()));
    registry.gauge(
        "ember_store_bytes",
        "Bytes on disk per tenant (logs and indexes).",
        () -> perTenant(store, TenantStats::bytesOnDisk),
        "tenant");
    registry.gauge(
        "ember_store_partitions",
        "Time partitions per tenant.",
        () -> perTenant(store, t -> (long) t.partitions()),
        "tenant");
  }

  private Map<List<String>, Double> perTenant(
      ProfileStore store, Function<TenantStats, Long> value) {
    StoreStats s = stats(store);
    Map<List<String>, Double> out = new LinkedHashMap<>();
    s.tenants().forEach((t, st) -> out.put(List.of(t), (double) value.apply(st)));
    return out;
  }

  private StoreStats stats(ProfileStore store) {
    StoreStats s = cached;
    long now = System.nanoTime();
    if (s == null || now - cachedAt > STATS_TTL_NANOS) {
      try {
        s = store.stats();
        cached = s;
        cachedAt = now;
      } catch (IOException e) {
        logger.log(Level.FINE, "store stats unavailable", e);
        s = s == null ? new StoreStats(Map.of()) : s;
      }
    }
    return s;
  }
}
