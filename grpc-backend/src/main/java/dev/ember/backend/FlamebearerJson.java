package dev.ember.backend;

import com.google.gson.stream.JsonWriter;
import dev.ember.index.query.FlameGraph;
import java.io.IOException;

/**
 * Writes a {@link FlameGraph} as Pyroscope's flamebearer JSON ({@code format: "single"}), the shape
 * the Pyroscope UI, its Grafana panel and our UI read.
 */
final class FlamebearerJson {
  private FlamebearerJson() {}

  static void write(JsonWriter w, FlameGraph g, String profileType) throws IOException {
    String[] parts = profileType.split(":", -1);
    String unit = parts.length > 2 ? parts[2] : "";
    w.beginObject();
    w.name("version").value(1);
    w.name("flamebearer").beginObject();
    w.name("names").beginArray();
    for (String n : g.names()) {
      w.value(n);
    }
    w.endArray();
    w.name("levels").beginArray();
    for (long[] level : g.levels()) {
      w.beginArray();
      for (long v : level) {
        w.value(v);
      }
      w.endArray();
    }
    w.endArray();
    w.name("numTicks").value(g.numTicks());
    w.name("maxSelf").value(g.maxSelf());
    w.endObject();
    w.name("metadata").beginObject();
    w.name("format").value("single");
    w.name("spyName").value("ember");
    w.name("sampleRate").value(unit.equals("nanoseconds") ? 1_000_000_000L : 100L);
    w.name("units").value(units(unit));
    w.name("name").value(profileType);
    w.endObject();
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
