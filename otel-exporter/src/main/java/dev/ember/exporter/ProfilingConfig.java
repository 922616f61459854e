package dev.ember.exporter;

import java.net.URI;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.function.Function;

/**
 * Validated exporter configuration. Every key, its default and its meaning is listed in {@code
 * otel-exporter/README.md}; bad values fail at start-up with a message naming the key.
 */
record ProfilingConfig(
    URI endpoint,
    Map<String, String> headers,
    boolean gzip,
    Duration timeout,
    Duration exportInterval,
    Duration cpuInterval) {

  static final String ENABLED = "otel.profiling.enabled";
  static final String ENDPOINT = "otel.exporter.otlp.profiles.endpoint";
  static final String HEADERS = "otel.exporter.otlp.profiles.headers";
  static final String COMPRESSION = "otel.exporter.otlp.profiles.compression";
  static final String TIMEOUT = "otel.exporter.otlp.profiles.timeout";
  static final String EXPORT_INTERVAL = "otel.profiling.export.interval";
  static final String CPU_INTERVAL = "otel.profiling.cpu.interval";

  static final URI DEFAULT_ENDPOINT = URI.create("http://localhost:4317");
  static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(10);
  static final Duration DEFAULT_EXPORT_INTERVAL = Duration.ofSeconds(10);
  static final Duration DEFAULT_CPU_INTERVAL = Duration.ofMillis(10);

  ProfilingConfig {
    Objects.requireNonNull(endpoint, "endpoint");
    headers = Map.copyOf(headers);
    require(
        "http".equals(endpoint.getScheme()) || "https".equals(endpoint.getScheme()),
        ENDPOINT,
        endpoint + " (must be http://host:port or https://host:port)");
    require(endpoint.getHost() != null, ENDPOINT, endpoint + " (no host)");
    require(!timeout.isNegative() && !timeout.isZero(), TIMEOUT, timeout + " (must be > 0)");
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
        duration(props, TIMEOUT, DEFAULT_TIMEOUT),
        duration(props, EXPORT_INTERVAL, DEFAULT_EXPORT_INTERVAL),
        duration(props, CPU_INTERVAL, DEFAULT_CPU_INTERVAL));
  }

  static boolean enabled(Function<String, String> props) {
    String v = orDefault(props, ENABLED, "false").trim().toLowerCase(Locale.ROOT);
    require(v.equals("true") || v.equals("false"), ENABLED, v + " (must be true or false)");
    return v.equals("true");
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
      out.put(pair.substring(0, eq).trim(), pair.substring(eq + 1).trim());
    }
    return out;
  }

  private static void require(boolean ok, String key, String detail) {
    if (!ok) {
      throw new ConfigurationError(key, detail);
    }
  }
}
