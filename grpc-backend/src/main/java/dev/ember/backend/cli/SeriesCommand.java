package dev.ember.backend.cli;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import dev.ember.index.query.Units;
import java.io.IOException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(
    name = "series",
    description = "Totals over time, one column per group of the --group-by labels.")
final class SeriesCommand extends ApiCommand {
  @Parameters(index = "0", paramLabel = "SELECTOR")
  String selector;

  @Mixin Range range;

  @Option(names = "--step", description = "Step, e.g. 10s, 1m, 1h (default: about 100 points).")
  String step;

  @Option(
      names = "--group-by",
      split = ",",
      description = "Labels to group by, e.g. service_name,region.")
  List<String> groupBy = new ArrayList<>();

  @Option(
      names = "--aggregation",
      description = "sum or avg (default: ${DEFAULT-VALUE}).",
      defaultValue = "sum")
  String aggregation;

  @Override
  void run(ApiClient api, String format) throws ApiClient.ApiException, IOException {
    JsonObject r =
        api.getJson(
            "/api/v1/series",
            range.params(
                "query",
                selector,
                "step",
                step,
                "groupBy",
                String.join(",", groupBy),
                "aggregation",
                aggregation));
    if (format.equals("json")) {
      printJson(r);
      return;
    }
    String unit = r.get("unit").getAsString();
    List<String> columns = new ArrayList<>();
    Map<Long, String[]> rows = new TreeMap<>();
    var series = r.getAsJsonArray("series");
    for (int s = 0; s < series.size(); s++) {
      JsonObject one = series.get(s).getAsJsonObject();
      List<String> label = new ArrayList<>();
      for (var e : one.getAsJsonObject("labels").entrySet()) {
        label.add(e.getKey() + "=" + e.getValue().getAsString());
      }
      columns.add(label.isEmpty() ? "TOTAL" : String.join(",", label));
      for (JsonElement p : one.getAsJsonArray("points")) {
        var point = p.getAsJsonArray();
        String[] row =
            rows.computeIfAbsent(point.get(0).getAsLong(), k -> new String[series.size()]);
        row[s] = Units.format(point.get(1).getAsLong(), unit);
      }
    }
    out()
        .printf(
            Locale.ROOT,
            "%s  step %ss%n",
            r.get("profileType").getAsString(),
            String.format(Locale.ROOT, "%.0f", r.get("stepSeconds").getAsDouble()));
    String[] header = new String[columns.size() + 1];
    header[0] = "TIME";
    int[] numeric = new int[columns.size()];
    for (int i = 0; i < columns.size(); i++) {
      header[i + 1] = columns.get(i);
      numeric[i] = i + 1;
    }
    Table t = new Table(header).numeric(numeric);
    for (Map.Entry<Long, String[]> e : rows.entrySet()) {
      Object[] cells = new Object[header.length];
      cells[0] = Instant.ofEpochMilli(e.getKey()).toString();
      for (int i = 0; i < e.getValue().length; i++) {
        cells[i + 1] = e.getValue()[i] == null ? "-" : e.getValue()[i];
      }
      t.row(cells);
    }
    if (t.isEmpty()) {
      out().println("(no profiles in this range)");
    } else {
      t.print(out());
    }
    Stats.print(out(), r);
  }
}
