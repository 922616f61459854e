package dev.ember.index.query;

import java.time.Instant;
import java.time.LocalDate;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;
import java.util.Locale;

/**
 * Parses the time forms Pyroscope accepts in {@code from}/{@code until}: {@code now}, {@code
 * now-<n><unit>} (s, m/min, h, d, w, M/mon = 30 d, y = 365 d), RFC 3339 ({@code
 * 2026-11-21T14:30:00Z}), {@code YYYYMMDD}, and Unix time whose unit follows from its digit count
 * (up to 10 digits seconds, 13 milliseconds, 16 microseconds, 19 nanoseconds). Results are Unix
 * nanoseconds.
 */
public final class TimeExpressions {
  private TimeExpressions() {}

  public static long parse(String text, Instant now) {
    if (text == null || text.isBlank()) {
      throw invalid(text);
    }
    String s = text.trim();
    long nowNanos = toNanos(now);
    if (s.equals("now")) {
      return nowNanos;
    }
    if (s.startsWith("now-") || s.startsWith("now+")) {
      long offset = offset(s.substring(4), text);
      return s.charAt(3) == '-' ? nowNanos - offset : nowNanos + offset;
    }
    if (s.chars().allMatch(Character::isDigit)) {
      return digits(s, text);
    }
    try {
      return toNanos(OffsetDateTime.parse(s).toInstant());
    } catch (DateTimeParseException e) {
      throw invalid(text);
    }
  }

  private static long digits(String s, String text) {
    if (s.length() == 8) {
      try {
        LocalDate d =
            LocalDate.of(
                Integer.parseInt(s.substring(0, 4)),
                Integer.parseInt(s.substring(4, 6)),
                Integer.parseInt(s.substring(6, 8)));
        return toNanos(d.atStartOfDay().toInstant(ZoneOffset.UTC));
      } catch (java.time.DateTimeException e) {
        // not a date: fall through to Unix seconds
      }
    }
    if (s.length() > 19) {
      throw invalid(text);
    }
    long v = Long.parseLong(s);
    int n = s.length();
    if (n <= 10) {
      return Math.multiplyExact(v, 1_000_000_000L);
    } else if (n <= 13) {
      return Math.multiplyExact(v, 1_000_000L);
    } else if (n <= 16) {
      return Math.multiplyExact(v, 1_000L);
    }
    return v;
  }

  private static long offset(String s, String text) {
    int i = 0;
    while (i < s.length() && Character.isDigit(s.charAt(i))) {
      i++;
    }
    if (i == 0 || i > 12) {
      throw invalid(text);
    }
    long n = Long.parseLong(s.substring(0, i));
    String unit = s.substring(i);
    long seconds =
        switch (unit) {
          case "s" -> 1;
          case "m", "min" -> 60;
          case "h" -> 3600;
          case "d" -> 86400;
          case "w" -> 7 * 86400;
          case "M", "mon" -> 30 * 86400;
          case "y" -> 365 * 86400;
          default -> throw invalid(text);
        };
    return Math.multiplyExact(Math.multiplyExact(n, seconds), 1_000_000_000L);
  }

  static long toNanos(Instant t) {
    return Math.addExact(Math.multiplyExact(t.getEpochSecond(), 1_000_000_000L), t.getNano());
  }

  private static IllegalArgumentException invalid(String text) {
    return new IllegalArgumentException(
        String.format(
            Locale.ROOT,
            "invalid time '%s': expected now, now-<n><unit> (s, m, h, d, w, M, y), RFC 3339"
                + " (2026-11-21T14:30:00Z), YYYYMMDD, or Unix seconds/ms/us/ns",
            text));
  }
}
