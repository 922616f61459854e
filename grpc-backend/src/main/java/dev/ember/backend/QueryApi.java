package dev.ember.backend;

import com.sun.net.httpserver.HttpExchange;
import dev.ember.index.query.FlameDiff;
import dev.ember.index.query.FlameGraph;
import dev.ember.index.query.FlameQuery;
import dev.ember.index.query.FlameSvg;
import dev.ember.index.query.FlameTree;
import dev.ember.index.query.FoldedStacks;
import dev.ember.index.query.MergeResult;
import dev.ember.index.query.PprofExport;
import dev.ember.index.query.ProfileDetail;
import dev.ember.index.query.ProfileSummary;
import dev.ember.index.query.QueryLimits;
import dev.ember.index.query.Selection;
import dev.ember.index.query.SeriesResult;
import dev.ember.index.query.TopTable;
import dev.ember.index.query.TraceResult;
import dev.ember.index.query.Units;
import dev.ember.index.store.ProfileQueries;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.List;
import java.util.Optional;

/**
 * The JSON query API under {@code /api/v1/} (docs/api.md): merge (also exported as pprof, folded
 * stacks or SVG), top, diff, series, labels, label values, profile types, profiles and one profile,
 * traces, and the spans behind a frame. Errors are JSON objects {@code {"error": "...", "status":
 * 400}}.
 */
final class QueryApi {
  static final String PREFIX = "/api/v1/";
  static final int DEFAULT_LIMIT = 20;

  private final HttpApi http;
  private final ProfileQueries queries;
  private final QueryRunner runner;
  private final Clock clock;

  QueryApi(HttpApi http, ProfileQueries queries, QueryRunner runner, Clock clock) {
    this.http = http;
    this.queries = queries;
    this.runner = runner;
    this.clock = clock;
  }

  void handle(HttpExchange ex) throws IOException {
    if (!ex.getRequestMethod().equals("GET")) {
      throw new HttpApi.HttpError(
          405, "method " + ex.getRequestMethod() + " not allowed; the query API answers GET");
    }
    String path = ex.getRequestURI().getPath().substring(PREFIX.length());
    String tenant = http.tenant(ex);
    Params p = new Params(HttpApi.query(ex), clock.instant());
    String[] parts = path.split("/", -1);
    switch (parts[0]) {
      case "merge" -> merge(ex, tenant, p);
      case "top" -> top(ex, tenant, p);
      case "diff" -> diff(ex, tenant, p);
      case "series" -> series(ex, tenant, p);
      case "profile-types" -> profileTypes(ex, tenant, p);
      case "labels" -> {
        if (parts.length == 1 || (parts.length == 2 && parts[1].isEmpty())) {
          labelNames(ex, tenant, p);
        } else if (parts.length == 3 && parts[2].equals("values") && !parts[1].isEmpty()) {
          labelValues(ex, tenant, p, parts[1]);
        } else {
          throw notFound(path);
        }
      }
      case "profiles" -> {
        if (parts.length == 1 || (parts.length == 2 && parts[1].isEmpty())) {
          profiles(ex, tenant, p);
        } else if (parts.length == 2) {
          profile(ex, tenant, p, parts[1]);
        } else {
          throw notFound(path);
        }
      }
      case "traces" -> {
        if (parts.length != 2 || parts[1].isEmpty()) {
          throw notFound(path);
        }
        trace(ex, tenant, p, parts[1]);
      }
      case "contributors" -> contributors(ex, tenant, p);
      default -> throw notFound(path);
    }
  }

  private static HttpApi.HttpError notFound(String path) {
    return new HttpApi.HttpError(
        404,
        "no endpoint /api/v1/"
            + path
            + "; see docs/api.md: merge, top, diff, series, labels, labels/{name}/values,"
            + " profile-types, profiles, profiles/{id}, traces/{traceId}, contributors");
  }

  private String format(Params p) {
    return p.choice("format", "json", "json", "pprof", "folded", "svg");
  }

  private void merge(HttpExchange ex, String tenant, Params p) throws IOException {
    Selection sel = p.selection("query", "from", "until");
    int maxNodes = p.maxNodes();
    String format = format(p);
    if (format.equals("json")) {
      runner.json(
          ex,
          ctx -> queries.merge(tenant, sel, ctx),
          (w, r) -> QueryJson.merge(w, r, FlameGraph.of(r.tree(), maxNodes)));
      return;
    }
    MergeResult r = runner.direct(ctx -> queries.merge(tenant, sel, ctx));
    export(
        ex, format, r.tree(), r.profileType(), r.fromNanos(), r.untilNanos(), maxNodes, "merged");
  }

  /** Sends a tree as pprof, folded stacks or SVG. */
  static void export(
      HttpExchange ex,
      String format,
      FlameTree tree,
      String type,
      long from,
      long until,
      int maxNodes,
      String title)
      throws IOException {
    switch (format) {
      case "pprof" -> {
        byte[] body = HttpApi.bytes(out -> PprofExport.write(tree, type, from, until, out));
        ex.getResponseHeaders()
            .set("Content-Disposition", "attachment; filename=\"" + title + ".pb.gz\"");
        HttpApi.sendBytes(ex, "application/octet-stream", body);
      }
      case "folded" ->
          HttpApi.sendBytes(
              ex,
              "text/plain; charset=utf-8",
              FoldedStacks.toString(tree).getBytes(StandardCharsets.UTF_8));
      case "svg" ->
          HttpApi.sendBytes(
              ex,
              "image/svg+xml",
              FlameSvg.render(FlameGraph.of(tree, maxNodes), title + " " + type, Units.unitOf(type))
                  .getBytes(StandardCharsets.UTF_8));
      default -> throw new HttpApi.HttpError(400, "unknown format '" + format + "'");
    }
  }

  private void top(HttpExchange ex, String tenant, Params p) throws IOException {
    Selection sel = p.selection("query", "from", "until");
    int limit = p.integer("20", 1, QueryLimits.MAX_RESULTS, "limit");
    TopTable.Order order =
        p.choice("sort", "self", "self", "total").equals("self")
            ? TopTable.Order.SELF
            : TopTable.Order.TOTAL;
    runner.json(
        ex,
        ctx -> queries.merge(tenant, sel, ctx),
        (w, r) -> QueryJson.top(w, r, TopTable.of(r.tree(), order, limit)));
  }

  private void diff(HttpExchange ex, String tenant, Params p) throws IOException {
    Selection[] sides = diffSides(p);
    int maxNodes = p.maxNodes();
    int limit = p.integer("20", 1, QueryLimits.MAX_RESULTS, "limit");
    runner.json(
        ex,
        ctx -> queries.diff(tenant, sides[0], sides[1], ctx),
        (w, d) ->
            QueryJson.diff(w, d, FlameDiff.of(d.left().tree(), d.right().tree(), maxNodes), limit));
  }

  /**
   * Both sides of a diff: leftQuery/leftFrom/leftUntil and right..., each falling back to
   * query/from/until.
   */
  static Selection[] diffSides(Params p) {
    Selection[] out = new Selection[2];
    String[] sides = {"left", "right"};
    for (int i = 0; i < 2; i++) {
      String s = sides[i];
      String queryName = p.get(s + "Query", null) != null ? s + "Query" : "query";
      String fromName = p.get(s + "From", null) != null ? s + "From" : "from";
      String untilName = p.get(s + "Until", null) != null ? s + "Until" : "until";
      out[i] = p.selection(queryName, fromName, untilName);
    }
    return out;
  }

  private void series(HttpExchange ex, String tenant, Params p) throws IOException {
    Selection sel = p.selection("query", "from", "until");
    long range = sel.untilNanos() - sel.fromNanos();
    long step = p.durationNanos("step", defaultStep(range));
    List<String> groupBy = p.list("groupBy");
    SeriesResult.Aggregation aggregation =
        p.choice("aggregation", "sum", "sum", "avg", "average").equals("sum")
            ? SeriesResult.Aggregation.SUM
            : SeriesResult.Aggregation.AVERAGE;
    runner.json(
        ex, ctx -> queries.series(tenant, sel, step, groupBy, aggregation, ctx), QueryJson::series);
  }

  /** About 100 points, at least 10 s apart, in whole seconds. */
  static long defaultStep(long rangeNanos) {
    long seconds = Math.max(10, (rangeNanos / 100 + 999_999_999L) / 1_000_000_000L);
    return seconds * 1_000_000_000L;
  }

  private void profileTypes(HttpExchange ex, String tenant, Params p) throws IOException {
    long[] r = p.range("from", "until", "now-1h");
    runner.json(ex, ctx -> queries.profileTypes(tenant, r[0], r[1], ctx), QueryJson::profileTypes);
  }

  private void labelNames(HttpExchange ex, String tenant, Params p) throws IOException {
    long[] r = p.range("from", "until", "now-1h");
    FlameQuery q = p.optionalQuery("query");
    runner.json(
        ex,
        ctx -> queries.labelNames(tenant, q, r[0], r[1], ctx),
        (w, names) -> {
          w.beginObject();
          QueryJson.strings(w, "names", names);
          QueryJson.strings(
              w, "sampleLabels", List.copyOf(new java.util.TreeSet<>(FlameQuery.SAMPLE_LABELS)));
          w.endObject();
        });
  }

  private void labelValues(HttpExchange ex, String tenant, Params p, String rawName)
      throws IOException {
    String name = java.net.URLDecoder.decode(rawName, StandardCharsets.UTF_8);
    long[] r = p.range("from", "until", "now-1h");
    FlameQuery q = p.optionalQuery("query");
    int limit = p.integer("1000", 1, QueryLimits.MAX_RESULTS, "limit");
    runner.json(
        ex,
        ctx -> queries.labelValues(tenant, name, q, r[0], r[1], limit, ctx),
        (w, v) -> {
          w.beginObject();
          w.name("name").value(v.name());
          QueryJson.strings(w, "values", v.values());
          w.name("truncated").value(v.truncated());
          w.endObject();
        });
  }

  private void profiles(HttpExchange ex, String tenant, Params p) throws IOException {
    Selection sel = p.selection("query", "from", "until");
    int limit = p.integer("100", 1, QueryLimits.MAX_RESULTS, "limit");
    runner.json(
        ex,
        ctx -> queries.profiles(tenant, sel, limit, ctx),
        (w, list) -> QueryJson.profiles(w, list, limit));
  }

  private void profile(HttpExchange ex, String tenant, Params p, String id) throws IOException {
    long[] r = p.range("from", "until", "now-24h");
    int maxNodes = p.maxNodes();
    String format = format(p);
    Optional<ProfileDetail> found =
        runner.direct(ctx -> queries.profile(tenant, id, r[0], r[1], ctx));
    if (found.isEmpty()) {
      throw new HttpApi.HttpError(
          404,
          "no profile "
              + id
              + " between "
              + QueryJson.time(r[0])
              + " and "
              + QueryJson.time(r[1])
              + "; widen from/until");
    }
    ProfileDetail d = found.get();
    if (format.equals("json")) {
      HttpApi.sendJson(ex, w -> QueryJson.profile(w, d, FlameGraph.of(d.tree(), maxNodes)));
      return;
    }
    ProfileSummary s = d.summary();
    export(
        ex,
        format,
        d.tree(),
        s.profileType(),
        s.timeNanos(),
        s.timeNanos() + s.durationNanos(),
        maxNodes,
        "profile-" + s.id());
  }

  private void trace(HttpExchange ex, String tenant, Params p, String traceId) throws IOException {
    long[] r = p.range("from", "until", "now-24h");
    String spanId = p.get("spanId", "");
    String type = p.first("", "type", "profileType");
    int maxNodes = p.maxNodes();
    String format = format(p);
    if (format.equals("json")) {
      runner.json(
          ex,
          ctx -> queries.trace(tenant, traceId, spanId, type, r[0], r[1], ctx),
          (w, t) -> QueryJson.trace(w, t, FlameGraph.of(t.tree(), maxNodes)));
      return;
    }
    TraceResult t =
        runner.direct(ctx -> queries.trace(tenant, traceId, spanId, type, r[0], r[1], ctx));
    export(
        ex,
        format,
        t.tree(),
        t.profileType(),
        r[0],
        r[1],
        maxNodes,
        "trace-" + t.traceId() + (spanId.isEmpty() ? "" : "-" + spanId));
  }

  private void contributors(HttpExchange ex, String tenant, Params p) throws IOException {
    Selection sel = p.selection("query", "from", "until");
    String frame = p.required("frame");
    int limit = p.integer("20", 1, QueryLimits.MAX_RESULTS, "limit");
    runner.json(
        ex,
        ctx -> queries.contributors(tenant, sel, frame, limit, ctx),
        (w, c) -> QueryJson.contributors(w, c));
  }
}
