package dev.ember.backend;

import dev.ember.index.store.Limits;
import dev.ember.index.store.StoreConfig;
import dev.ember.index.store.TenantLimits;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Objects;

/**
 * Backend settings; {@link BackendMain} maps command-line options onto them and documents the
 * defaults.
 *
 * @param dataDir where the store keeps tenants and partitions
 * @param bindAddress the address both servers listen on
 * @param grpcPort OTLP gRPC port (0 picks a free one)
 * @param httpPort HTTP API, OTLP/HTTP, pprof push, metrics and UI port (0 picks a free one)
 * @param partition time span of one storage partition
 * @param requireTenant reject requests without {@code X-Scope-OrgID} instead of using the default
 * @param limits per-tenant retention and ingest limits (request size included)
 * @param ingestMemoryBytes request bytes that may be decoded and stored at once before clients are
 *     told to retry
 * @param maintenance how often the store applies retention, compacts sealed partitions and closes
 *     idle ones
 */
public record BackendConfig(
    Path dataDir,
    String bindAddress,
    int grpcPort,
    int httpPort,
    Duration partition,
    boolean requireTenant,
    TenantLimits limits,
    long ingestMemoryBytes,
    Duration maintenance) {

  public static final int DEFAULT_GRPC_PORT = 4317;
  public static final int DEFAULT_HTTP_PORT = 4040;

  public BackendConfig {
    Objects.requireNonNull(dataDir, "dataDir");
    Objects.requireNonNull(bindAddress, "bindAddress");
    Objects.requireNonNull(partition, "partition");
    Objects.requireNonNull(limits, "limits");
    Objects.requireNonNull(maintenance, "maintenance");
    if (grpcPort < 0 || grpcPort > 65535 || httpPort < 0 || httpPort > 65535) {
      throw new IllegalArgumentException("ports must be within 0..65535");
    }
    if (ingestMemoryBytes < 1 << 20) {
      throw new IllegalArgumentException("ingest memory must be at least 1 MiB");
    }
  }

  /** The largest request any tenant may send: the gRPC transport's inbound message limit. */
  public int maxMessageBytes() {
    long max = limits.defaults().maxRequestBytes();
    for (Limits l : limits.overrides().values()) {
      max = Math.max(max, l.maxRequestBytes());
    }
    return (int) Math.min(Integer.MAX_VALUE - 1024, max);
  }

  /**
   * Defaults on the given data directory, listening on loopback with free ports, keeping data
   * forever so tests can use fixed timestamps (tests of retention set their own limits).
   */
  public static BackendConfig forTests(Path dataDir) {
    return new BackendConfig(
        dataDir,
        "127.0.0.1",
        0,
        0,
        Duration.ofHours(1),
        false,
        TenantLimits.of(Limits.DEFAULT.withRetention(Limits.KEEP_FOREVER)),
        IngestGate.defaultBudget(),
        StoreConfig.DEFAULT_MAINTENANCE_INTERVAL);
  }

  public BackendConfig withLimits(TenantLimits v) {
    return new BackendConfig(
        dataDir,
        bindAddress,
        grpcPort,
        httpPort,
        partition,
        requireTenant,
        v,
        ingestMemoryBytes,
        maintenance);
  }

  public BackendConfig withRequireTenant(boolean v) {
    return new BackendConfig(
        dataDir,
        bindAddress,
        grpcPort,
        httpPort,
        partition,
        v,
        limits,
        ingestMemoryBytes,
        maintenance);
  }

  public BackendConfig withIngestMemoryBytes(long v) {
    return new BackendConfig(
        dataDir, bindAddress, grpcPort, httpPort, partition, requireTenant, limits, v, maintenance);
  }

  public BackendConfig withPorts(int grpc, int http) {
    return new BackendConfig(
        dataDir,
        bindAddress,
        grpc,
        http,
        partition,
        requireTenant,
        limits,
        ingestMemoryBytes,
        maintenance);
  }
}
