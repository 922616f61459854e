package dev.ember.backend;

import dev.ember.index.query.FlameGraph;
import dev.ember.index.query.FlameQL;
import dev.ember.index.query.FlameQuery;
import dev.ember.index.query.Selection;
import dev.ember.index.query.TimeExpressions;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The query parameters of one HTTP request with typed getters; a missing or malformed parameter
 * becomes a 400 whose message names it.
 */
final class Params {
  private final Map<String, String> values;
  private final Instant now;

  Params(Map<String, String> values, Instant now) {
    this.values = values;
    this.now = now;
  }

  Instant now() {
    return now;
  }

  String get(String name, String fallback) {
    String v = values.get(name);
    return v == null || v.isEmpty() ? fallback : v;
  }

  /** The first present of several names (aliases such as maxNodes / max-nodes). */
  String first(String fallback, String... names) {
    for (String n : names) {
      String v = values.get(n);
      if (v != null && !v.isEmpty()) {
        return v;
      }
    }
    return fallback;
  }

  String required(String name) {
    String v = values.get(name);
    if (v == null || v.isEmpty()) {
      throw new HttpApi.HttpError(400, "missing query parameter '" + name + "'");
    }
    return v;
  }

  FlameQuery query(String name) {
    String text = required(name);
    try {
      return FlameQL.parse(text);
    } catch (IllegalArgumentException e) {
      throw new HttpApi.HttpError(400, "invalid '" + name + "': " + e.getMessage());
    }
  }

  /** An optional selector (for label listings); null when absent. */
  FlameQuery optionalQuery(String name) {
    String text = values.get(name);
    if (text == null || text.isBlank()) {
      return null;
    }
    return query(name);
  }

  long time(String name, String fallback) {
    String text = get(name, fallback);
    try {
      return TimeExpressions.parse(text, now);
    } catch (IllegalArgumentException | ArithmeticException e) {
      throw new HttpApi.HttpError(400, "invalid '" + name + "': " + e.getMessage());
    }
  }

  /** [from, until) from two parameters, defaulting to the last hour. */
  long[] range(String fromName, String untilName, String defaultFrom) {
    long from = time(fromName, defaultFrom);
    long until = time(untilName, "now");
    if (until <= from) {
      throw new HttpApi.HttpError(
          400,
          "'"
              + untilName
              + "' ("
              + get(untilName, "now")
              + ") must be after '"
              + fromName
              + "' ("
              + get(fromName, defaultFrom)
              + ")");
    }
    return new long[] {from, until};
  }

  Selection selection(String queryName, String fromName, String untilName) {
    long[] r = range(fromName, untilName, "now-1h");
    return new Selection(query(queryName), r[0], r[1]);
  }

  int integer(String fallbackText, int min, int max, String... names) {
    String v = first(fallbackText, names);
    try {
      int n = Integer.parseInt(v.trim());
      if (n < min || n > max) {
        throw new NumberFormatException();
      }
      return n;
    } catch (NumberFormatException e) {
      throw new HttpApi.HttpError(
          400,
          "'" + names[0] + "' must be an integer from " + min + " to " + max + ", got '" + v + "'");
    }
  }

  int maxNodes() {
    return integer(
        Integer.toString(FlameGraph.DEFAULT_MAX_NODES),
        1,
        FlameGraph.MAX_NODES_LIMIT,
        "maxNodes",
        "max-nodes");
  }

  /** A comma-separated list; empty when absent. */
  List<String> list(String name) {
    List<String> out = new ArrayList<>();
    for (String part : get(name, "").split(",")) {
      if (!part.isBlank()) {
        out.add(part.trim());
      }
    }
    return out;
  }

  /** One of the allowed values (case-insensitive), lower case. */
  String choice(String name, String fallback, String... allowed) {
    String v = get(name, fallback).toLowerCase(Locale.ROOT);
    for (String a : allowed) {
      if (a.equals(v)) {
        return v;
      }
    }
    throw new HttpApi.HttpError(
        400, "'" + name + "' must be one of " + String.join(", ", allowed) + ", got '" + v + "'");
  }

  /** A duration such as 15s, 1m, 1h, or a number of seconds. */
  long durationNanos(String name, long fallbackNanos) {
    String v = values.get(name);
    if (v == null || v.isEmpty()) {
      return fallbackNanos;
    }
    String s = v.trim().toLowerCase(Locale.ROOT);
    try {
      double n;
      long unit;
      if (s.endsWith("ms")) {
        n = Double.parseDouble(s.substring(0, s.length() - 2));
        unit = 1_000_000L;
      } else if (s.endsWith("s")) {
        n = Double.parseDouble(s.substring(0, s.length() - 1));
        unit = 1_000_000_000L;
      } else if (s.endsWith("m")) {
        n = Double.parseDouble(s.substring(0, s.length() - 1));
        unit = 60_000_000_000L;
      } else if (s.endsWith("h")) {
        n = Double.parseDouble(s.substring(0, s.length() - 1));
        unit = 3_600_000_000_000L;
      } else if (s.endsWith("d")) {
        n = Double.parseDouble(s.substring(0, s.length() - 1));
        unit = 86_400_000_000_000L;
      } else {
        n = Double.parseDouble(s);
        unit = 1_000_000_000L;
      }
      if (!(n > 0) || n * unit > Long.MAX_VALUE / 2.0) {
        throw new NumberFormatException();
      }
      return (long) (n * unit);
    } catch (NumberFormatException e) {
      throw new HttpApi.HttpError(
          400, "'" + name + "' must be a positive duration such as 15s, 1m or 1h, got '" + v + "'");
    }
  }
}
