package dev.ember.index.store;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ember.index.query.ContributorsResult;
import dev.ember.index.query.DiffResult;
import dev.ember.index.query.FlameQL;
import dev.ember.index.query.FlameQuery;
import dev.ember.index.query.FlameTree;
import dev.ember.index.query.FoldedStacks;
import dev.ember.index.query.LabelValues;
import dev.ember.index.query.Matcher;
import dev.ember.index.query.MergeResult;
import dev.ember.index.query.ProfileDetail;
import dev.ember.index.query.ProfileSummary;
import dev.ember.index.query.QueryContext;
import dev.ember.index.query.Selection;
import dev.ember.index.query.SeriesResult;
import dev.ember.index.query.SpanTotal;
import dev.ember.index.query.TopTable;
import dev.ember.index.query.TraceResult;
import dev.ember.wire.ProfileRequests;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Randomized duel: random profiles (services, regions, two profile types, times across several
 * partitions, stacks, span links, thread and span names) go into the real store on disk; random
 * queries (types written in every accepted form, series and per-sample matchers of all four
 * operators, aligned and unaligned ranges) run through the engine and through a brute-force
 * in-memory reference over the same samples, and every answer must agree exactly. The store is
 * reopened half way to check that recovery answers alike.
 *
 * <p>Replay a failure with {@code -Dtests.seed=<seed printed in the failure>}; scale the work with
 * {@code -Dtests.iterations=<n>} (default 60 queries of each kind per seed).
 */
class QueryDuelTest {
  static final long MINUTE = 60_000_000_000L;
  static final long T0 = 1_763_769_600_000_000_000L; // an hour boundary
  static final String CPU = "process_cpu:cpu:nanoseconds:cpu:nanoseconds";
  static final String ALLOC = "memory:alloc_space:bytes:space:bytes";
  static final String[] ALLOC_TYPES = {"alloc_space", "bytes", "space", "bytes"};
  static final String[] SERVICES = {"checkout", "search", "cart"};
  static final String[] REGIONS = {"eu-west", "us-east"};
  static final String[] FUNCTIONS = {"main", "a", "b", "c", "d", "e", "f", "g"};
  static final String[] THREADS = {"w1", "w2", "w3"};
  static final String[] SPAN_NAMES = {"GET /a", "POST /b"};
  static final HexFormat HEX = HexFormat.of();

  @TempDir Path dir;

  /** One sample as the reference keeps it. */
  record Sample(
      String profileId,
      String tenant,
      Map<String, String> labels,
      String type,
      long time,
      List<String> stack,
      long value,
      String trace,
      String span,
      String thread,
      String spanName) {

    String sampleLabel(String name) {
      return switch (name) {
        case "trace_id" -> trace;
        case "span_id" -> span;
        case "thread_name" -> thread;
        case "span_name" -> spanName;
        default -> throw new IllegalArgumentException(name);
      };
    }
  }

  final List<Sample> samples = new ArrayList<>();
  final List<String> traces = new ArrayList<>();
  final List<String> spans = new ArrayList<>();

  @Test
  void engineAgreesWithBruteForce() throws Exception {
    long seed = Long.getLong("tests.seed", new Random().nextLong());
    int iterations = Integer.getInteger("tests.iterations", 60);
    System.out.println("QueryDuelTest seed " + seed + " (replay with -Dtests.seed=" + seed + ")");
    Random r = new Random(seed);
    for (int i = 0; i < 6; i++) {
      byte[] t = new byte[16];
      r.nextBytes(t);
      traces.add(HEX.formatHex(t));
      for (int j = 0; j < 3; j++) {
        byte[] s = new byte[8];
        r.nextBytes(s);
        spans.add(HEX.formatHex(s));
      }
    }
    StoreConfig config = new StoreConfig(dir, Duration.ofMinutes(10), Duration.ofSeconds(1));
    try (LuceneProfileStore store = new LuceneProfileStore(config)) {
      ingestRandom(store, r, 160);
      try (ProfileQueries q = store.queries(3)) {
        duel(q, r, iterations / 2, seed);
      }
    }
    try (LuceneProfileStore store = new LuceneProfileStore(config);
        ProfileQueries q = store.queries(1)) {
      duel(q, r, iterations - iterations / 2, seed);
    }
  }

  void ingestRandom(LuceneProfileStore store, Random r, int profiles) throws Exception {
    Set<Long> times = new TreeSet<>();
    while (times.size() < profiles) {
      // Minute-aligned and arbitrary times, across six 10-minute partitions.
      long t =
          T0 + (r.nextBoolean() ? r.nextInt(60) * MINUTE : (long) (r.nextDouble() * 60 * MINUTE));
      times.add(t);
    }
    for (long time : times) {
      String tenant = r.nextInt(10) == 0 ? "other" : "t";
      String service = SERVICES[r.nextInt(SERVICES.length)];
      Map<String, String> resource = new TreeMap<>();
      resource.put("service.name", service);
      if (r.nextInt(3) > 0) {
        resource.put("region", REGIONS[r.nextInt(REGIONS.length)]);
      }
      Map<String, String> labels = new TreeMap<>();
      labels.put("service_name", service);
      if (resource.containsKey("region")) {
        labels.put("region", resource.get("region"));
      }
      boolean cpu = r.nextInt(4) > 0;
      byte[] id = new byte[16];
      r.nextBytes(id);
      ProfileRequests.Builder b = ProfileRequests.request().resource(resource);
      if (cpu) {
        b.cpuProfile(time);
      } else {
        b.profile(ALLOC_TYPES, 524288, time, 10_000_000_000L);
      }
      b.dictionary(); // keep the builder's dictionary; samples follow
      Set<String> identities = new LinkedHashSet<>();
      int n = 1 + r.nextInt(8);
      List<Sample> added = new ArrayList<>();
      for (int i = 0; i < n; i++) {
        int depth = 1 + r.nextInt(5);
        List<String> stack = new ArrayList<>();
        stack.add("main");
        for (int d = 1; d < depth; d++) {
          stack.add(FUNCTIONS[r.nextInt(FUNCTIONS.length)]);
        }
        long value = 1 + r.nextInt(100);
        String trace = "";
        String span = "";
        String spanName = "";
        if (r.nextBoolean()) {
          int k = r.nextInt(traces.size());
          trace = traces.get(k);
          span = spans.get(k * 3 + r.nextInt(3));
          spanName = r.nextInt(4) == 0 ? "" : SPAN_NAMES[(k + span.charAt(0)) % 2];
        }
        String thread = r.nextInt(5) == 0 ? "" : THREADS[r.nextInt(THREADS.length)];
        String identity = stack + "|" + trace + span + "|" + thread + "|" + spanName;
        if (!identities.add(identity)) {
          continue;
        }
        Map<String, String> attrs = new TreeMap<>();
        if (!thread.isEmpty()) {
          attrs.put("thread.name", thread);
        }
        if (!spanName.isEmpty()) {
          attrs.put("span.name", spanName);
        }
        b.sample(
            value,
            trace.isEmpty() ? null : HEX.parseHex(trace),
            span.isEmpty() ? null : HEX.parseHex(span),
            attrs,
            stack.toArray(String[]::new));
        added.add(
            new Sample(
                HEX.formatHex(id),
                tenant,
                labels,
                cpu ? CPU : ALLOC,
                time,
                stack,
                value,
                trace,
                span,
                thread,
                spanName));
      }
      var request = b.build();
      // Give the profile a known id so listings can be compared.
      var withId = request.toBuilder();
      withId
          .getResourceProfilesBuilder(0)
          .getScopeProfilesBuilder(0)
          .getProfilesBuilder(0)
          .setProfileId(com.google.protobuf.ByteString.copyFrom(id));
      store.ingest(tenant, withId.build(), ref -> true);
      samples.addAll(added);
    }
  }

  // ---- random queries ----

  record Query(String text, FlameQuery parsed, String type, long from, long until) {}

  Query randomQuery(Random r) {
    boolean cpu = r.nextInt(3) > 0;
    String full = cpu ? CPU : ALLOC;
    String type =
        switch (r.nextInt(4)) {
          case 0 -> full;
          case 1 -> cpu ? "cpu" : "alloc_space";
          case 2 -> cpu ? "process_cpu:cpu:nanoseconds" : "memory:alloc_space:bytes";
          default -> cpu ? "process_cpu" : "memory";
        };
    List<String> matchers = new ArrayList<>();
    int count = r.nextInt(4);
    for (int i = 0; i < count; i++) {
      matchers.add(randomMatcher(r));
    }
    String text = type + "{" + String.join(", ", matchers) + "}";
    long[] range = randomRange(r);
    return new Query(text, FlameQL.parse(text), full, range[0], range[1]);
  }

  String randomMatcher(Random r) {
    return switch (r.nextInt(11)) {
      case 0 -> "service_name=\"" + SERVICES[r.nextInt(3)] + "\"";
      case 1 -> "service_name!=\"" + SERVICES[r.nextInt(3)] + "\"";
      case 2 -> "service_name=~\"" + SERVICES[r.nextInt(3)].substring(0, 2) + ".*\"";
      case 3 -> "region=\"\"";
      case 4 -> "region!~\"eu.*\"";
      case 5 -> "trace_id=\"" + traces.get(r.nextInt(traces.size())) + "\"";
      case 6 -> "span_id=\"" + spans.get(r.nextInt(spans.size())) + "\"";
      case 7 -> "thread_name=~\"w[12]\"";
      case 8 -> "span_name!=\"" + SPAN_NAMES[r.nextInt(2)] + "\"";
      case 9 -> "trace_id=\"\"";
      default -> "thread_name=\"\"";
    };
  }

  long[] randomRange(Random r) {
    long from;
    long until;
    switch (r.nextInt(3)) {
      case 0 -> {
        // Partition-aligned: whole partitions answer from their aggregates.
        from = T0 + (r.nextInt(7) - 1) * 10 * MINUTE;
        until = from + (1 + r.nextInt(7)) * 10 * MINUTE;
      }
      case 1 -> {
        from = T0 - MINUTE;
        until = T0 + 70 * MINUTE;
      }
      default -> {
        from = T0 + (long) (r.nextDouble() * 60 * MINUTE);
        until = from + 1 + (long) (r.nextDouble() * 40 * MINUTE);
      }
    }
    return new long[] {from, until};
  }

  // ---- the reference ----

  static boolean matches(Matcher m, String value) {
    return m.matches(value == null || value.isEmpty() ? null : value);
  }

  List<Sample> select(String tenant, FlameQuery q, String type, long from, long until) {
    List<Sample> out = new ArrayList<>();
    for (Sample s : samples) {
      if (!s.tenant().equals(tenant) || (type != null && !s.type().equals(type))) {
        continue;
      }
      if (s.time() < from || s.time() >= until) {
        continue;
      }
      boolean ok = true;
      for (Matcher m : q.matchers()) {
        String v =
            FlameQuery.SAMPLE_LABELS.contains(m.name())
                ? s.sampleLabel(m.name())
                : s.labels().get(m.name());
        ok &= matches(m, v);
      }
      if (ok) {
        out.add(s);
      }
    }
    return out;
  }

  static Map<String, Long> folded(List<Sample> selected) {
    Map<String, Long> out = new TreeMap<>();
    for (Sample s : selected) {
      out.merge(String.join(";", s.stack()), s.value(), Long::sum);
    }
    return out;
  }

  static Map<String, Long> folded(FlameTree tree) {
    return new TreeMap<>(FoldedStacks.parse(FoldedStacks.toString(tree)));
  }

  // ---- the duel ----

  void duel(ProfileQueries q, Random r, int iterations, long seed) throws Exception {
    for (int i = 0; i < iterations; i++) {
      Query query = randomQuery(r);
      String why =
          "seed "
              + seed
              + ", query "
              + query.text()
              + " ["
              + query.from()
              + ", "
              + query.until()
              + ")";
      Selection sel = new Selection(query.parsed(), query.from(), query.until());
      List<Sample> expected =
          select("t", query.parsed(), query.type(), query.from(), query.until());

      try {
        MergeResult merged = q.merge("t", sel, QueryContext.defaults());
        if (!expected.isEmpty()) {
          assertThat(merged.profileType()).as(why).isEqualTo(query.type());
        }
        assertThat(folded(merged.tree())).as(why).isEqualTo(folded(expected));
        assertThat(merged.tree().grandTotal())
            .as(why)
            .isEqualTo(expected.stream().mapToLong(Sample::value).sum());
        checkTop(merged.tree(), expected, why);
        checkSeries(q, r, query, expected, why);
        checkProfiles(q, r, query, expected, why);
        checkLabels(q, r, query, why);
        checkContributors(q, r, query, expected, why);
      } catch (IllegalArgumentException e) {
        // A short type name that no partition of the range holds cannot be resolved.
        assertThat(e.getMessage()).as(why).contains("unknown profile type");
        assertThat(expected).as(why).isEmpty();
      }
      try {
        checkTrace(q, r, query, why);
      } catch (IllegalArgumentException e) {
        assertThat(e.getMessage()).as(why).contains("unknown profile type");
      }

      Query other = randomQuery(r);
      if (other.type().equals(query.type()) && !expected.isEmpty()) {
        List<Sample> right = select("t", other.parsed(), other.type(), other.from(), other.until());
        try {
          DiffResult d =
              q.diff(
                  "t",
                  sel,
                  new Selection(other.parsed(), other.from(), other.until()),
                  QueryContext.defaults());
          assertThat(folded(d.left().tree())).as(why).isEqualTo(folded(expected));
          assertThat(folded(d.right().tree()))
              .as(why + " vs " + other.text())
              .isEqualTo(folded(right));
        } catch (IllegalArgumentException e) {
          assertThat(e.getMessage()).as(why).contains("unknown profile type");
          assertThat(right).as(why).isEmpty();
        }
      }
    }
    // Another tenant's data never shows.
    Selection all = new Selection(FlameQL.parse(CPU + "{}"), T0 - MINUTE, T0 + 70 * MINUTE);
    assertThat(folded(q.merge("t", all, QueryContext.defaults()).tree()))
        .isEqualTo(folded(select("t", all.query(), CPU, all.fromNanos(), all.untilNanos())));
    assertThat(folded(q.merge("nobody", all, QueryContext.defaults()).tree())).isEmpty();
  }

  void checkTop(FlameTree tree, List<Sample> expected, String why) {
    Map<String, long[]> ref = new TreeMap<>();
    for (Sample s : expected) {
      ref.computeIfAbsent(s.stack().getLast(), k -> new long[2])[0] += s.value();
      for (String f : new LinkedHashSet<>(s.stack())) {
        ref.computeIfAbsent(f, k -> new long[2])[1] += s.value();
      }
    }
    TopTable top = TopTable.of(tree, TopTable.Order.TOTAL, 1000);
    Map<String, long[]> got = new TreeMap<>();
    for (TopTable.Row row : top.rows()) {
      got.put(row.name(), new long[] {row.self(), row.total()});
    }
    assertThat(got.keySet()).as(why).isEqualTo(ref.keySet());
    ref.forEach((k, v) -> assertThat(got.get(k)).as(why + " top " + k).containsExactly(v));
  }

  void checkSeries(ProfileQueries q, Random r, Query query, List<Sample> expected, String why)
      throws Exception {
    long step = (1 + r.nextInt(15)) * MINUTE + (r.nextBoolean() ? 0 : r.nextInt(1000) * 1_000_000L);
    List<String> groupBy =
        switch (r.nextInt(3)) {
          case 0 -> List.of();
          case 1 -> List.of("service_name");
          default -> List.of("region", "service_name");
        };
    SeriesResult s =
        q.series(
            "t",
            new Selection(query.parsed(), query.from(), query.until()),
            step,
            groupBy,
            SeriesResult.Aggregation.SUM,
            QueryContext.defaults());
    int points = (int) ((query.until() - query.from() + step - 1) / step);
    // Reference: per group, per step, the sum of values and the number of distinct profiles.
    Map<Map<String, String>, long[]> values = new HashMap<>();
    Map<Map<String, String>, List<Set<String>>> profiles = new HashMap<>();
    for (Sample x : expected) {
      Map<String, String> key = new TreeMap<>();
      for (String g : groupBy) {
        String v = x.labels().get(g);
        if (v != null) {
          key.put(g, v);
        }
      }
      int bucket = (int) ((x.time() - query.from()) / step);
      values.computeIfAbsent(key, k -> new long[points])[bucket] += x.value();
      List<Set<String>> p =
          profiles.computeIfAbsent(
              key,
              k -> {
                List<Set<String>> l = new ArrayList<>();
                for (int i = 0; i < points; i++) {
                  l.add(new TreeSet<>());
                }
                return l;
              });
      p.get(bucket).add(x.profileId());
    }
    Map<Map<String, String>, long[]> gotValues = new HashMap<>();
    Map<Map<String, String>, long[]> gotCounts = new HashMap<>();
    for (SeriesResult.Series series : s.series()) {
      gotValues.put(series.labels(), series.values());
      gotCounts.put(series.labels(), series.counts());
    }
    assertThat(gotValues.keySet())
        .as(why + " series step " + step + " by " + groupBy)
        .isEqualTo(values.keySet());
    for (var e : values.entrySet()) {
      assertThat(gotValues.get(e.getKey()))
          .as(why + " series " + e.getKey())
          .containsExactly(e.getValue());
      long[] counts = new long[points];
      for (int i = 0; i < points; i++) {
        counts[i] = profiles.get(e.getKey()).get(i).size();
      }
      assertThat(gotCounts.get(e.getKey()))
          .as(why + " counts " + e.getKey())
          .containsExactly(counts);
    }
  }

  void checkProfiles(ProfileQueries q, Random r, Query query, List<Sample> expected, String why)
      throws Exception {
    int limit = 1 + r.nextInt(20);
    List<ProfileSummary> got =
        q.profiles(
            "t",
            new Selection(query.parsed(), query.from(), query.until()),
            limit,
            QueryContext.defaults());
    Map<String, long[]> byProfile = new LinkedHashMap<>(); // id -> time, total, samples
    expected.stream()
        .sorted((a, b) -> Long.compare(b.time(), a.time()))
        .forEach(
            s -> {
              long[] v = byProfile.computeIfAbsent(s.profileId(), k -> new long[] {s.time(), 0, 0});
              v[1] += s.value();
              v[2]++;
            });
    List<String> ids = new ArrayList<>(byProfile.keySet());
    List<String> want = ids.subList(0, Math.min(limit, ids.size()));
    assertThat(got.stream().map(ProfileSummary::id).toList()).as(why + " profiles").isEqualTo(want);
    for (ProfileSummary p : got) {
      long[] v = byProfile.get(p.id());
      assertThat(new long[] {p.timeNanos(), p.total(), p.samples()})
          .as(why + " " + p.id())
          .containsExactly(v);
    }
    if (!got.isEmpty()) {
      ProfileSummary first = got.get(0);
      Optional<ProfileDetail> detail =
          q.profile(
              "t",
              first.id().toUpperCase(java.util.Locale.ROOT),
              T0 - MINUTE,
              T0 + 70 * MINUTE,
              QueryContext.defaults());
      assertThat(detail).as(why).isPresent();
      List<Sample> all = samples.stream().filter(s -> s.profileId().equals(first.id())).toList();
      assertThat(folded(detail.get().tree()))
          .as(why + " profile " + first.id())
          .isEqualTo(folded(all));
      assertThat(detail.get().summary().labels()).isEqualTo(all.get(0).labels());
    }
  }

  void checkLabels(ProfileQueries q, Random r, Query query, String why) throws Exception {
    long from = query.from();
    long until = query.until();
    FlameQuery filter = r.nextBoolean() ? null : query.parsed();
    String type = filter == null ? null : query.type();
    List<Sample> in =
        select(
            "t",
            filter == null ? FlameQL.parse("{}") : withoutSampleMatchers(filter),
            type,
            from,
            until);
    if (filter != null && !filter.sampleMatchers().isEmpty()) {
      // Exact per-sample matchers narrow label listings to profiles holding such a value.
      in = profilesWith(in, filter, type, from, until);
    }
    TreeSet<String> names = new TreeSet<>();
    TreeSet<String> services = new TreeSet<>();
    for (Sample s : in) {
      names.addAll(s.labels().keySet());
      services.add(s.labels().get("service_name"));
    }
    assertThat(q.labelNames("t", filter, from, until, QueryContext.defaults()))
        .as(why + " label names, filter " + filter)
        .containsExactlyElementsOf(names);
    LabelValues values =
        q.labelValues("t", "service_name", filter, from, until, 2, QueryContext.defaults());
    assertThat(values.values())
        .as(why + " values")
        .containsExactlyElementsOf(services.stream().limit(2).toList());
    assertThat(values.truncated()).as(why).isEqualTo(services.size() > 2);

    TreeSet<String> types = new TreeSet<>();
    TreeSet<String> threads = new TreeSet<>();
    for (Sample s : samples) {
      if (s.tenant().equals("t") && s.time() >= from && s.time() < until) {
        types.add(s.type());
      }
    }
    for (Sample s : in) {
      // thread_name values come from the profiles the query selects (any of their samples).
      threads.addAll(threadsOfProfile(s.profileId()));
    }
    assertThat(q.profileTypes("t", from, until, QueryContext.defaults()))
        .as(why)
        .containsExactlyElementsOf(types);
    assertThat(
            q.labelValues("t", "thread_name", filter, from, until, 100, QueryContext.defaults())
                .values())
        .as(why + " thread names, filter " + filter)
        .containsExactlyElementsOf(threads);
  }

  static FlameQuery withoutSampleMatchers(FlameQuery q) {
    return new FlameQuery(q.profileType(), q.seriesMatchers());
  }

  /** Samples of profiles that hold a sample equal to each exact per-sample matcher. */
  List<Sample> profilesWith(List<Sample> in, FlameQuery q, String type, long from, long until) {
    Set<String> ok = new TreeSet<>();
    Map<String, List<Sample>> byProfile = new HashMap<>();
    for (Sample s : samples) {
      byProfile.computeIfAbsent(s.profileId(), k -> new ArrayList<>()).add(s);
    }
    for (Map.Entry<String, List<Sample>> e : byProfile.entrySet()) {
      boolean all = true;
      for (Matcher m : q.sampleMatchers()) {
        if (m.op() == Matcher.Op.EQ && !m.value().isEmpty()) {
          all &= e.getValue().stream().anyMatch(s -> m.value().equals(s.sampleLabel(m.name())));
        }
      }
      if (all) {
        ok.add(e.getKey());
      }
    }
    return in.stream().filter(s -> ok.contains(s.profileId())).toList();
  }

  Set<String> threadsOfProfile(String id) {
    Set<String> out = new TreeSet<>();
    for (Sample s : samples) {
      if (s.profileId().equals(id) && !s.thread().isEmpty()) {
        out.add(s.thread());
      }
    }
    return out;
  }

  void checkTrace(ProfileQueries q, Random r, Query query, String why) throws Exception {
    String trace = traces.get(r.nextInt(traces.size()));
    String span = r.nextBoolean() ? "" : spans.get(traces.indexOf(trace) * 3 + r.nextInt(3));
    String type =
        switch (r.nextInt(3)) {
          case 0 -> "";
          case 1 -> "cpu";
          default -> ALLOC;
        };
    TraceResult t =
        q.trace("t", trace, span, type, query.from(), query.until(), QueryContext.defaults());
    List<Sample> linked = new ArrayList<>();
    for (Sample s : samples) {
      if (s.tenant().equals("t")
          && s.trace().equals(trace)
          && (span.isEmpty() || s.span().equals(span))
          && s.time() >= query.from()
          && s.time() < query.until()
          && (type.isEmpty() || s.type().equals(type.equals("cpu") ? CPU : type))) {
        linked.add(s);
      }
    }
    TreeSet<String> types = new TreeSet<>();
    linked.forEach(s -> types.add(s.type()));
    String chosen =
        type.isEmpty()
            ? (types.contains(CPU) ? CPU : types.isEmpty() ? "" : types.first())
            : (type.equals("cpu") ? CPU : type);
    String why2 = why + " trace " + trace + " span " + span + " type " + type;
    assertThat(t.profileTypes()).as(why2).containsExactlyElementsOf(types);
    if (!linked.isEmpty()) {
      assertThat(t.profileType()).as(why2).isEqualTo(chosen);
    }
    assertThat(folded(t.tree()))
        .as(why2)
        .isEqualTo(folded(linked.stream().filter(s -> s.type().equals(chosen)).toList()));
    Map<List<String>, Long> spansWant = new TreeMap<>(QueryDuelTest::compare);
    for (Sample s : linked) {
      spansWant.merge(
          List.of(s.span(), s.spanName(), s.labels().get("service_name"), s.type()),
          s.value(),
          Long::sum);
    }
    Map<List<String>, Long> spansGot = new TreeMap<>(QueryDuelTest::compare);
    for (SpanTotal st : t.spans()) {
      assertThat(st.traceId()).isEqualTo(trace);
      spansGot.merge(
          List.of(st.spanId(), st.spanName(), st.service(), st.profileType()),
          st.total(),
          Long::sum);
    }
    assertThat(spansGot).as(why2).isEqualTo(spansWant);
  }

  static int compare(List<String> a, List<String> b) {
    return String.join("\u0000", a).compareTo(String.join("\u0000", b));
  }

  void checkContributors(ProfileQueries q, Random r, Query query, List<Sample> expected, String why)
      throws Exception {
    String frame = FUNCTIONS[r.nextInt(FUNCTIONS.length)];
    ContributorsResult c =
        q.contributors(
            "t",
            new Selection(query.parsed(), query.from(), query.until()),
            frame,
            1000,
            QueryContext.defaults());
    long total = 0;
    long linked = 0;
    Map<List<String>, Long> want = new TreeMap<>(QueryDuelTest::compare);
    for (Sample s : expected) {
      if (!s.stack().contains(frame)) {
        continue;
      }
      total += s.value();
      if (!s.trace().isEmpty()) {
        linked += s.value();
        want.merge(
            List.of(s.trace(), s.span(), s.spanName(), s.labels().get("service_name")),
            s.value(),
            Long::sum);
      }
    }
    String why2 = why + " frame " + frame;
    assertThat(c.frameTotal()).as(why2).isEqualTo(total);
    assertThat(c.linkedTotal()).as(why2).isEqualTo(linked);
    Map<List<String>, Long> got = new TreeMap<>(QueryDuelTest::compare);
    for (SpanTotal st : c.spans()) {
      got.merge(
          List.of(st.traceId(), st.spanId(), st.spanName(), st.service()), st.total(), Long::sum);
    }
    assertThat(got).as(why2).isEqualTo(want);
    for (int i = 1; i < c.spans().size(); i++) {
      assertThat(c.spans().get(i).total()).isLessThanOrEqualTo(c.spans().get(i - 1).total());
    }
  }
}
