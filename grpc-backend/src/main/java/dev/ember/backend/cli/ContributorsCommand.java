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
    name = "contributors",
    description = "For one frame (function name), the traces and spans whose samples ran it most.")
final class ContributorsCommand extends ApiCommand {
  @Parameters(index = "0", paramLabel = "SELECTOR")
  String selector;

  @Option(
      names = "--frame",
      required = true,
      description = "The function name, exactly as flame graphs show it.")
  String frame;

  @Mixin Range range;

  @Option(names = "--limit", description = "Rows (default: ${DEFAULT-VALUE}).", defaultValue = "20")
  int limit;

  @Override
  void run(ApiClient api, String format) throws ApiClient.ApiException, IOException {
    JsonObject r =
        api.getJson(
            "/api/v1/contributors",
            range.params("query", selector, "frame", frame, "limit", Integer.toString(limit)));
    if (format.equals("json")) {
      printJson(r);
      return;
    }
    String unit = r.get("unit").getAsString();
    long total = r.get("frameTotal").getAsLong();
    out()
        .printf(
            Locale.ROOT,
            "%s: %s in total, %s (%s) in samples linked to %d spans%n",
            r.get("frame").getAsString(),
            Units.format(total, unit),
            Units.format(r.get("linkedTotal").getAsLong(), unit),
            Units.percent(r.get("linkedTotal").getAsLong(), total),
            r.get("spanCount").getAsInt());
    Table t = new Table("TOTAL", "SHARE", "TRACE", "SPAN", "NAME", "SERVICE").numeric(0, 1);
    for (JsonElement e : r.getAsJsonArray("spans")) {
      JsonObject s = e.getAsJsonObject();
      t.row(
          Units.format(s.get("total").getAsLong(), unit),
          TopCommand.pct(s.get("share").getAsDouble()),
          s.get("traceId").getAsString(),
          s.get("spanId").getAsString(),
          s.get("spanName").getAsString(),
          s.get("service").getAsString());
    }
    if (!t.isEmpty()) {
      t.print(out());
    }
    Stats.print(out(), r);
  }
}
