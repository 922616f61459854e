package dev.ember.exporter;

import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.function.Function;

/**
 * Validated exporter configuration. Every key, its default and its meaning is listed in {@code
 * otel-exporter/README.md}; bad values fail at start-up with a message naming the key.
 */
record ProfilingConfig(
    URI endpoint,
    Map<String, String> headers,
    boolean gzip,
    int gzipLevel,
    Duration timeout,
    Path trustedCertificates,
    Path clientKey,
    Path clientCertificate,
    Set<ProfileType> types,
    Duration exportInterval,
    Duration cpuInterval,
    int allocationRate,
    Duration lockThreshold,
    Duration blockThreshold,
    int stackDepth,
    int queueMaxWindows,
    long queueMaxBytes,
    Duration shutdownTimeout) {

  static final String ENABLED = "otel.profiling.enabled";
  static final String ENDPOINT = "otel.exporter.otlp.profiles.endpoint";
  static final String HEADERS = "otel.exporter.otlp.profiles.headers";
  static final String COMPRESSION = "otel.exporter.otlp.profiles.compression";
  static final String COMPRESSION_LEVEL = "otel.exporter.otlp.profiles.compression.level";
  static final String TIMEOUT = "otel.exporter.otlp.profiles.timeout";
  static final String CERTIFICATE = "otel.exporter.otlp.profiles.certificate";
  static final String CLIENT_KEY = "otel.exporter.otlp.profiles.client.key";
  static final String CLIENT_CERTIFICATE = "otel.exporter.otlp.profiles.client.certificate";
  static final String TYPES = "otel.profiling.types";
  static final String EXPORT_INTERVAL = "otel.profiling.export.interval";
  static final String CPU_INTERVAL = "otel.profiling.cpu.interval";
  static final String ALLOC_RATE = "otel.profiling.alloc.rate";
  static final String LOCK_THRESHOLD = "otel.profiling.lock.threshold";
  static final String BLOCK_THRESHOLD = "otel.profiling.block.threshold";
  static final String STACK_DEPTH = "otel.profiling.stack.depth";
  static final String QUEUE_MAX_WINDOWS = "otel.profiling.queue.max.windows";
  static final String QUEUE_MAX_BYTES = "otel.profiling.queue.max.bytes";
  static final String SHUTDOWN_TIMEOUT = "otel.profiling.shutdown.timeout";

  static final URI DEFAULT_ENDPOINT = URI.create("http://localhost:4317");
  static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(10);

  /**
   * gzip's fastest level. On the benchmark workload's windows it takes 38% of the CPU of level 6
   * (the usual default, and gRPC's) for 11% more bytes; Go's pprof writes profiles at this level
   * too. See docs/benchmarks.md.
   */
  static final int DEFAULT_GZIP_LEVEL = 1;

  static final String DEFAULT_TYPES = "cpu,alloc,mutex,block";
  static final Duration DEFAULT_EXPORT_INTERVAL = Duration.ofSeconds(10);
  static final Duration DEFAULT_CPU_INTERVAL = Duration.ofMillis(10);
  static final int DEFAULT_ALLOC_RATE = 150;
  static final Duration DEFAULT_LOCK_THRESHOLD = Duration.ofMillis(10);

  /**
   * Parks are far more frequent than monitor contention: every idle pool thread parks while it
   * waits for work, and each park above the threshold costs a stack walk on that thread. 20 ms
   * (JFR's own default.jfc value) records a quarter of the parks 10 ms would on the benchmark's
   * service while keeping every wait long enough to matter; see docs/benchmarks.md.
   */
  static final Duration DEFAULT_BLOCK_THRESHOLD = Duration.ofMillis(20);

  static final int DEFAULT_STACK_DEPTH = 64;
  static final int DEFAULT_QUEUE_MAX_WINDOWS = 30;
  static final long DEFAULT_QUEUE_MAX_BYTES = 8L << 20;
  static final Duration DEFAULT_SHUTDOWN_TIMEOUT = Duration.ofSeconds(10);

  /** The largest stack JFR can record (its own {@code stackdepth} limit is 2048). */
  static final int MAX_STACK_DEPTH = 2048;

  ProfilingConfig {
    Objects.requireNonNull(endpoint, "endpoint");
    headers = Map.copyOf(headers);
    types = Set.copyOf(types);
    require(
        "http".equals(endpoint.getScheme()) || "https".equals(endpoint.getScheme()),
        ENDPOINT,
        endpoint + " (must be http://host:port or https://host:port)");
    require(endpoint.getHost() != null, ENDPOINT, endpoint + " (no host)");
    require(!timeout.isNegative() && !timeout.isZero(), TIMEOUT, timeout + " (must be > 0)");
    require(
        gzipLevel >= 1 && gzipLevel <= 9,
        COMPRESSION_LEVEL,
        gzipLevel + " (must be between 1 (fastest) and 9 (smallest))");
    requireReadable(trustedCertificates, CERTIFICATE);
    requireReadable(clientKey, CLIENT_KEY);
    requireReadable(clientCertificate, CLIENT_CERTIFICATE);
    require(
        (clientKey == null) == (clientCertificate == null),
        clientKey == null ? CLIENT_KEY : CLIENT_CERTIFICATE,
        "client key and client certificate must be set together");
    require(!types.isEmpty(), TYPES, "(empty: name at least one of cpu, alloc, mutex, block)");
    require(
        exportInterval.compareTo(Duration.ofSeconds(1)) >= 0
            && exportInterval.compareTo(Duration.ofMinutes(10)) <= 0,
        EXPORT_INTERVAL,
        exportInterval + " (must be between 1s and 10m)");
    require(
        cpuInterval.compareTo(Duration.ofMillis(1)) >= 0
            && cpuInterval.compareTo(Duration.ofSeconds(1)) <= 0,
        CPU_INTERVAL,
        cpuInterval + " (must be between 1ms and 1s)");
    require(
        allocationRate >= 1 && allocationRate <= 10_000,
        ALLOC_RATE,
        allocationRate + " (must be between 1 and 10000 samples per second)");
    require(
        !lockThreshold.isNegative() && lockThreshold.compareTo(Duration.ofSeconds(10)) <= 0,
        LOCK_THRESHOLD,
        lockThreshold + " (must be between 0ms and 10s)");
    require(
        !blockThreshold.isNegative() && blockThreshold.compareTo(Duration.ofSeconds(10)) <= 0,
        BLOCK_THRESHOLD,
        blockThreshold + " (must be between 0ms and 10s)");
    require(
        stackDepth >= 1 && stackDepth <= MAX_STACK_DEPTH,
        STACK_DEPTH,
        stackDepth + " (must be between 1 and " + MAX_STACK_DEPTH + ")");
    require(
        queueMaxWindows >= 1 && queueMaxWindows <= 10_000,
        QUEUE_MAX_WINDOWS,
        queueMaxWindows + " (must be between 1 and 10000)");
    require(
        queueMaxBytes >= 64 << 10 && queueMaxBytes <= 1L << 30,
        QUEUE_MAX_BYTES,
        queueMaxBytes + " (must be between 64KiB and 1GiB)");
    require(
        !shutdownTimeout.isNegative() && shutdownTimeout.compareTo(Duration.ofMinutes(5)) <= 0,
        SHUTDOWN_TIMEOUT,
        shutdownTimeout + " (must be between 0s and 5m)");
  }

  static ProfilingConfig defaults() {
    return from(key -> null);
  }

  /** Reads the configuration through a property lookup (system properties, env, SDK config). */
  static ProfilingConfig from(Function<String, String> props) {
    String compression = orDefault(props, COMPRESSION, "gzip").toLowerCase(Locale.ROOT);
    require(
        compression.equals("gzip") || compression.equals("none"),
        COMPRESSION,
        compression + " (must be gzip or none)");
    return new ProfilingConfig(
        uri(props, ENDPOINT, DEFAULT_ENDPOINT),
        headers(props.apply(HEADERS)),
        compression.equals("gzip"),
        (int) number(props, COMPRESSION_LEVEL, DEFAULT_GZIP_LEVEL),
        duration(props, TIMEOUT, DEFAULT_TIMEOUT),
        path(props, CERTIFICATE),
        path(props, CLIENT_KEY),
        path(props, CLIENT_CERTIFICATE),
        types(orDefault(props, TYPES, DEFAULT_TYPES)),
        duration(props, EXPORT_INTERVAL, DEFAULT_EXPORT_INTERVAL),
        duration(props, CPU_INTERVAL, DEFAULT_CPU_INTERVAL),
        (int) number(props, ALLOC_RATE, DEFAULT_ALLOC_RATE),
        duration(props, LOCK_THRESHOLD, DEFAULT_LOCK_THRESHOLD),
        duration(props, BLOCK_THRESHOLD, DEFAULT_BLOCK_THRESHOLD),
        (int) number(props, STACK_DEPTH, DEFAULT_STACK_DEPTH),
        (int) number(props, QUEUE_MAX_WINDOWS, DEFAULT_QUEUE_MAX_WINDOWS),
        bytes(props, QUEUE_MAX_BYTES, DEFAULT_QUEUE_MAX_BYTES),
        duration(props, SHUTDOWN_TIMEOUT, DEFAULT_SHUTDOWN_TIMEOUT));
  }

  static boolean enabled(Function<String, String> props) {
    String v = orDefault(props, ENABLED, "false").toLowerCase(Locale.ROOT);
    require(v.equals("true") || v.equals("false"), ENABLED, v + " (must be true or false)");
    return v.equals("true");
  }

  boolean enabled(ProfileType type) {
    return types.contains(type);
  }

  private static String orDefault(Function<String, String> props, String key, String def) {
    String v = props.apply(key);
    return v == null || v.isBlank() ? def : v.trim();
  }

  private static URI uri(Function<String, String> props, String key, URI def) {
    String v = props.apply(key);
    if (v == null || v.isBlank()) {
      return def;
    }
    try {
      return URI.create(v.trim());
    } catch (IllegalArgumentException e) {
      throw new ConfigurationError(key, v + " (" + e.getMessage() + ")");
    }
  }

  private static Path path(Function<String, String> props, String key) {
    String v = props.apply(key);
    return v == null || v.isBlank() ? null : Path.of(v.trim());
  }

  private static void requireReadable(Path p, String key) {
    require(p == null || Files.isReadable(p), key, p + " (file does not exist or is not readable)");
  }

  static Set<ProfileType> types(String v) {
    Set<ProfileType> out = EnumSet.noneOf(ProfileType.class);
    for (String part : v.split(",")) {
      String name = part.trim().toLowerCase(Locale.ROOT);
      if (name.isEmpty()) {
        continue;
      }
      ProfileType t = ProfileType.byConfigName(name);
      if (t == null) {
        if (name.equals("wall")) {
          throw new ConfigurationError(
              TYPES,
              "wall (JFR has no wall-clock sampler: its execution samples skip parked and blocked"
                  + " threads and take at most 5 threads per period, so a wall profile built from"
                  + " them would lie; use mutex and block for off-CPU time)");
        }
        throw new ConfigurationError(
            TYPES, part.trim() + " (unknown profile type; use cpu, alloc, mutex, block)");
      }
      out.add(t);
    }
    return out;
  }

  private static long number(Function<String, String> props, String key, long def) {
    String v = props.apply(key);
    if (v == null || v.isBlank()) {
      return def;
    }
    try {
      return Long.parseLong(v.trim());
    } catch (NumberFormatException e) {
      throw new ConfigurationError(key, v + " (expected a whole number)");
    }
  }

  /** A byte size: a number with an optional unit KiB, MiB or GiB (k, m, g also accepted). */
  static long bytes(Function<String, String> props, String key, long def) {
    String v = props.apply(key);
    if (v == null || v.isBlank()) {
      return def;
    }
    String s = v.trim().toLowerCase(Locale.ROOT);
    int i = 0;
    while (i < s.length() && Character.isDigit(s.charAt(i))) {
      i++;
    }
    if (i == 0 || i > 12) {
      throw new ConfigurationError(key, v + " (expected a size such as 8MiB or 524288)");
    }
    long n = Long.parseLong(s.substring(0, i));
    switch (s.substring(i).trim()) {
      case "":
      case "b":
        return n;
      case "k":
      case "kb":
      case "kib":
        return n << 10;
      case "m":
      case "mb":
      case "mib":
        return n << 20;
      case "g":
      case "gb":
      case "gib":
        return n << 30;
      default:
        throw new ConfigurationError(key, v + " (unit must be KiB, MiB or GiB)");
    }
  }

  /** OTel duration syntax: a number with unit ms, s, m, h or d; a bare number is milliseconds. */
  static Duration duration(Function<String, String> props, String key, Duration def) {
    String v = props.apply(key);
    if (v == null || v.isBlank()) {
      return def;
    }
    String s = v.trim().toLowerCase(Locale.ROOT);
    int i = 0;
    while (i < s.length() && Character.isDigit(s.charAt(i))) {
      i++;
    }
    if (i == 0) {
      throw new ConfigurationError(key, v + " (expected a duration such as 10s or 500ms)");
    }
    long n;
    try {
      n = Long.parseLong(s.substring(0, i));
    } catch (NumberFormatException e) {
      throw new ConfigurationError(key, v + " (number too large)");
    }
    try {
      switch (s.substring(i).trim()) {
        case "":
        case "ms":
          return Duration.ofMillis(n);
        case "s":
          return Duration.ofSeconds(n);
        case "m":
          return Duration.ofMinutes(n);
        case "h":
          return Duration.ofHours(n);
        case "d":
          return Duration.ofDays(n);
        default:
          throw new ConfigurationError(key, v + " (unit must be ms, s, m, h or d)");
      }
    } catch (ArithmeticException e) {
      throw new ConfigurationError(key, v + " (number too large)");
    }
  }

  /** OTLP header syntax: {@code key1=value1,key2=value2}. */
  static Map<String, String> headers(String v) {
    Map<String, String> out = new LinkedHashMap<>();
    if (v == null || v.isBlank()) {
      return out;
    }
    for (String pair : v.split(",")) {
      int eq = pair.indexOf('=');
      if (eq <= 0) {
        throw new ConfigurationError(HEADERS, pair + " (expected key=value)");
      }
      String name = pair.substring(0, eq).trim().toLowerCase(Locale.ROOT);
      if (!name.matches("[a-z0-9_.-]+") || name.endsWith("-bin")) {
        throw new ConfigurationError(
            HEADERS, pair + " (header names use a-z, 0-9, '-', '_', '.' and no -bin suffix)");
      }
      out.put(name, pair.substring(eq + 1).trim());
    }
    return out;
  }

  private static void require(boolean ok, String key, String detail) {
    if (!ok) {
      throw new ConfigurationError(key, detail);
    }
  }

  @Override
  public String toString() {
    return "endpoint="
        + endpoint
        + ", types="
        + types
        + ", export interval="
        + exportInterval
        + ", cpu interval="
        + cpuInterval
        + ", alloc rate="
        + allocationRate
        + "/s, lock threshold="
        + lockThreshold
        + ", block threshold="
        + blockThreshold
        + ", stack depth="
        + stackDepth
        + ", gzip="
        + (gzip ? "level " + gzipLevel : "off")
        + ", headers="
        + headers.keySet();
  }
}
