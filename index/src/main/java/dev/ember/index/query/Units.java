package dev.ember.index.query;

import java.util.Locale;

/** Formats sample values for people: nanoseconds as time, bytes in binary units, counts as is. */
public final class Units {
  private Units() {}

  /** The sample unit of a five-part profile type ID ("nanoseconds", "bytes", "count"...). */
  public static String unitOf(String profileType) {
    String[] p = profileType.split(":", -1);
    return p.length > 2 ? p[2] : "";
  }

  public static String format(long value, String unit) {
    double v = value;
    return switch (unit) {
      case "nanoseconds" -> {
        double a = Math.abs(v);
        if (a >= 3600e9) {
          yield String.format(Locale.ROOT, "%.2f h", v / 3600e9);
        } else if (a >= 60e9) {
          yield String.format(Locale.ROOT, "%.2f min", v / 60e9);
        } else if (a >= 1e9) {
          yield String.format(Locale.ROOT, "%.2f s", v / 1e9);
        } else if (a >= 1e6) {
          yield String.format(Locale.ROOT, "%.2f ms", v / 1e6);
        } else if (a >= 1e3) {
          yield String.format(Locale.ROOT, "%.2f µs", v / 1e3);
        }
        yield value + " ns";
      }
      case "bytes" -> {
        double a = Math.abs(v);
        if (a >= 1L << 30) {
          yield String.format(Locale.ROOT, "%.2f GiB", v / (1L << 30));
        } else if (a >= 1 << 20) {
          yield String.format(Locale.ROOT, "%.2f MiB", v / (1 << 20));
        } else if (a >= 1 << 10) {
          yield String.format(Locale.ROOT, "%.2f KiB", v / (1 << 10));
        }
        yield value + " B";
      }
      default -> Long.toString(value);
    };
  }

  /** A share as a percentage with two decimals; "0.00%" when the whole is zero. */
  public static String percent(long part, long whole) {
    return String.format(Locale.ROOT, "%.2f%%", whole == 0 ? 0.0 : 100.0 * part / whole);
  }
}
