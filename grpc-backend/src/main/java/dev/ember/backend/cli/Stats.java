package dev.ember.backend.cli;

import com.google.gson.JsonObject;
import java.io.PrintWriter;
import java.util.Locale;

/** The one-line summary of a query's work under a table. */
final class Stats {
  private Stats() {}

  static void print(PrintWriter out, JsonObject answer) {
    if (!answer.has("stats")) {
      return;
    }
    JsonObject s = answer.getAsJsonObject("stats");
    out.printf(
        Locale.ROOT,
        "(%d partitions, %d from pre-aggregates, %d profiles read, %d ms%s)%n",
        s.get("partitions").getAsLong(),
        s.get("aggregatedPartitions").getAsLong(),
        s.get("profilesRead").getAsLong(),
        s.get("elapsedMs").getAsLong(),
        answer.has("approximate") && answer.get("approximate").getAsBoolean()
            ? ", approximate"
            : "");
    out.flush();
  }
}
