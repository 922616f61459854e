package dev.ember.index.store;

import dev.ember.index.query.ContributorsResult;
import dev.ember.index.query.DiffResult;
import dev.ember.index.query.FlameQuery;
import dev.ember.index.query.FlameTree;
import dev.ember.index.query.LabelValues;
import dev.ember.index.query.Matcher;
import dev.ember.index.query.MergeResult;
import dev.ember.index.query.ProfileDetail;
import dev.ember.index.query.ProfileSummary;
import dev.ember.index.query.ProfileTypes;
import dev.ember.index.query.QueryCancelledException;
import dev.ember.index.query.QueryContext;
import dev.ember.index.query.QueryLimitException;
import dev.ember.index.query.QueryLimits;
import dev.ember.index.query.Selection;
import dev.ember.index.query.SeriesResult;
import dev.ember.index.query.SpanTotal;
import dev.ember.index.query.TraceResult;
import dev.ember.proto.store.v1.StoredProfile;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.BitSet;
import java.util.Collections;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.WeakHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Pattern;
import org.apache.lucene.index.LeafReaderContext;
import org.apache.lucene.index.PostingsEnum;
import org.apache.lucene.index.Term;
import org.apache.lucene.index.Terms;
import org.apache.lucene.index.TermsEnum;
import org.apache.lucene.search.BooleanClause;
import org.apache.lucene.search.BooleanQuery;
import org.apache.lucene.search.DocIdSetIterator;
import org.apache.lucene.search.Query;
import org.apache.lucene.search.ScoreMode;
import org.apache.lucene.search.Scorer;
import org.apache.lucene.search.TermQuery;
import org.apache.lucene.search.Weight;
import org.apache.lucene.util.BytesRef;
import org.apache.lucene.util.FixedBitSet;

/**
 * The query engine over the embedded store. Every query picks the partitions overlapping its range
 * (time pruning), resolves its profile type and series per partition in memory, and then works on
 * the partitions in parallel on a fixed pool: a partition that the range covers entirely is
 * answered from its pre-aggregated per-series totals without decoding a profile, the others (and
 * any query with per-sample matchers) read the profiles Lucene finds. Each partition folds its
 * values into its own call tree; the trees are then merged without recursion. Loops check the
 * {@link QueryContext} so that a cancelled or overdue query stops promptly.
 */
final class LuceneQueries implements ProfileQueries {
  private static final HexFormat HEX = HexFormat.of();
  private static final Pattern TRACE_ID = Pattern.compile("[0-9a-f]{32}");
  private static final Pattern SPAN_ID = Pattern.compile("[0-9a-f]{16}");
  private static final Pattern PROFILE_ID = Pattern.compile("[0-9a-f]{32}");
  private static final String CPU_TYPE = "process_cpu:cpu:nanoseconds:cpu:nanoseconds";

  /** Where the partitions of a tenant come from: overlapping [from, until), oldest first. */
  interface PartitionSource {
    List<Partition> partitions(String tenant, long from, long until) throws IOException;
  }

  private final PartitionSource source;
  private final ExecutorService pool;

  /** Per partition, its span and trace ids; weak, so closed partitions drop out. */
  private final Map<Partition, LinkIndex> linkIndexes = new WeakHashMap<>();

  /**
   * @param parallelism how many partitions are worked on at once across all queries; 1 runs every
   *     query on its caller's thread
   */
  LuceneQueries(PartitionSource source, int parallelism) {
    if (parallelism < 1) {
      throw new IllegalArgumentException(
          "query parallelism must be at least 1, got " + parallelism);
    }
    this.source = source;
    if (parallelism == 1) {
      this.pool = null;
    } else {
      AtomicInteger n = new AtomicInteger();
      this.pool =
          Executors.newFixedThreadPool(
              parallelism,
              r -> {
                Thread t = new Thread(r, "ember-query-" + n.incrementAndGet());
                t.setDaemon(true);
                return t;
              });
    }
  }

  // ---- merge and diff ----

  @Override
  public MergeResult merge(String tenant, Selection selection, QueryContext ctx)
      throws IOException {
    long from = selection.fromNanos();
    long until = selection.untilNanos();
    ctx.limits().checkRange(from, until);
    List<Partition> parts = source.partitions(tenant, from, until);
    String type = resolveType(selection.query().profileType(), parts);
    FlameTree tree = mergeTrees(parts, type, selection, ctx);
    return new MergeResult(tree, type, from, until, ctx.stats());
  }

  @Override
  public DiffResult diff(String tenant, Selection left, Selection right, QueryContext ctx)
      throws IOException {
    ctx.limits().checkRange(left.fromNanos(), left.untilNanos());
    ctx.limits().checkRange(right.fromNanos(), right.untilNanos());
    List<Partition> lp = source.partitions(tenant, left.fromNanos(), left.untilNanos());
    List<Partition> rp = source.partitions(tenant, right.fromNanos(), right.untilNanos());
    // Each side resolves against the types of both ranges, so that a side without data still
    // resolves a short name to the same ID as the other.
    List<Partition> both = new ArrayList<>(lp);
    both.addAll(rp);
    String lt = resolveType(left.query().profileType(), both);
    String rt = resolveType(right.query().profileType(), both);
    if (!lt.equals(rt) && !lt.isEmpty() && !rt.isEmpty()) {
      throw new IllegalArgumentException(
          "both sides of a diff must have the same profile type, got '"
              + lt
              + "' and '"
              + rt
              + "'");
    }
    FlameTree l = mergeTrees(lp, lt, left, ctx);
    FlameTree r = mergeTrees(rp, rt, right, ctx);
    return new DiffResult(
        new MergeResult(l, lt, left.fromNanos(), left.untilNanos(), ctx.stats()),
        new MergeResult(r, rt, right.fromNanos(), right.untilNanos(), ctx.stats()));
  }

  private FlameTree mergeTrees(
      List<Partition> parts, String type, Selection selection, QueryContext ctx)
      throws IOException {
    List<Matcher> sampleMatchers = selection.query().sampleMatchers();
    LinkKeys keys = LinkKeys.of(sampleMatchers);
    List<PartitionScan> scans = plan(parts, type, keys);
    // Partitions answered from their aggregates cost less than a thread hand-off: do them here,
    // and send only those whose profiles must be read to the pool.
    List<PartitionScan> heavy = new ArrayList<>();
    List<PartitionScan> light = new ArrayList<>();
    for (PartitionScan scan : scans) {
      boolean aggregated =
          scan.covered(selection.fromNanos(), selection.untilNanos()) && sampleMatchers.isEmpty();
      (aggregated ? light : heavy).add(scan);
    }
    // Aggregated partitions fold straight into the result, with no tree of their own.
    FlameTree out = new FlameTree(ctx.limits().maxTreeNodes());
    try {
      for (PartitionScan scan : light) {
        ctx.check();
        int[] series = seriesOf(scan, selection.query(), ctx);
        if (series.length == 0) {
          continue;
        }
        IntLongMap values = new IntLongMap(64);
        scan.partition.addAggregates(setOf(series), scan.typeId(type), values);
        scan.refreshSymbols();
        ctx.addPartition(true);
        scan.addTo(out, values);
      }
    } finally {
      closeAll(light);
    }
    for (FlameTree t : parallel(heavy, ctx, scan -> mergePartition(scan, type, selection, ctx))) {
      if (t != null) {
        ctx.check();
        out.mergeFrom(t);
      }
    }
    out.computeTotals();
    return out;
  }

  /** Merges the profiles of a partition that the range covers only in part (or filtered). */
  private FlameTree mergePartition(
      PartitionScan scan, String type, Selection selection, QueryContext ctx) throws IOException {
    long from = selection.fromNanos();
    long until = selection.untilNanos();
    List<Matcher> sampleMatchers = selection.query().sampleMatchers();
    int[] series = seriesOf(scan, selection.query(), ctx);
    if (series.length == 0) {
      return null;
    }
    IntLongMap values = new IntLongMap(64);
    List<PartitionScan.Doc> docs =
        scan.docs(profileQuery(scan, type, series, sampleMatchers, from, until), ctx);
    SampleFilter filter = new SampleFilter(sampleMatchers, scan.symbols, scan.linkIds);
    scan.addProfiles(docs, filter, values, ctx);
    ctx.addPartition(false);
    ctx.check();
    return scan.tree(values, ctx.limits().maxTreeNodes());
  }

  /**
   * False when the partition cannot hold a sample that the exact span and trace matchers want: no
   * link of the partition has those ids. Such a partition is skipped before Lucene or the log is
   * read.
   */
  private boolean mayMatch(PartitionScan scan, List<Matcher> sampleMatchers) {
    return mayMatch(scan, LinkKeys.of(sampleMatchers));
  }

  private boolean mayMatch(PartitionScan scan, LinkKeys keys) {
    if (keys.impossible()) {
      return false;
    }
    int[][] sets = linkIds(scan, keys);
    if (sets != null) {
      for (int[] ids : sets) {
        if (ids.length == 0) {
          return false;
        }
      }
    }
    return true;
  }

  /**
   * Per exact span or trace matcher, the partition's link ids (ascending) it accepts, from the
   * scan's symbols; null when the query has no such matcher (any link will do). A profile can hold
   * matching samples only if it holds a link of every set.
   */
  private int[][] linkIds(PartitionScan scan, LinkKeys keys) {
    if (keys.impossible()) {
      return new int[][] {new int[0]};
    }
    if (keys.spans().length == 0 && keys.traces().length == 0) {
      return null;
    }
    LinkIndex index = linkIndex(scan);
    int limit = scan.symbols.linkCount();
    int[][] out = new int[keys.spans().length + keys.traces().length][];
    int n = 0;
    for (long span : keys.spans()) {
      out[n++] = index.withSpan(span, limit);
    }
    for (long[] trace : keys.traces()) {
      out[n++] = index.withTrace(trace[0], trace[1], limit);
    }
    return out;
  }

  /** Ascending ids in both (all of {@code b} when {@code a} is null). */
  private static int[] intersect(int[] a, int[] b) {
    if (a == null) {
      return b;
    }
    int[] out = new int[Math.min(a.length, b.length)];
    int n = 0;
    for (int i = 0, j = 0; i < a.length && j < b.length; ) {
      if (a[i] < b[j]) {
        i++;
      } else if (a[i] > b[j]) {
        j++;
      } else {
        out[n++] = a[i];
        i++;
        j++;
      }
    }
    return Arrays.copyOf(out, n);
  }

  /**
   * The Lucene query for a partition's profiles of a selection. The searcher is acquired first, so
   * that the span and trace ids resolve against the links of every profile it can find.
   */
  private PartitionScan.ProfileQuery profileQuery(
      PartitionScan scan,
      String type,
      int[] series,
      List<Matcher> sampleMatchers,
      long from,
      long until)
      throws IOException {
    scan.searcher();
    scan.linkIds = linkIds(scan, LinkKeys.of(sampleMatchers));
    int typeId = type == null ? -1 : scan.typeId(type);
    return PartitionScan.profilesQuery(
        type, typeId, series, sampleMatchers, scan.linkIds, from, until);
  }

  /** The exact span and trace ids a query asks for, parsed once per query. */
  private record LinkKeys(long[] spans, long[][] traces, boolean impossible) {
    static LinkKeys of(List<Matcher> sampleMatchers) {
      List<Long> spans = new ArrayList<>();
      List<long[]> traces = new ArrayList<>();
      boolean impossible = false;
      for (Matcher m : sampleMatchers) {
        if (m.op() != Matcher.Op.EQ || m.value().isEmpty()) {
          continue;
        }
        if (m.name().equals("span_id")) {
          Long key = LinkIndex.spanKey(m.value());
          impossible |= key == null; // not a valid id: no stored sample can equal it
          if (key != null) {
            spans.add(key);
          }
        } else if (m.name().equals("trace_id")) {
          long[] key = LinkIndex.traceKey(m.value());
          impossible |= key == null;
          if (key != null) {
            traces.add(key);
          }
        }
      }
      return new LinkKeys(
          spans.stream().mapToLong(Long::longValue).toArray(),
          traces.toArray(new long[0][]),
          impossible);
    }
  }

  private LinkIndex linkIndex(PartitionScan scan) {
    LinkIndex index;
    synchronized (linkIndexes) {
      index = linkIndexes.computeIfAbsent(scan.partition, p -> new LinkIndex());
    }
    index.update(scan.symbols);
    return index;
  }

  private static int[] seriesOf(PartitionScan scan, FlameQuery query, QueryContext ctx) {
    int[] series = scan.matchingSeries(query.seriesMatchers());
    ctx.limits().checkSeries(series.length, "in partition " + scan.partition.dir.getFileName());
    return series;
  }

  private static Set<Integer> setOf(int[] ids) {
    Set<Integer> s = new java.util.HashSet<>(ids.length * 2);
    for (int id : ids) {
      s.add(id);
    }
    return s;
  }

  // ---- series ----

  @Override
  public SeriesResult series(
      String tenant,
      Selection selection,
      long stepNanos,
      List<String> groupBy,
      SeriesResult.Aggregation aggregation,
      QueryContext ctx)
      throws IOException {
    long from = selection.fromNanos();
    long until = selection.untilNanos();
    ctx.limits().checkRange(from, until);
    if (stepNanos < 1_000_000L) {
      throw new IllegalArgumentException("step must be at least 1ms, got " + stepNanos + "ns");
    }
    long points = (until - from + stepNanos - 1) / stepNanos;
    if (points > QueryLimits.MAX_POINTS) {
      throw new QueryLimitException(
          "range / step gives "
              + points
              + " points, more than the limit of "
              + QueryLimits.MAX_POINTS
              + "; choose a larger step",
          "step");
    }
    int n = (int) points;
    List<Partition> parts = source.partitions(tenant, from, until);
    String type = resolveType(selection.query().profileType(), parts);
    List<Map<List<String>, long[][]>> partials =
        parallel(
            plan(parts, type, LinkKeys.of(selection.query().sampleMatchers())),
            ctx,
            scan -> seriesPartition(scan, type, selection, stepNanos, n, groupBy, ctx));
    Map<List<String>, long[][]> groups = new TreeMap<>(LuceneQueries::compareLists);
    for (Map<List<String>, long[][]> partial : partials) {
      if (partial == null) {
        continue;
      }
      for (Map.Entry<List<String>, long[][]> e : partial.entrySet()) {
        long[][] acc = groups.computeIfAbsent(e.getKey(), k -> new long[2][n]);
        for (int i = 0; i < n; i++) {
          acc[0][i] += e.getValue()[0][i];
          acc[1][i] += e.getValue()[1][i];
        }
      }
      QueryLimits.checkSeriesCells(groups.size(), n);
      if (groups.size() > ctx.limits().maxSeries()) {
        throw new QueryLimitException(
            "the series query returns more than "
                + ctx.limits().maxSeries()
                + " groups; group by fewer labels or narrow the selector",
            "--query-max-series");
      }
    }
    List<SeriesResult.Series> out = new ArrayList<>();
    for (Map.Entry<List<String>, long[][]> e : groups.entrySet()) {
      Map<String, String> labels = new TreeMap<>();
      for (int i = 0; i < groupBy.size(); i++) {
        if (!e.getKey().get(i).isEmpty()) {
          labels.put(groupBy.get(i), e.getKey().get(i));
        }
      }
      long[] values = e.getValue()[0];
      long[] counts = e.getValue()[1];
      if (aggregation == SeriesResult.Aggregation.AVERAGE) {
        for (int i = 0; i < n; i++) {
          values[i] = counts[i] == 0 ? 0 : Math.round((double) values[i] / counts[i]);
        }
      }
      out.add(new SeriesResult.Series(labels, values, counts));
    }
    return new SeriesResult(type, from, until, stepNanos, out, ctx.stats());
  }

  private static long distinctSeries(List<PartitionScan.Doc> docs) {
    BitSet seen = new BitSet();
    for (PartitionScan.Doc d : docs) {
      seen.set(d.series());
    }
    return seen.cardinality();
  }

  private static int compareLists(List<String> a, List<String> b) {
    for (int i = 0; i < Math.min(a.size(), b.size()); i++) {
      int c = a.get(i).compareTo(b.get(i));
      if (c != 0) {
        return c;
      }
    }
    return Integer.compare(a.size(), b.size());
  }

  private Map<List<String>, long[][]> seriesPartition(
      PartitionScan scan,
      String type,
      Selection selection,
      long step,
      int points,
      List<String> groupBy,
      QueryContext ctx)
      throws IOException {
    long from = selection.fromNanos();
    long until = selection.untilNanos();
    List<Matcher> sampleMatchers = selection.query().sampleMatchers();
    if (scan.typeId(type) < 0 || !mayMatch(scan, sampleMatchers)) {
      return null;
    }
    int[] series = seriesOf(scan, selection.query(), ctx);
    if (series.length == 0) {
      return null;
    }
    Map<Integer, long[][]> bySeries = new HashMap<>();
    List<PartitionScan.Doc> docs =
        scan.docs(profileQuery(scan, type, series, sampleMatchers, from, until), ctx);
    SampleFilter filter = new SampleFilter(sampleMatchers, scan.symbols, scan.linkIds);
    QueryLimits.checkSeriesCells(distinctSeries(docs), points);
    long decoded = 0;
    long samples = 0;
    for (PartitionScan.Doc d : docs) {
      long value = d.total();
      if (!filter.isEmpty()) {
        if ((++decoded & 63) == 0) {
          ctx.check();
        }
        SampleColumns c = scan.read(d.offset()).samples();
        samples += c.count;
        value = 0;
        boolean any = false;
        for (int i = 0; i < c.count; i++) {
          if (filter.accepts(c.link(i), c.attributeSet(i))) {
            value += c.value(i);
            any = true;
          }
        }
        if (!any) {
          continue;
        }
      }
      int bucket = (int) ((d.time() - from) / step);
      long[][] acc = bySeries.computeIfAbsent(d.series(), s -> new long[2][points]);
      acc[0][bucket] += value;
      acc[1][bucket]++;
    }
    ctx.addProfiles(decoded, samples);
    ctx.addPartition(false);
    Map<List<String>, long[][]> groups = new HashMap<>();
    for (Map.Entry<Integer, long[][]> e : bySeries.entrySet()) {
      List<String> key = new ArrayList<>(groupBy.size());
      for (String label : groupBy) {
        String v = scan.label(e.getKey(), label);
        key.add(v == null ? "" : v);
      }
      long[][] acc = groups.computeIfAbsent(key, k -> new long[2][points]);
      for (int i = 0; i < points; i++) {
        acc[0][i] += e.getValue()[0][i];
        acc[1][i] += e.getValue()[1][i];
      }
    }
    return groups;
  }

  // ---- labels and types ----

  @Override
  public List<String> profileTypes(String tenant, long from, long until, QueryContext ctx)
      throws IOException {
    checkRange(from, until, ctx);
    List<Partition> parts = source.partitions(tenant, from, until);
    List<Set<String>> partials =
        parallel(plan(parts), ctx, scan -> typesWithData(scan, from, until));
    TreeSet<String> out = new TreeSet<>();
    for (Set<String> p : partials) {
      out.addAll(p);
    }
    return List.copyOf(out);
  }

  private static Set<String> typesWithData(PartitionScan scan, long from, long until)
      throws IOException {
    Set<String> out = new TreeSet<>();
    for (int t = 1; t < scan.symbols.typeCount(); t++) {
      String type = scan.symbols.typeId(t);
      // A type is interned only with a profile, so a covered partition has data of each.
      if (scan.covered(from, until)
          || scan.any(PartitionScan.profilesFilter(type, null, List.of(), null, from, until))) {
        out.add(type);
      }
    }
    return out;
  }

  @Override
  public List<String> labelNames(
      String tenant, FlameQuery query, long from, long until, QueryContext ctx) throws IOException {
    checkRange(from, until, ctx);
    List<Partition> parts = source.partitions(tenant, from, until);
    String type = typeFilter(query, parts);
    List<Set<String>> partials =
        parallel(
            plan(parts),
            ctx,
            scan -> {
              TreeSet<String> names = new TreeSet<>();
              for (int s : seriesWithData(scan, type, query, from, until, ctx)) {
                int[] pairs = scan.symbols.seriesPairs(s);
                for (int i = 0; i < pairs.length; i += 2) {
                  names.add(scan.symbols.string(pairs[i]));
                }
              }
              return names;
            });
    TreeSet<String> out = new TreeSet<>();
    for (Set<String> p : partials) {
      out.addAll(p);
    }
    return List.copyOf(out);
  }

  @Override
  public LabelValues labelValues(
      String tenant,
      String name,
      FlameQuery query,
      long from,
      long until,
      int limit,
      QueryContext ctx)
      throws IOException {
    checkRange(from, until, ctx);
    checkLimit(limit);
    if (name.equals("__name__") || name.equals("__profile_type__")) {
      List<String> types = profileTypes(tenant, from, until, ctx);
      return new LabelValues(
          name, types.subList(0, Math.min(limit, types.size())), types.size() > limit);
    }
    List<Partition> parts = source.partitions(tenant, from, until);
    String type = typeFilter(query, parts);
    boolean sampleLabel = FlameQuery.SAMPLE_LABELS.contains(name);
    List<TreeSet<String>> partials =
        parallel(
            plan(parts),
            ctx,
            scan -> {
              if (sampleLabel) {
                return sampleLabelValues(scan, name, type, query, from, until, limit, ctx);
              }
              TreeSet<String> values = new TreeSet<>();
              for (int s : seriesWithData(scan, type, query, from, until, ctx)) {
                String v = scan.label(s, name);
                if (v != null) {
                  values.add(v);
                }
              }
              return values;
            });
    TreeSet<String> all = new TreeSet<>();
    for (TreeSet<String> p : partials) {
      all.addAll(p);
    }
    List<String> values = new ArrayList<>(all);
    boolean truncated = values.size() > limit;
    return new LabelValues(name, truncated ? values.subList(0, limit) : values, truncated);
  }

  /** The type a label query is limited to, or null for any type. */
  private String typeFilter(FlameQuery query, List<Partition> parts) {
    if (query == null || query.profileType().isEmpty()) {
      return null;
    }
    return resolveType(query.profileType(), parts);
  }

  /**
   * Series of the partition with a profile in [from, until) (of the type, when given) that the
   * query's series matchers select.
   */
  private int[] seriesWithData(
      PartitionScan scan, String type, FlameQuery query, long from, long until, QueryContext ctx)
      throws IOException {
    int[] candidates =
        query == null
            ? scan.matchingSeries(List.of())
            : scan.matchingSeries(query.seriesMatchers());
    List<Matcher> sampleMatchers = query == null ? List.of() : query.sampleMatchers();
    if (!mayMatch(scan, sampleMatchers)) {
      return new int[0];
    }
    // Every series of the symbols has a profile in the partition: it is interned with one.
    if (type == null && scan.covered(from, until) && sampleMatchers.isEmpty()) {
      return candidates;
    }
    if (type != null && scan.typeId(type) < 0) {
      return new int[0];
    }
    BitSet present = new BitSet();
    PartitionScan.ProfileQuery q =
        profileQuery(scan, type, candidates, sampleMatchers, from, until);
    for (PartitionScan.Doc d : scan.docs(q, ctx)) {
      present.set(d.series());
    }
    return present.stream().toArray();
  }

  /**
   * Values of a per-sample label that occur in a profile the query selects, at most {@code limit +
   * 1} (the extra one tells that the list was cut): for sample attributes, the terms of its Lucene
   * field; for trace and span ids, the links of the selected profiles.
   */
  private TreeSet<String> sampleLabelValues(
      PartitionScan scan,
      String name,
      String type,
      FlameQuery query,
      long from,
      long until,
      int limit,
      QueryContext ctx)
      throws IOException {
    TreeSet<String> out = new TreeSet<>();
    if (type != null && scan.typeId(type) < 0) {
      return out;
    }
    int[] series = query == null ? null : scan.matchingSeries(query.seriesMatchers());
    if (series != null && series.length == 0) {
      return out;
    }
    List<Matcher> sampleMatchers = query == null ? List.of() : query.sampleMatchers();
    if (PartitionScan.isLinkLabel(name)) {
      return linkLabelValues(scan, name, type, series, sampleMatchers, from, until, limit, ctx);
    }
    var searcher = scan.searcher();
    int[][] linkIds = linkIds(scan, LinkKeys.of(sampleMatchers));
    Query base = PartitionScan.profilesFilter(type, series, sampleMatchers, linkIds, from, until);
    String field = PartitionScan.sampleField(name);
    Weight weight = searcher.createWeight(searcher.rewrite(base), ScoreMode.COMPLETE_NO_SCORES, 1f);
    for (LeafReaderContext leaf : searcher.getIndexReader().leaves()) {
      ctx.check();
      Terms terms = leaf.reader().terms(field);
      if (terms == null) {
        continue;
      }
      Scorer scorer = weight.scorer(leaf);
      if (scorer == null) {
        continue;
      }
      FixedBitSet allowed = new FixedBitSet(leaf.reader().maxDoc());
      DocIdSetIterator it = scorer.iterator();
      for (int doc = it.nextDoc(); doc != DocIdSetIterator.NO_MORE_DOCS; doc = it.nextDoc()) {
        allowed.set(doc);
      }
      TermsEnum te = terms.iterator();
      PostingsEnum postings = null;
      int found = 0;
      for (BytesRef term = te.next(); term != null && found <= limit; term = te.next()) {
        postings = te.postings(postings, PostingsEnum.NONE);
        for (int doc = postings.nextDoc();
            doc != DocIdSetIterator.NO_MORE_DOCS;
            doc = postings.nextDoc()) {
          if (allowed.get(doc)) {
            if (out.add(term.utf8ToString())) {
              found++;
            }
            break;
          }
        }
      }
    }
    while (out.size() > limit + 1) {
      out.pollLast();
    }
    return out;
  }

  /**
   * The smallest {@code limit + 1} trace or span ids (hex) among the links of the profiles a query
   * selects: no index holds them as terms, so the selected profiles' link columns are read.
   */
  private TreeSet<String> linkLabelValues(
      PartitionScan scan,
      String name,
      String type,
      int[] series,
      List<Matcher> sampleMatchers,
      long from,
      long until,
      int limit,
      QueryContext ctx)
      throws IOException {
    PartitionScan.ProfileQuery q = profileQuery(scan, type, series, sampleMatchers, from, until);
    BitSet links = new BitSet();
    long samples = 0;
    List<PartitionScan.Doc> docs = scan.docs(q, ctx);
    for (PartitionScan.Doc d : docs) {
      ctx.check();
      SampleColumns c = scan.read(d.offset()).samples();
      samples += c.count;
      for (int i = 0; i < c.count; i++) {
        links.set(c.link(i));
      }
    }
    ctx.addProfiles(docs.size(), samples);
    boolean trace = name.equals("trace_id");
    TreeSet<String> out = new TreeSet<>();
    for (int l = links.nextSetBit(1); l >= 0; l = links.nextSetBit(l + 1)) {
      out.add(trace ? scan.symbols.traceHex(l) : scan.symbols.spanHex(l));
      if (out.size() > limit + 1) {
        out.pollLast();
      }
    }
    return out;
  }

  // ---- single profiles ----

  @Override
  public List<ProfileSummary> profiles(
      String tenant, Selection selection, int limit, QueryContext ctx) throws IOException {
    long from = selection.fromNanos();
    long until = selection.untilNanos();
    ctx.limits().checkRange(from, until);
    checkLimit(limit);
    List<Partition> parts = new ArrayList<>(source.partitions(tenant, from, until));
    String type = resolveType(selection.query().profileType(), parts);
    Collections.reverse(parts); // newest first; partitions do not overlap in time
    List<ProfileSummary> out = new ArrayList<>();
    List<Matcher> sampleMatchers = selection.query().sampleMatchers();
    for (Partition part : parts) {
      try (PartitionScan scan = new PartitionScan(part)) {
        if (scan.typeId(type) < 0 || !mayMatch(scan, sampleMatchers)) {
          continue;
        }
        int[] series = seriesOf(scan, selection.query(), ctx);
        if (series.length == 0) {
          continue;
        }
        List<PartitionScan.Doc> docs =
            new ArrayList<>(
                scan.docs(profileQuery(scan, type, series, sampleMatchers, from, until), ctx));
        SampleFilter filter = new SampleFilter(sampleMatchers, scan.symbols, scan.linkIds);
        docs.sort(
            Comparator.comparingLong(PartitionScan.Doc::time)
                .thenComparingLong(PartitionScan.Doc::offset)
                .reversed());
        ctx.addPartition(false);
        for (PartitionScan.Doc d : docs) {
          ctx.check();
          LoggedProfile read = scan.read(d.offset());
          StoredProfile p = read.header();
          SampleColumns c = read.samples();
          ctx.addProfiles(1, c.count);
          long total = 0;
          int samples = 0;
          for (int i = 0; i < c.count; i++) {
            if (filter.isEmpty() || filter.accepts(c.link(i), c.attributeSet(i))) {
              total += c.value(i);
              samples++;
            }
          }
          if (samples == 0) {
            continue;
          }
          out.add(
              new ProfileSummary(
                  HEX.formatHex(p.getId().toByteArray()),
                  p.getTimeUnixNano(),
                  p.getDurationNano(),
                  type,
                  scan.labels(d.series()),
                  total,
                  samples));
          if (out.size() == limit) {
            return out;
          }
        }
      }
    }
    return out;
  }

  @Override
  public Optional<ProfileDetail> profile(
      String tenant, String id, long from, long until, QueryContext ctx) throws IOException {
    String hex = id.toLowerCase(Locale.ROOT);
    if (!PROFILE_ID.matcher(hex).matches()) {
      throw new IllegalArgumentException(
          "a profile id is 32 hex digits, got '" + id + "' (" + id.length() + " characters)");
    }
    ctx.limits().checkRange(from, until);
    List<Partition> parts = new ArrayList<>(source.partitions(tenant, from, until));
    Collections.reverse(parts);
    for (Partition part : parts) {
      ctx.check();
      try (PartitionScan scan = new PartitionScan(part)) {
        BooleanQuery.Builder q = new BooleanQuery.Builder();
        q.add(new TermQuery(new Term(Fields.ID, hex)), BooleanClause.Occur.FILTER);
        q.add(
            org.apache.lucene.document.LongPoint.newRangeQuery(Fields.TIME, from, until - 1),
            BooleanClause.Occur.FILTER);
        List<PartitionScan.Doc> docs = scan.docs(q.build(), ctx);
        if (docs.isEmpty()) {
          continue;
        }
        PartitionScan.Doc d = docs.get(0);
        LoggedProfile read = scan.read(d.offset());
        StoredProfile p = read.header();
        SampleColumns c = read.samples();
        ctx.addProfiles(1, c.count);
        IntLongMap values = new IntLongMap(Math.max(16, c.count));
        PartitionScan.addSamples(c, SampleFilter.NONE, values);
        FlameTree tree = scan.tree(values, ctx.limits().maxTreeNodes());
        tree.computeTotals();
        ProfileSummary summary =
            new ProfileSummary(
                hex,
                p.getTimeUnixNano(),
                p.getDurationNano(),
                scan.symbols.typeId(p.getProfileType()),
                scan.labels(p.getSeries()),
                p.getTotal(),
                c.count);
        return Optional.of(new ProfileDetail(summary, p.getPeriod(), tree));
      }
    }
    return Optional.empty();
  }

  // ---- traces ----

  /** A span's identity within one query: ids, name, service and profile type. */
  private record SpanKey(
      String traceId, String spanId, String spanName, String service, String type) {}

  /** What one partition holds of a trace: a tree per type, and totals per span. */
  private record TracePart(Map<String, FlameTree> trees, Map<SpanKey, Long> spans) {}

  @Override
  public TraceResult trace(
      String tenant,
      String traceId,
      String spanId,
      String profileType,
      long from,
      long until,
      QueryContext ctx)
      throws IOException {
    String trace = traceId.toLowerCase(Locale.ROOT);
    String span = spanId == null ? "" : spanId.toLowerCase(Locale.ROOT);
    if (!TRACE_ID.matcher(trace).matches()) {
      throw new IllegalArgumentException(
          "a trace id is 32 hex digits, got '" + traceId + "' (" + traceId.length() + " chars)");
    }
    if (!span.isEmpty() && !SPAN_ID.matcher(span).matches()) {
      throw new IllegalArgumentException(
          "a span id is 16 hex digits, got '" + spanId + "' (" + spanId.length() + " chars)");
    }
    ctx.limits().checkRange(from, until);
    List<Partition> parts = source.partitions(tenant, from, until);
    String wanted =
        profileType == null || profileType.isEmpty() ? null : resolveType(profileType, parts);
    List<Matcher> linkMatchers = new ArrayList<>();
    linkMatchers.add(Matcher.of("trace_id", Matcher.Op.EQ, trace));
    if (!span.isEmpty()) {
      linkMatchers.add(Matcher.of("span_id", Matcher.Op.EQ, span));
    }
    LinkKeys keys = LinkKeys.of(linkMatchers);
    List<PartitionScan> scans = plan(parts, scan -> mayMatch(scan, keys));
    List<TracePart> partials =
        parallel(scans, ctx, scan -> tracePartition(scan, trace, keys, wanted, from, until, ctx));
    TreeSet<String> types = new TreeSet<>();
    Map<SpanKey, Long> spans = new HashMap<>();
    for (TracePart p : partials) {
      types.addAll(p.trees().keySet());
      p.spans().forEach((k, v) -> spans.merge(k, v, Long::sum));
    }
    String chosen = wanted;
    if (chosen == null) {
      chosen = types.contains(CPU_TYPE) ? CPU_TYPE : types.isEmpty() ? "" : types.first();
    }
    FlameTree tree = null;
    for (TracePart p : partials) {
      FlameTree t = p.trees().get(chosen);
      if (t == null) {
        continue;
      }
      if (tree == null) {
        tree = t;
      } else {
        tree.mergeFrom(t);
      }
    }
    if (tree == null) {
      tree = new FlameTree();
    }
    tree.computeTotals();
    List<SpanTotal> spanTotals = new ArrayList<>();
    spans.forEach(
        (k, v) ->
            spanTotals.add(new SpanTotal(k.traceId, k.spanId, k.spanName, k.service, k.type, v)));
    spanTotals.sort(
        Comparator.comparing(SpanTotal::profileType)
            .thenComparing(Comparator.comparingLong(SpanTotal::total).reversed())
            .thenComparing(SpanTotal::spanId));
    return new TraceResult(trace, span, chosen, List.copyOf(types), tree, spanTotals, ctx.stats());
  }

  private TracePart tracePartition(
      PartitionScan scan,
      String trace,
      LinkKeys keys,
      String wanted,
      long from,
      long until,
      QueryContext ctx)
      throws IOException {
    scan.searcher();
    // Samples must match the trace and (when given) the span: one link set, their intersection.
    int[] ids = null;
    for (int[] set : linkIds(scan, keys)) {
      ids = intersect(ids, set);
    }
    List<PartitionScan.Doc> docs =
        scan.docs(
            PartitionScan.profilesQuery(null, -1, null, List.of(), new int[][] {ids}, from, until),
            ctx);
    Map<Integer, IntLongMap> valuesByType = new HashMap<>();
    Map<SpanKey, Long> spans = new HashMap<>();
    BitSet wantedLinks = new BitSet();
    for (int id : ids) {
      wantedLinks.set(id);
    }
    long samples = 0;
    for (PartitionScan.Doc d : docs) {
      ctx.check();
      LoggedProfile read = scan.read(d.offset());
      StoredProfile p = read.header();
      SampleColumns c = read.samples();
      samples += c.count;
      if (!c.hasLinks()) {
        continue;
      }
      int typeId = p.getProfileType();
      String type = scan.symbols.typeId(typeId);
      if (wanted != null && !wanted.equals(type)) {
        continue;
      }
      String service = scan.label(p.getSeries(), "service_name");
      IntLongMap values = valuesByType.computeIfAbsent(typeId, t -> new IntLongMap(256));
      for (int i = 0; i < c.count; i++) {
        int link = c.link(i);
        if (!wantedLinks.get(link)) {
          continue;
        }
        long v = c.value(i);
        values.add(c.stack(i), v);
        SpanKey key =
            new SpanKey(
                trace,
                scan.symbols.spanHex(link),
                scan.attribute(c.attributeSet(i), "span_name"),
                service == null ? "" : service,
                type);
        spans.merge(key, v, Long::sum);
      }
    }
    ctx.addProfiles(docs.size(), samples);
    ctx.addPartition(false);
    Map<String, FlameTree> trees = new HashMap<>();
    for (Map.Entry<Integer, IntLongMap> e : valuesByType.entrySet()) {
      if (e.getValue().size() > 0) {
        trees.put(
            scan.symbols.typeId(e.getKey()), scan.tree(e.getValue(), ctx.limits().maxTreeNodes()));
      }
    }
    return new TracePart(trees, spans);
  }

  // ---- frame contributors ----

  /** The partition-local identity of a span's samples: link, attribute set and series ids. */
  private record SampleKey(int link, int attributeSet, int series) {}

  private record FramePart(long frameTotal, long linkedTotal, Map<SpanKey, Long> spans) {}

  @Override
  public ContributorsResult contributors(
      String tenant, Selection selection, String frame, int limit, QueryContext ctx)
      throws IOException {
    if (frame == null || frame.isEmpty()) {
      throw new IllegalArgumentException("the frame (a function name) is missing");
    }
    checkLimit(limit);
    long from = selection.fromNanos();
    long until = selection.untilNanos();
    ctx.limits().checkRange(from, until);
    List<Partition> parts = source.partitions(tenant, from, until);
    String type = resolveType(selection.query().profileType(), parts);
    List<FramePart> partials =
        parallel(
            plan(parts, type, LinkKeys.of(selection.query().sampleMatchers())),
            ctx,
            scan -> framePartition(scan, type, selection, frame, ctx));
    long frameTotal = 0;
    long linked = 0;
    Map<SpanKey, Long> spans = new HashMap<>();
    for (FramePart p : partials) {
      if (p == null) {
        continue;
      }
      frameTotal += p.frameTotal();
      linked += p.linkedTotal();
      p.spans().forEach((k, v) -> spans.merge(k, v, Long::sum));
    }
    List<SpanTotal> top = new ArrayList<>();
    spans.forEach(
        (k, v) -> top.add(new SpanTotal(k.traceId, k.spanId, k.spanName, k.service, type, v)));
    top.sort(
        Comparator.comparingLong(SpanTotal::total)
            .reversed()
            .thenComparing(SpanTotal::traceId)
            .thenComparing(SpanTotal::spanId));
    int count = top.size();
    return new ContributorsResult(
        type,
        frame,
        frameTotal,
        linked,
        top.subList(0, Math.min(limit, count)),
        count,
        ctx.stats());
  }

  private FramePart framePartition(
      PartitionScan scan, String type, Selection selection, String frame, QueryContext ctx)
      throws IOException {
    if (scan.typeId(type) < 0) {
      return null;
    }
    int[] series = seriesOf(scan, selection.query(), ctx);
    if (series.length == 0) {
      return null;
    }
    boolean[] contains = scan.pathsContaining(frame);
    boolean anyNode = false;
    for (boolean c : contains) {
      anyNode |= c;
    }
    if (!anyNode) {
      return null; // no stack of this partition runs the frame: nothing to read
    }
    List<Matcher> sampleMatchers = selection.query().sampleMatchers();
    if (!mayMatch(scan, sampleMatchers)) {
      return null;
    }
    List<PartitionScan.Doc> docs =
        scan.docs(
            profileQuery(
                scan, type, series, sampleMatchers, selection.fromNanos(), selection.untilNanos()),
            ctx);
    // The searcher may see newer profiles than the first snapshot: size everything anew.
    contains = scan.pathsContaining(frame);
    SampleFilter filter = new SampleFilter(sampleMatchers, scan.symbols, scan.linkIds);
    long frameTotal = 0;
    long linked = 0;
    long samples = 0;
    Map<SampleKey, Long> bySpan = new HashMap<>();
    for (PartitionScan.Doc d : docs) {
      ctx.check();
      LoggedProfile read = scan.read(d.offset());
      SampleColumns c = read.samples();
      int profileSeries = read.header().getSeries();
      samples += c.count;
      for (int i = 0; i < c.count; i++) {
        if (!contains[c.stack(i)]) {
          continue;
        }
        int link = c.link(i);
        int set = c.attributeSet(i);
        if (!filter.isEmpty() && !filter.accepts(link, set)) {
          continue;
        }
        long v = c.value(i);
        frameTotal += v;
        if (link != 0) {
          linked += v;
          bySpan.merge(new SampleKey(link, set, profileSeries), v, Long::sum);
        }
      }
    }
    ctx.addProfiles(docs.size(), samples);
    ctx.addPartition(false);
    Map<SpanKey, Long> spans = new HashMap<>();
    for (Map.Entry<SampleKey, Long> e : bySpan.entrySet()) {
      int set = e.getKey().attributeSet();
      int link = e.getKey().link();
      String service = scan.label(e.getKey().series(), "service_name");
      spans.merge(
          new SpanKey(
              scan.symbols.traceHex(link),
              scan.symbols.spanHex(link),
              scan.attribute(set, "span_name"),
              service == null ? "" : service,
              type),
          e.getValue(),
          Long::sum);
    }
    return new FramePart(frameTotal, linked, spans);
  }

  // ---- shared ----

  private static String resolveType(String requested, List<Partition> parts) {
    TreeSet<String> types = new TreeSet<>();
    for (Partition p : parts) {
      Symbols s = p.symbols();
      for (int i = 1; i < s.typeCount(); i++) {
        types.add(s.typeId(i));
      }
    }
    return ProfileTypes.resolve(requested, types);
  }

  private static void checkRange(long from, long until, QueryContext ctx) {
    if (until <= from) {
      throw new IllegalArgumentException(
          "the time range is empty: until (" + until + ") must be after from (" + from + ")");
    }
    ctx.limits().checkRange(from, until);
  }

  private static void checkLimit(int limit) {
    if (limit < 1 || limit > QueryLimits.MAX_RESULTS) {
      throw new IllegalArgumentException(
          "limit must be from 1 to " + QueryLimits.MAX_RESULTS + ", got " + limit);
    }
  }

  /** Work on one partition; returns null when the partition has nothing for the query. */
  private interface PartitionTask<T> {
    T run(PartitionScan scan) throws IOException;
  }

  /** Whether a partition can hold anything for the query (checked without Lucene or the log). */
  private interface Keep {
    boolean test(PartitionScan scan);
  }

  /**
   * Opens a scan per partition on the caller's thread and keeps those that may hold something:
   * pruning by type, series or span/trace id costs microseconds and spares a thread hand-off.
   */
  private static List<PartitionScan> plan(List<Partition> parts, Keep keep) throws IOException {
    List<PartitionScan> out = new ArrayList<>(parts.size());
    for (Partition p : parts) {
      PartitionScan scan = new PartitionScan(p);
      if (keep.test(scan)) {
        out.add(scan);
      } else {
        scan.close();
      }
    }
    return out;
  }

  /** The partitions that hold the type and may hold samples with the wanted links. */
  private List<PartitionScan> plan(List<Partition> parts, String type, LinkKeys keys)
      throws IOException {
    return plan(parts, scan -> scan.typeId(type) >= 0 && mayMatch(scan, keys));
  }

  private static List<PartitionScan> plan(List<Partition> parts) throws IOException {
    return plan(parts, s -> true);
  }

  /**
   * Runs a task per planned scan, in parallel on the pool (inline when there is one scan or no
   * pool), returns the results in order and closes the scans. The first failure cancels the rest.
   */
  private <T> List<T> parallel(List<PartitionScan> scans, QueryContext ctx, PartitionTask<T> task)
      throws IOException {
    List<T> out = new ArrayList<>(scans.size());
    if (pool == null || scans.size() <= 1) {
      try {
        for (PartitionScan scan : scans) {
          ctx.check();
          out.add(task.run(scan));
        }
        return out;
      } finally {
        closeAll(scans);
      }
    }
    List<Future<T>> futures = new ArrayList<>(scans.size());
    try {
      for (PartitionScan scan : scans) {
        futures.add(
            pool.submit(
                () -> {
                  ctx.check();
                  return task.run(scan);
                }));
      }
      for (Future<T> f : futures) {
        out.add(f.get());
      }
      return out;
    } catch (ExecutionException e) {
      ctx.cancel("another part of the query failed");
      awaitAll(futures);
      Throwable cause = e.getCause();
      if (cause instanceof IOException io) {
        throw io;
      } else if (cause instanceof UncheckedIOException uio) {
        throw uio.getCause();
      } else if (cause instanceof RuntimeException re) {
        throw re;
      } else if (cause instanceof Error err) {
        throw err;
      }
      throw new IOException(cause);
    } catch (InterruptedException e) {
      ctx.cancel("the query thread was interrupted");
      Thread.currentThread().interrupt();
      throw new QueryCancelledException("the query was interrupted", false);
    } finally {
      closeAll(scans);
    }
  }

  /** Waits (bounded) until cancelled tasks stop, so that their scans can be closed safely. */
  private static void awaitAll(List<? extends Future<?>> futures) {
    for (Future<?> f : futures) {
      try {
        f.get(10, java.util.concurrent.TimeUnit.SECONDS);
      } catch (ExecutionException | java.util.concurrent.TimeoutException e) {
        // the first failure is the one reported
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      }
    }
  }

  private static void closeAll(List<PartitionScan> scans) throws IOException {
    IOException first = null;
    for (PartitionScan scan : scans) {
      try {
        scan.close();
      } catch (IOException e) {
        first = first == null ? e : first;
      }
    }
    if (first != null) {
      throw first;
    }
  }

  @Override
  public void close() {
    if (pool == null) {
      return;
    }
    // No interrupts while tasks may still read: an interrupted read closes the log's channel.
    pool.shutdown();
    try {
      if (!pool.awaitTermination(10, java.util.concurrent.TimeUnit.SECONDS)) {
        pool.shutdownNow();
      }
    } catch (InterruptedException e) {
      pool.shutdownNow();
      Thread.currentThread().interrupt();
    }
  }
}
