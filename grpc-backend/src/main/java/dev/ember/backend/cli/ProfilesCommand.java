package dev.ember.backend.cli;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import dev.ember.index.query.Units;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(
    name = "profiles",
    description = "Individual stored profiles.",
    subcommands = {ProfilesCommand.ListCommand.class, ProfilesCommand.GetCommand.class})
final class ProfilesCommand {
  private ProfilesCommand() {}

  @Command(
      name = "list",
      description = "The newest profiles a selector picks: id, time, labels, totals.")
  static final class ListCommand extends ApiCommand {
    @Parameters(index = "0", paramLabel = "SELECTOR")
    String selector;

    @Mixin Range range;

    @Option(
        names = "--limit",
        description = "Most profiles (default: ${DEFAULT-VALUE}).",
        defaultValue = "20")
    int limit;

    @Override
    void run(ApiClient api, String format) throws ApiClient.ApiException, IOException {
      JsonObject r =
          api.getJson(
              "/api/v1/profiles",
              range.params("query", selector, "limit", Integer.toString(limit)));
      if (format.equals("json")) {
        printJson(r);
        return;
      }
      Table t = new Table("TIME", "ID", "TOTAL", "SAMPLES", "LABELS").numeric(2, 3);
      for (JsonElement e : r.getAsJsonArray("profiles")) {
        JsonObject p = e.getAsJsonObject();
        t.row(
            p.get("time").getAsString(),
            p.get("id").getAsString(),
            Units.format(
                p.get("total").getAsLong(), Units.unitOf(p.get("profileType").getAsString())),
            p.get("samples").getAsInt(),
            labels(p.getAsJsonObject("labels")));
      }
      if (t.isEmpty()) {
        out().println("(no profiles in this range)");
      } else {
        t.print(out());
      }
      if (r.get("more").getAsBoolean()) {
        out().println("(more profiles exist; raise --limit or narrow --from/--until)");
      }
      out().flush();
    }
  }

  static String labels(JsonObject labels) {
    List<String> parts = new ArrayList<>();
    for (Map.Entry<String, JsonElement> e : labels.entrySet()) {
      parts.add(e.getKey() + "=" + e.getValue().getAsString());
    }
    return String.join(",", parts);
  }

  @Command(name = "get", description = "One profile by id: its labels, totals and call tree.")
  static final class GetCommand extends ApiCommand {
    @Parameters(
        index = "0",
        paramLabel = "ID",
        description = "32 hex digits, as 'profiles list' shows.")
    String id;

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
      Map<String, String> p = lookup.params();
      String path = "/api/v1/profiles/" + id;
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
              "profile %s%n  time      %s (%d ms)%n  type      %s%n  labels    %s%n  total     %s in %d samples%n",
              r.get("id").getAsString(),
              r.get("time").getAsString(),
              r.get("durationMs").getAsLong(),
              r.get("profileType").getAsString(),
              labels(r.getAsJsonObject("labels")),
              Units.format(r.get("total").getAsLong(), unit),
              r.get("samples").getAsInt());
      FlameText.print(out(), r.getAsJsonObject("flamebearer"), unit, minShare / 100, 40);
    }
  }
}
