package dev.ember.backend.cli;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import dev.ember.index.query.Units;
import java.io.IOException;
import java.util.Locale;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(
    name = "diff",
    description = {
      "Compares two selections (labels or time ranges) of one profile type.",
      "Each side is normalised by its own total: the table shows each function's share of",
      "its side and the change in percentage points, largest change first."
    })
final class DiffCommand extends ApiCommand {
  @Parameters(index = "0", paramLabel = "SELECTOR", description = "The left (baseline) selector.")
  String selector;

  @Option(names = "--right", description = "The right selector (default: the left one).")
  String right;

  @Option(
      names = "--from",
      description = "Left start (default: ${DEFAULT-VALUE}).",
      defaultValue = "now-2h")
  String leftFrom;

  @Option(
      names = "--until",
      description = "Left end (default: ${DEFAULT-VALUE}).",
      defaultValue = "now-1h")
  String leftUntil;

  @Option(
      names = "--right-from",
      description = "Right start (default: ${DEFAULT-VALUE}).",
      defaultValue = "now-1h")
  String rightFrom;

  @Option(
      names = "--right-until",
      description = "Right end (default: ${DEFAULT-VALUE}).",
      defaultValue = "now")
  String rightUntil;

  @Option(names = "--limit", description = "Rows (default: ${DEFAULT-VALUE}).", defaultValue = "20")
  int limit;

  @Override
  void run(ApiClient api, String format) throws ApiClient.ApiException, IOException {
    JsonObject r =
        api.getJson(
            "/api/v1/diff",
            ApiClient.params(
                "leftQuery", selector,
                "rightQuery", right == null ? selector : right,
                "leftFrom", leftFrom,
                "leftUntil", leftUntil,
                "rightFrom", rightFrom,
                "rightUntil", rightUntil,
                "limit", Integer.toString(limit)));
    if (format.equals("json")) {
      printJson(r);
      return;
    }
    String unit = r.get("unit").getAsString();
    JsonObject l = r.getAsJsonObject("left");
    JsonObject rt = r.getAsJsonObject("right");
    out()
        .printf(
            Locale.ROOT,
            "%s%n  left:  %s .. %s  total %s%n  right: %s .. %s  total %s%n",
            r.get("profileType").getAsString(),
            l.get("from").getAsString(),
            l.get("until").getAsString(),
            Units.format(l.get("total").getAsLong(), unit),
            rt.get("from").getAsString(),
            rt.get("until").getAsString(),
            Units.format(rt.get("total").getAsLong(), unit));
    Table t =
        new Table("LEFT%", "RIGHT%", "CHANGE", "LEFT", "RIGHT", "FUNCTION").numeric(0, 1, 2, 3, 4);
    for (JsonElement e : r.getAsJsonArray("functions")) {
      JsonObject row = e.getAsJsonObject();
      t.row(
          TopCommand.pct(row.get("leftTotalShare").getAsDouble()),
          TopCommand.pct(row.get("rightTotalShare").getAsDouble()),
          String.format(Locale.ROOT, "%+.2f pp", row.get("change").getAsDouble() * 100),
          Units.format(row.get("leftTotal").getAsLong(), unit),
          Units.format(row.get("rightTotal").getAsLong(), unit),
          row.get("name").getAsString());
    }
    t.print(out());
    Stats.print(out(), r);
  }
}
