package dev.ember.backend;

import com.sun.net.httpserver.HttpExchange;
import dev.ember.index.query.FlameDiff;
import dev.ember.index.query.FlameGraph;
import dev.ember.index.query.FlameQuery;
import dev.ember.index.query.MergeResult;
import dev.ember.index.query.QueryLimits;
import dev.ember.index.query.Selection;
import dev.ember.index.query.SeriesResult;
import dev.ember.index.store.ProfileQueries;
import java.io.IOException;
import java.time.Clock;
import java.util.List;

/**
 * Pyroscope's legacy HTTP API, so that Pyroscope clients and our UI work unchanged: {@code GET
 * /pyroscope/render} (flamebearer JSON with a timeline, optionally grouped by one label), {@code
 * /pyroscope/render-diff} (the "double" flamebearer), {@code /pyroscope/label-values} and {@code
 * /pyroscope/labels}. Same parameters and time formats as Pyroscope; errors are plain text.
 */
final class PyroscopeApi {
  static final String PREFIX = "/pyroscope/";

  private final HttpApi http;
  private final ProfileQueries queries;
  private final QueryRunner runner;
  private final Clock clock;

  PyroscopeApi(HttpApi http, ProfileQueries queries, QueryRunner runner, Clock clock) {
    this.http = http;
    this.queries = queries;
    this.runner = runner;
    this.clock = clock;
  }

  void handle(HttpExchange ex) throws IOException {
    if (!ex.getRequestMethod().equals("GET")) {
      throw new HttpApi.HttpError(405, "method " + ex.getRequestMethod() + " not allowed; use GET");
    }
    String path = ex.getRequestURI().getPath().substring(PREFIX.length());
    String tenant = http.tenant(ex);
    Params p = new Params(HttpApi.query(ex), clock.instant());
    switch (path) {
      case "render" -> render(ex, tenant, p);
      case "render-diff" -> renderDiff(ex, tenant, p);
      case "label-values" -> labelValues(ex, tenant, p);
      case "labels" -> labels(ex, tenant, p);
      default ->
          throw new HttpApi.HttpError(
              404,
              "no endpoint /pyroscope/" + path + "; use render, render-diff, label-values, labels");
    }
  }

  /** A merge and its timeline, computed together. */
  record Rendered(MergeResult merge, SeriesResult timeline) {}

  private void render(HttpExchange ex, String tenant, Params p) throws IOException {
    p.choice("format", "json", "json");
    Selection sel = p.selection("query", "from", "until");
    int maxNodes = p.maxNodes();
    String groupBy = p.get("groupBy", "");
    SeriesResult.Aggregation aggregation =
        p.choice("aggregation", "sum", "sum", "avg").equals("sum")
            ? SeriesResult.Aggregation.SUM
            : SeriesResult.Aggregation.AVERAGE;
    long step = timelineStep(sel.untilNanos() - sel.fromNanos());
    runner.json(
        ex,
        ctx -> {
          MergeResult m = queries.merge(tenant, sel, ctx);
          SeriesResult t =
              queries.series(
                  tenant,
                  sel,
                  step,
                  groupBy.isEmpty() ? List.of() : List.of(groupBy),
                  aggregation,
                  ctx);
          return new Rendered(m, t);
        },
        (w, r) -> {
          FlameGraph g = FlameGraph.of(r.merge().tree(), maxNodes);
          if (groupBy.isEmpty()) {
            FlamebearerJson.write(w, g, r.merge().profileType(), r.timeline());
            return;
          }
          // Grouped: the overall timeline plus one per group value, as Pyroscope's "groups".
          w.beginObject();
          w.name("version").value(1);
          w.name("flamebearer");
          FlamebearerJson.flamebearer(w, g);
          FlamebearerJson.writeMetadata(w, r.merge().profileType(), "single");
          w.name("timeline");
          FlamebearerJson.timeline(w, r.timeline(), FlamebearerJson.sum(r.timeline()));
          w.name("groups").beginObject();
          for (SeriesResult.Series s : r.timeline().series()) {
            w.name(s.labels().getOrDefault(groupBy, ""));
            FlamebearerJson.timeline(w, r.timeline(), s);
          }
          w.endObject();
          w.endObject();
        });
  }

  /** Pyroscope derives the timeline's step from the range; at least 10 s, about 1,000 points. */
  static long timelineStep(long rangeNanos) {
    long seconds = Math.max(10, (rangeNanos / 1000 + 999_999_999L) / 1_000_000_000L);
    long points = rangeNanos / (seconds * 1_000_000_000L);
    if (points > QueryLimits.MAX_POINTS) {
      seconds = rangeNanos / QueryLimits.MAX_POINTS / 1_000_000_000L + 1;
    }
    return seconds * 1_000_000_000L;
  }

  private void renderDiff(HttpExchange ex, String tenant, Params p) throws IOException {
    p.choice("format", "json", "json");
    Selection left = p.selection("leftQuery", "leftFrom", "leftUntil");
    Selection right = p.selection("rightQuery", "rightFrom", "rightUntil");
    int maxNodes = p.maxNodes();
    runner.json(
        ex,
        ctx -> queries.diff(tenant, left, right, ctx),
        (w, d) ->
            FlamebearerJson.writeDiff(
                w,
                FlameDiff.of(d.left().tree(), d.right().tree(), maxNodes),
                d.left().profileType()));
  }

  private void labelValues(HttpExchange ex, String tenant, Params p) throws IOException {
    String label = p.required("label");
    long[] r = p.range("from", "until", "now-1h");
    FlameQuery q = p.optionalQuery("query");
    runner.json(
        ex,
        ctx -> queries.labelValues(tenant, label, q, r[0], r[1], QueryLimits.MAX_RESULTS, ctx),
        (w, v) -> {
          w.beginArray();
          for (String s : v.values()) {
            w.value(s);
          }
          w.endArray();
        });
  }

  private void labels(HttpExchange ex, String tenant, Params p) throws IOException {
    long[] r = p.range("from", "until", "now-1h");
    FlameQuery q = p.optionalQuery("query");
    runner.json(
        ex,
        ctx -> queries.labelNames(tenant, q, r[0], r[1], ctx),
        (w, names) -> {
          w.beginArray();
          for (String s : names) {
            w.value(s);
          }
          w.endArray();
        });
  }
}
