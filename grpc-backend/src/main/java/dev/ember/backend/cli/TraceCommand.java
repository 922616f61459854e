package dev.ember.backend.cli;

import com.google.gson.JsonElement;
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
    name = "trace",
    description = {
      "What a trace did, across services: the samples of every span (or of --span),",
      "a per-span breakdown and the merged call tree of one profile type."
    })
final class TraceCommand extends ApiCommand {
  @Parameters(index = "0", paramLabel = "TRACE_ID", description = "32 hex digits.")
  String traceId;

  @Option(names = "--span", description = "Only this span (16 hex digits).")
  String spanId;

  @Option(
      names = "--type",
      description = "Profile type of the call tree (default: CPU when present).")
  String type;

  @Mixin LookupRange lookup;

  @Option(
      names = "--min-share",
      description = "Table: hide nodes below this percentage (default: ${DEFAULT-VALUE}).",
      defaultValue = "1")
  double minShare;

  @Override
  String[] formats() {
    return TREE_FORMATS;
  }

  @Override
  void run(ApiClient api, String format) throws ApiClient.ApiException, IOException {
    Map<String, String> p = lookup.params("spanId", spanId, "type", type);
    String path = "/api/v1/traces/" + traceId;
    if (!format.equals("table") && !format.equals("json")) {
      export(api, path, p, format);
      return;
    }
    JsonObject r = api.getJson(path, p);
    if (format.equals("json")) {
      printJson(r);
      return;
    }
    String unit = r.get("unit").getAsString();
    out()
        .printf(
            Locale.ROOT,
            "trace %s%s  types %s%n",
            r.get("traceId").getAsString(),
            r.get("spanId").getAsString().isEmpty() ? "" : " span " + r.get("spanId").getAsString(),
            r.getAsJsonArray("profileTypes"));
    Table t = new Table("SPAN", "NAME", "SERVICE", "TYPE", "TOTAL").numeric(4);
    for (JsonElement e : r.getAsJsonArray("spans")) {
      JsonObject s = e.getAsJsonObject();
      String spanType = s.get("profileType").getAsString();
      t.row(
          s.get("spanId").getAsString(),
          s.get("spanName").getAsString(),
          s.get("service").getAsString(),
          spanType,
          Units.format(s.get("total").getAsLong(), Units.unitOf(spanType)));
    }
    if (t.isEmpty()) {
      out().println("(no samples of this trace in the range; widen --from/--until)");
      out().flush();
      return;
    }
    t.print(out());
    out().println();
    out().println(r.get("profileType").getAsString() + ":");
    FlameText.print(out(), r.getAsJsonObject("flamebearer"), unit, minShare / 100, 40);
    Stats.print(out(), r);
  }
}
