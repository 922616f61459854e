package dev.ember.backend;

import com.google.gson.stream.JsonWriter;
import dev.ember.index.query.FlameDiff;
import dev.ember.index.query.FlameGraph;
import dev.ember.index.query.SeriesResult;
import java.io.IOException;
import java.util.List;

/**
 * Writes Pyroscope's flamebearer JSON: {@code format: "single"} for a flame graph (with an optional
 * timeline) and {@code "double"} for a diff, the shapes the Pyroscope UI, its Grafana panel and our
 * UI read.
 */
final class FlamebearerJson {
  private FlamebearerJson() {}

  static void write(JsonWriter w, FlameGraph g, String profileType) throws IOException {
    write(w, g, profileType, null);
  }

  /** A single flame graph; {@code timeline} may be null. */
  static void write(JsonWriter w, FlameGraph g, String profileType, SeriesResult timeline)
      throws IOException {
    w.beginObject();
    w.name("version").value(1);
    w.name("flamebearer");
    flamebearer(w, g);
    metadata(w, profileType, "single");
    if (timeline != null) {
      w.name("timeline");
      timeline(w, timeline, sum(timeline));
      w.name("groups").nullValue();
    }
    w.endObject();
  }

  /** The {@code flamebearer} object of a single graph: names, levels, numTicks, maxSelf. */
  static void flamebearer(JsonWriter w, FlameGraph g) throws IOException {
    w.beginObject();
    names(w, g.names());
    levels(w, g.levels());
    w.name("numTicks").value(g.numTicks());
    w.name("maxSelf").value(g.maxSelf());
    w.endObject();
  }

  /** A diff as Pyroscope's render-diff answers it. */
  static void writeDiff(JsonWriter w, FlameDiff d, String profileType) throws IOException {
    w.beginObject();
    w.name("version").value(1);
    w.name("flamebearer");
    diffFlamebearer(w, d);
    metadata(w, profileType, "double");
    w.name("leftTicks").value(d.leftTicks());
    w.name("rightTicks").value(d.rightTicks());
    w.endObject();
  }

  static void diffFlamebearer(JsonWriter w, FlameDiff d) throws IOException {
    w.beginObject();
    names(w, d.names());
    levels(w, d.levels());
    w.name("numTicks").value(d.numTicks());
    w.name("maxSelf").value(d.maxSelf());
    w.name("leftTicks").value(d.leftTicks());
    w.name("rightTicks").value(d.rightTicks());
    w.endObject();
  }

  private static void names(JsonWriter w, List<String> names) throws IOException {
    w.name("names").beginArray();
    for (String n : names) {
      w.value(n);
    }
    w.endArray();
  }

  private static void levels(JsonWriter w, List<long[]> levels) throws IOException {
    w.name("levels").beginArray();
    for (long[] level : levels) {
      w.beginArray();
      for (long v : level) {
        w.value(v);
      }
      w.endArray();
    }
    w.endArray();
  }

  static void writeMetadata(JsonWriter w, String profileType, String format) throws IOException {
    metadata(w, profileType, format);
  }

  /** All series of a result summed into one (the overall timeline of a grouped render). */
  static SeriesResult.Series sum(SeriesResult r) {
    long[] values = new long[r.points()];
    long[] counts = new long[r.points()];
    for (SeriesResult.Series s : r.series()) {
      for (int i = 0; i < values.length; i++) {
        values[i] += s.values()[i];
        counts[i] += s.counts()[i];
      }
    }
    return new SeriesResult.Series(java.util.Map.of(), values, counts);
  }

  private static void metadata(JsonWriter w, String profileType, String format) throws IOException {
    String[] parts = profileType.split(":", -1);
    String unit = parts.length > 2 ? parts[2] : "";
    w.name("metadata").beginObject();
    w.name("format").value(format);
    w.name("spyName").value("ember");
    w.name("sampleRate").value(unit.equals("nanoseconds") ? 1_000_000_000L : 100L);
    w.name("units").value(units(unit));
    w.name("name").value(profileType);
    w.endObject();
  }

  /**
   * Pyroscope's timeline: {@code startTime} (Unix s) of the first step, one value per step of
   * {@code durationDelta} seconds, zeros where there is no data.
   */
  static void timeline(JsonWriter w, SeriesResult r, SeriesResult.Series s) throws IOException {
    long step = r.stepNanos() / 1_000_000_000L;
    w.beginObject();
    w.name("startTime").value(Math.floorDiv(r.fromNanos(), 1_000_000_000L));
    w.name("samples").beginArray();
    long[] values = s != null ? s.values() : new long[r.points()];
    for (long v : values) {
      w.value(v);
    }
    w.endArray();
    w.name("durationDelta").value(step);
    w.name("watermarks").beginObject().endObject();
    w.endObject();
  }

  /** Pyroscope's unit names: time as samples at sampleRate, bytes, and objects for counts. */
  static String units(String sampleUnit) {
    return switch (sampleUnit) {
      case "nanoseconds" -> "samples";
      case "bytes" -> "bytes";
      case "count" -> "objects";
      default -> sampleUnit;
    };
  }
}
