package dev.ember.backend.cli;

import com.google.gson.JsonObject;
import dev.ember.index.query.Units;
import java.io.IOException;
import java.util.Locale;
import java.util.Map;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(
    name = "query",
    description = {
      "Merges the profiles a FlameQL selector picks over a time range.",
      "Table: the call tree, heaviest first. Scripts: --output json|folded|pprof|svg."
    })
final class QueryCommand extends ApiCommand {
  @Parameters(
      index = "0",
      paramLabel = "SELECTOR",
      description = "e.g. 'cpu{service_name=\"checkout\"}'")
  String selector;

  @Mixin Range range;

  @Option(names = "--max-nodes", description = "Nodes kept in the flame graph (default: 8192).")
  Integer maxNodes;

  @Option(
      names = "--min-share",
      description =
          "Table: hide nodes below this percentage of the total (default: ${DEFAULT-VALUE}).",
      defaultValue = "1")
  double minShare;

  @Option(
      names = "--max-depth",
      description = "Table: deepest level shown (default: ${DEFAULT-VALUE}).",
      defaultValue = "40")
  int maxDepth;

  @Override
  String[] formats() {
    return TREE_FORMATS;
  }

  @Override
  void run(ApiClient api, String format) throws ApiClient.ApiException, IOException {
    Map<String, String> p =
        range.params("query", selector, "maxNodes", maxNodes == null ? null : maxNodes.toString());
    if (!format.equals("table") && !format.equals("json")) {
      export(api, "/api/v1/merge", p, format);
      return;
    }
    JsonObject m = api.getJson("/api/v1/merge", p);
    if (format.equals("json")) {
      printJson(m);
      return;
    }
    String unit = m.get("unit").getAsString();
    out()
        .printf(
            Locale.ROOT,
            "%s  %s .. %s  total %s%n",
            m.get("profileType").getAsString(),
            m.get("from").getAsString(),
            m.get("until").getAsString(),
            Units.format(m.get("total").getAsLong(), unit));
    FlameText.print(out(), m.getAsJsonObject("flamebearer"), unit, minShare / 100, maxDepth);
    Stats.print(out(), m);
  }
}
