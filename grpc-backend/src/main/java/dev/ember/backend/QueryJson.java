package dev.ember.backend;

import com.google.gson.stream.JsonWriter;
import dev.ember.index.query.ContributorsResult;
import dev.ember.index.query.DiffResult;
import dev.ember.index.query.FlameDiff;
import dev.ember.index.query.FlameGraph;
import dev.ember.index.query.MergeResult;
import dev.ember.index.query.ProfileDetail;
import dev.ember.index.query.ProfileSummary;
import dev.ember.index.query.QueryStats;
import dev.ember.index.query.SeriesResult;
import dev.ember.index.query.SpanTotal;
import dev.ember.index.query.TopTable;
import dev.ember.index.query.TraceResult;
import dev.ember.index.query.Units;
import java.io.IOException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The JSON bodies of the {@code /api/v1/} endpoints (documented in docs/api.md). Times are RFC 3339
 * strings plus Unix milliseconds; values are in the profile type's sample unit; shares are
 * fractions of a total (0..1).
 */
final class QueryJson {
  private QueryJson() {}

  static String time(long nanos) {
    return Instant.ofEpochSecond(
            Math.floorDiv(nanos, 1_000_000_000L), Math.floorMod(nanos, 1_000_000_000L))
        .toString();
  }

  static void stats(JsonWriter w, QueryStats s) throws IOException {
    w.name("stats").beginObject();
    w.name("partitions").value(s.partitions());
    w.name("aggregatedPartitions").value(s.aggregatedPartitions());
    w.name("profilesRead").value(s.profilesRead());
    w.name("samplesRead").value(s.samplesRead());
    w.name("elapsedMs").value(s.elapsedMillis());
    w.endObject();
    // Pre-aggregates hold exact sums and nothing is sampled: every answer is exact.
    w.name("approximate").value(false);
  }

  private static void head(JsonWriter w, String type, long from, long until) throws IOException {
    w.name("profileType").value(type);
    w.name("unit").value(Units.unitOf(type));
    w.name("from").value(time(from));
    w.name("until").value(time(until));
  }

  static void merge(JsonWriter w, MergeResult r, FlameGraph g) throws IOException {
    w.beginObject();
    head(w, r.profileType(), r.fromNanos(), r.untilNanos());
    w.name("total").value(r.tree().grandTotal());
    w.name("flamebearer");
    FlamebearerJson.flamebearer(w, g);
    stats(w, r.stats());
    w.endObject();
  }

  static void top(JsonWriter w, MergeResult r, TopTable t) throws IOException {
    w.beginObject();
    head(w, r.profileType(), r.fromNanos(), r.untilNanos());
    w.name("total").value(t.grandTotal());
    w.name("functions").value(t.functions());
    w.name("rows").beginArray();
    for (TopTable.Row row : t.rows()) {
      w.beginObject();
      w.name("name").value(row.name());
      w.name("self").value(row.self());
      w.name("total").value(row.total());
      w.name("selfShare").value(share(row.self(), t.grandTotal()));
      w.name("totalShare").value(share(row.total(), t.grandTotal()));
      w.endObject();
    }
    w.endArray();
    stats(w, r.stats());
    w.endObject();
  }

  static double share(long part, long whole) {
    return whole == 0 ? 0 : (double) part / whole;
  }

  /** One function on both sides of a diff. */
  record DiffRow(
      String name, long leftSelf, long leftTotal, long rightSelf, long rightTotal, double change) {}

  /**
   * Functions of both sides with their shares of each side's total, largest absolute change of
   * total share first.
   */
  static List<DiffRow> diffRows(DiffResult d, int limit) {
    TopTable l = TopTable.of(d.left().tree(), TopTable.Order.TOTAL, Integer.MAX_VALUE);
    TopTable r = TopTable.of(d.right().tree(), TopTable.Order.TOTAL, Integer.MAX_VALUE);
    Map<String, long[]> byName = new HashMap<>();
    for (TopTable.Row row : l.rows()) {
      byName.computeIfAbsent(row.name(), k -> new long[4])[0] = row.self();
      byName.get(row.name())[1] = row.total();
    }
    for (TopTable.Row row : r.rows()) {
      byName.computeIfAbsent(row.name(), k -> new long[4])[2] = row.self();
      byName.get(row.name())[3] = row.total();
    }
    List<DiffRow> rows = new ArrayList<>();
    byName.forEach(
        (name, v) ->
            rows.add(
                new DiffRow(
                    name,
                    v[0],
                    v[1],
                    v[2],
                    v[3],
                    share(v[3], r.grandTotal()) - share(v[1], l.grandTotal()))));
    rows.sort(
        Comparator.comparingDouble((DiffRow x) -> -Math.abs(x.change()))
            .thenComparing(DiffRow::name));
    return rows.subList(0, Math.min(limit, rows.size()));
  }

  static void diff(JsonWriter w, DiffResult d, FlameDiff fd, int limit) throws IOException {
    w.beginObject();
    String type = d.left().profileType();
    w.name("profileType").value(type);
    w.name("unit").value(Units.unitOf(type));
    side(w, "left", d.left());
    side(w, "right", d.right());
    w.name("flamebearer");
    FlamebearerJson.diffFlamebearer(w, fd);
    w.name("functions").beginArray();
    long lt = d.left().tree().grandTotal();
    long rt = d.right().tree().grandTotal();
    for (DiffRow row : diffRows(d, limit)) {
      w.beginObject();
      w.name("name").value(row.name());
      w.name("leftSelf").value(row.leftSelf());
      w.name("leftTotal").value(row.leftTotal());
      w.name("rightSelf").value(row.rightSelf());
      w.name("rightTotal").value(row.rightTotal());
      w.name("leftSelfShare").value(share(row.leftSelf(), lt));
      w.name("rightSelfShare").value(share(row.rightSelf(), rt));
      w.name("leftTotalShare").value(share(row.leftTotal(), lt));
      w.name("rightTotalShare").value(share(row.rightTotal(), rt));
      w.name("change").value(row.change());
      w.endObject();
    }
    w.endArray();
    stats(w, d.right().stats());
    w.endObject();
  }

  private static void side(JsonWriter w, String name, MergeResult r) throws IOException {
    w.name(name).beginObject();
    w.name("from").value(time(r.fromNanos()));
    w.name("until").value(time(r.untilNanos()));
    w.name("total").value(r.tree().grandTotal());
    w.endObject();
  }

  static void series(JsonWriter w, SeriesResult r) throws IOException {
    w.beginObject();
    head(w, r.profileType(), r.fromNanos(), r.untilNanos());
    w.name("stepSeconds").value(r.stepNanos() / 1e9);
    w.name("series").beginArray();
    for (SeriesResult.Series s : r.series()) {
      w.beginObject();
      labels(w, s.labels());
      w.name("total").value(s.total());
      w.name("points").beginArray();
      long[] values = s.values();
      long[] counts = s.counts();
      for (int i = 0; i < values.length; i++) {
        if (counts[i] == 0) {
          continue;
        }
        w.beginArray();
        w.value((r.fromNanos() + i * r.stepNanos()) / 1_000_000L);
        w.value(values[i]);
        w.value(counts[i]);
        w.endArray();
      }
      w.endArray();
      w.endObject();
    }
    w.endArray();
    stats(w, r.stats());
    w.endObject();
  }

  static void labels(JsonWriter w, Map<String, String> labels) throws IOException {
    w.name("labels").beginObject();
    for (Map.Entry<String, String> e : new TreeMap<>(labels).entrySet()) {
      w.name(e.getKey()).value(e.getValue());
    }
    w.endObject();
  }

  static void profileSummary(JsonWriter w, ProfileSummary p) throws IOException {
    w.name("id").value(p.id());
    w.name("time").value(time(p.timeNanos()));
    w.name("timeUnixMs").value(Math.floorDiv(p.timeNanos(), 1_000_000L));
    w.name("durationMs").value(p.durationNanos() / 1_000_000L);
    w.name("profileType").value(p.profileType());
    labels(w, p.labels());
    w.name("total").value(p.total());
    w.name("samples").value(p.samples());
  }

  static void profiles(JsonWriter w, List<ProfileSummary> list, int limit) throws IOException {
    w.beginObject();
    w.name("profiles").beginArray();
    for (ProfileSummary p : list) {
      w.beginObject();
      profileSummary(w, p);
      w.endObject();
    }
    w.endArray();
    w.name("limit").value(limit);
    w.name("more").value(list.size() == limit);
    w.endObject();
  }

  static void profile(JsonWriter w, ProfileDetail d, FlameGraph g) throws IOException {
    w.beginObject();
    profileSummary(w, d.summary());
    w.name("unit").value(Units.unitOf(d.summary().profileType()));
    w.name("period").value(d.period());
    w.name("flamebearer");
    FlamebearerJson.flamebearer(w, g);
    w.endObject();
  }

  static void spanTotal(JsonWriter w, SpanTotal s, long whole) throws IOException {
    w.beginObject();
    w.name("traceId").value(s.traceId());
    w.name("spanId").value(s.spanId());
    w.name("spanName").value(s.spanName());
    w.name("service").value(s.service());
    w.name("profileType").value(s.profileType());
    w.name("total").value(s.total());
    if (whole >= 0) {
      w.name("share").value(share(s.total(), whole));
    }
    w.endObject();
  }

  static void trace(JsonWriter w, TraceResult t, FlameGraph g) throws IOException {
    w.beginObject();
    w.name("traceId").value(t.traceId());
    w.name("spanId").value(t.spanId());
    w.name("profileType").value(t.profileType());
    w.name("unit").value(Units.unitOf(t.profileType()));
    w.name("profileTypes").beginArray();
    for (String type : t.profileTypes()) {
      w.value(type);
    }
    w.endArray();
    w.name("total").value(t.tree().grandTotal());
    w.name("spans").beginArray();
    for (SpanTotal s : t.spans()) {
      spanTotal(w, s, -1);
    }
    w.endArray();
    w.name("flamebearer");
    FlamebearerJson.flamebearer(w, g);
    stats(w, t.stats());
    w.endObject();
  }

  static void contributors(JsonWriter w, ContributorsResult c) throws IOException {
    w.beginObject();
    w.name("profileType").value(c.profileType());
    w.name("unit").value(Units.unitOf(c.profileType()));
    w.name("frame").value(c.frame());
    w.name("frameTotal").value(c.frameTotal());
    w.name("linkedTotal").value(c.linkedTotal());
    w.name("spanCount").value(c.spanCount());
    w.name("spans").beginArray();
    for (SpanTotal s : c.spans()) {
      spanTotal(w, s, c.frameTotal());
    }
    w.endArray();
    stats(w, c.stats());
    w.endObject();
  }

  static void strings(JsonWriter w, String field, List<String> values) throws IOException {
    w.name(field).beginArray();
    for (String v : values) {
      w.value(v);
    }
    w.endArray();
  }

  static void profileTypes(JsonWriter w, List<String> types) throws IOException {
    w.beginObject();
    w.name("profileTypes").beginArray();
    for (String id : types) {
      String[] p = id.split(":", -1);
      w.beginObject();
      w.name("id").value(id);
      if (p.length == 5) {
        w.name("name").value(p[0]);
        w.name("sampleType").value(p[1]);
        w.name("sampleUnit").value(p[2]);
        w.name("periodType").value(p[3]);
        w.name("periodUnit").value(p[4]);
      }
      w.endObject();
    }
    w.endArray();
    w.endObject();
  }
}
