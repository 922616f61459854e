package dev.ember.backend;

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
 * @param httpPort HTTP API and UI port (0 picks a free one)
 * @param partition time span of one storage partition
 * @param maxMessageBytes largest accepted request, after decompression
 * @param requireTenant reject requests without {@code X-Scope-OrgID} instead of using the default
 */
public record BackendConfig(
    Path dataDir,
    String bindAddress,
    int grpcPort,
    int httpPort,
    Duration partition,
    int maxMessageBytes,
    boolean requireTenant) {

  public static final int DEFAULT_GRPC_PORT = 4317;
  public static final int DEFAULT_HTTP_PORT = 4040;
  public static final int DEFAULT_MAX_MESSAGE_BYTES = 64 << 20;

  public BackendConfig {
    Objects.requireNonNull(dataDir, "dataDir");
    Objects.requireNonNull(bindAddress, "bindAddress");
    if (grpcPort < 0 || grpcPort > 65535 || httpPort < 0 || httpPort > 65535) {
      throw new IllegalArgumentException("ports must be within 0..65535");
    }
    if (maxMessageBytes < 1024) {
      throw new IllegalArgumentException("max message size must be at least 1 KiB");
    }
  }

  /** Defaults on the given data directory, listening on loopback with free ports (for tests). */
  public static BackendConfig forTests(Path dataDir) {
    return new BackendConfig(
        dataDir, "127.0.0.1", 0, 0, Duration.ofHours(1), DEFAULT_MAX_MESSAGE_BYTES, false);
  }
}
