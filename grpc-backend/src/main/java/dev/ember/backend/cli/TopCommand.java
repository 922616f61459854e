package dev.ember.backend.cli;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import dev.ember.index.query.Units;
import java.io.IOException;
import java.util.Locale;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(
    name = "top",
    description = "Functions by self or total value (a function counts once per sample).")
final class TopCommand extends ApiCommand {
  @Parameters(index = "0", paramLabel = "SELECTOR")
  String selector;

  @Mixin Range range;

  @Option(names = "--limit", description = "Rows (default: ${DEFAULT-VALUE}).", defaultValue = "20")
  int limit;

  @Option(
      names = "--sort",
      description = "self or total (default: ${DEFAULT-VALUE}).",
      defaultValue = "self")
  String sort;

  @Override
  void run(ApiClient api, String format) throws ApiClient.ApiException, IOException {
    JsonObject r =
        api.getJson(
            "/api/v1/top",
            range.params("query", selector, "limit", Integer.toString(limit), "sort", sort));
    if (format.equals("json")) {
      printJson(r);
      return;
    }
    String unit = r.get("unit").getAsString();
    out()
        .printf(
            Locale.ROOT,
            "%s  total %s, %d functions%n",
            r.get("profileType").getAsString(),
            Units.format(r.get("total").getAsLong(), unit),
            r.get("functions").getAsInt());
    Table t = new Table("SELF", "SELF%", "TOTAL", "TOTAL%", "FUNCTION").numeric(0, 1, 2, 3);
    for (JsonElement e : r.getAsJsonArray("rows")) {
      JsonObject row = e.getAsJsonObject();
      t.row(
          Units.format(row.get("self").getAsLong(), unit),
          pct(row.get("selfShare").getAsDouble()),
          Units.format(row.get("total").getAsLong(), unit),
          pct(row.get("totalShare").getAsDouble()),
          row.get("name").getAsString());
    }
    t.print(out());
    Stats.print(out(), r);
  }

  static String pct(double share) {
    return String.format(Locale.ROOT, "%.2f%%", share * 100);
  }
}
