package dev.ember.backend.cli;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import java.io.IOException;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(
    name = "labels",
    description = {
      "Without NAME: the label names with data in the range.",
      "With NAME: its values (series labels, or span_name, thread_name, trace_id, span_id);",
      "NAME __name__ lists the profile types."
    })
final class LabelsCommand extends ApiCommand {
  @Parameters(index = "0", arity = "0..1", paramLabel = "NAME")
  String name;

  @Mixin Range range;

  @Option(names = "--query", description = "Only series this selector picks.")
  String query;

  @Option(
      names = "--limit",
      description = "Most values (default: ${DEFAULT-VALUE}).",
      defaultValue = "1000")
  int limit;

  @Override
  void run(ApiClient api, String format) throws ApiClient.ApiException, IOException {
    JsonObject r;
    String field;
    if (name == null) {
      r = api.getJson("/api/v1/labels", range.params("query", query));
      field = "names";
    } else {
      r =
          api.getJson(
              "/api/v1/labels/" + URLEncoder.encode(name, StandardCharsets.UTF_8) + "/values",
              range.params("query", query, "limit", Integer.toString(limit)));
      field = "values";
    }
    if (format.equals("json")) {
      printJson(r);
      return;
    }
    for (JsonElement e : r.getAsJsonArray(field)) {
      out().println(e.getAsString());
    }
    if (r.has("truncated") && r.get("truncated").getAsBoolean()) {
      out().println("(more values exist; raise --limit)");
    }
    out().flush();
  }
}
