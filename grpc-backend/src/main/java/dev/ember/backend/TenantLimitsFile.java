package dev.ember.backend;

import dev.ember.index.store.Limits;
import dev.ember.index.store.TenantLimits;
import dev.ember.index.store.Tenants;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Reads per-tenant overrides of the limits: lines {@code <tenant>.<key> = <value>}, where the keys
 * are the command-line options without their dashes prefix ({@code retention}, {@code max-series},
 * ...) and a tenant starts from the defaults the command line set. {@code #} starts a comment.
 * Tenant ids may contain dots; the key is what follows the last dot.
 *
 * <pre>
 * # acme keeps a quarter and may send more
 * acme.retention = 90d
 * acme.max-series = 50000
 * acme.max-ingest-rate = 16
 * </pre>
 */
final class TenantLimitsFile {
  static final List<String> KEYS =
      List.of(
          "retention",
          "max-message-size",
          "max-samples-per-profile",
          "max-stack-depth",
          "max-labels",
          "max-label-name-length",
          "max-label-value-length",
          "max-series",
          "max-ingest-rate");

  private TenantLimitsFile() {}

  static TenantLimits read(Path file, Limits defaults) throws IOException {
    return parse(Files.readAllLines(file, StandardCharsets.UTF_8), defaults, file.toString());
  }

  /** Throws {@link IllegalArgumentException} naming the file, line and problem. */
  static TenantLimits parse(List<String> lines, Limits defaults, String source) {
    Map<String, Limits> overrides = new TreeMap<>();
    for (int n = 0; n < lines.size(); n++) {
      String line = lines.get(n);
      int hash = line.indexOf('#');
      if (hash >= 0) {
        line = line.substring(0, hash);
      }
      line = line.strip();
      if (line.isEmpty()) {
        continue;
      }
      String at = source + ":" + (n + 1) + ": ";
      int eq = line.indexOf('=');
      if (eq < 0) {
        throw new IllegalArgumentException(at + "expected <tenant>.<key> = <value>");
      }
      String left = line.substring(0, eq).strip();
      String value = line.substring(eq + 1).strip();
      int dot = left.lastIndexOf('.');
      if (dot <= 0) {
        throw new IllegalArgumentException(at + "expected <tenant>.<key> = <value>");
      }
      String tenant = left.substring(0, dot);
      String key = left.substring(dot + 1);
      try {
        Tenants.validate(tenant);
        Limits l = overrides.getOrDefault(tenant, defaults);
        overrides.put(tenant, apply(l, key, value));
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException(at + e.getMessage(), e);
      }
    }
    return new TenantLimits(defaults, overrides);
  }

  /** Applies one setting as the command line spells it (sizes in MiB, rates in MiB/s). */
  static Limits apply(Limits l, String key, String value) {
    return switch (key) {
      case "retention" -> l.withRetention(duration(value));
      case "max-message-size" -> l.withMaxRequestBytes(mib(value, key));
      case "max-samples-per-profile" -> l.withMaxSamplesPerProfile(integer(value, key));
      case "max-stack-depth" -> l.withMaxStackDepth(integer(value, key));
      case "max-labels" -> l.withMaxLabels(integer(value, key));
      case "max-label-name-length" -> l.withMaxLabelNameLength(integer(value, key));
      case "max-label-value-length" -> l.withMaxLabelValueLength(integer(value, key));
      case "max-series" -> l.withMaxSeries(integer(value, key));
      case "max-ingest-rate" -> l.withIngestBytesPerSecond(mib(value, key));
      default ->
          throw new IllegalArgumentException("unknown key '" + key + "'; known keys: " + KEYS);
    };
  }

  private static int integer(String v, String key) {
    try {
      return Integer.parseInt(v);
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException(key + " must be a whole number, got '" + v + "'");
    }
  }

  private static long mib(String v, String key) {
    try {
      double d = Double.parseDouble(v);
      if (d < 0 || Double.isNaN(d) || Double.isInfinite(d)) {
        throw new NumberFormatException();
      }
      return (long) (d * (1 << 20));
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException(key + " must be a number of MiB, got '" + v + "'");
    }
  }

  /** Durations such as 30d, 12h, 90m, 45s; 0 means "keep forever" where retention allows it. */
  static Duration duration(String s) {
    String v = s.strip().toLowerCase(java.util.Locale.ROOT);
    if (v.equals("0")) {
      return Duration.ZERO;
    }
    try {
      if (v.endsWith("ms")) {
        return Duration.ofMillis(Long.parseLong(v.substring(0, v.length() - 2)));
      }
      long n = Long.parseLong(v.substring(0, v.length() - 1));
      return switch (v.charAt(v.length() - 1)) {
        case 's' -> Duration.ofSeconds(n);
        case 'm' -> Duration.ofMinutes(n);
        case 'h' -> Duration.ofHours(n);
        case 'd' -> Duration.ofDays(n);
        case 'w' -> Duration.ofDays(7 * n);
        default -> throw new NumberFormatException();
      };
    } catch (NumberFormatException | StringIndexOutOfBoundsException e) {
      throw new IllegalArgumentException(
          "invalid duration '" + s + "' (use e.g. 90s, 30m, 12h, 30d, 2w, or 0)");
    }
  }
}
