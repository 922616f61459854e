package dev.ember.index.store;

import dev.ember.index.query.FlameTree;
import dev.ember.index.query.Matcher;
import dev.ember.index.query.QueryContext;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.lucene.document.IntPoint;
import org.apache.lucene.document.LongPoint;
import org.apache.lucene.index.LeafReaderContext;
import org.apache.lucene.index.NumericDocValues;
import org.apache.lucene.index.Term;
import org.apache.lucene.search.BooleanClause;
import org.apache.lucene.search.BooleanQuery;
import org.apache.lucene.search.IndexSearcher;
import org.apache.lucene.search.MatchNoDocsQuery;
import org.apache.lucene.search.Query;
import org.apache.lucene.search.ScoreMode;
import org.apache.lucene.search.SimpleCollector;
import org.apache.lucene.search.TermQuery;

/**
 * The read primitives of one partition for one query: which type and series the selection means
 * here (matched in memory against the partition's symbols), which profiles Lucene finds for them,
 * reading and filtering those profiles, and folding per-stack-node values into a name-keyed {@link
 * FlameTree}.
 *
 * <p>Consistency: the Lucene searcher is acquired on first use, and the symbols snapshot is taken
 * again right after it, so that every profile the searcher can find refers only to symbols the
 * snapshot holds; build anything sized by the symbols (filters, masks) after {@link #docs}.
 * Aggregates are copied later still and may hold newer stack nodes: {@link #refreshSymbols} then
 * takes a newer snapshot. Symbols only grow, so ids resolved from an earlier snapshot stay valid.
 * Close the scan to release the searcher.
 */
final class PartitionScan implements AutoCloseable {
  final Partition partition;
  private IndexSearcher searcher;
  Symbols symbols;

  /**
   * Per exact span or trace matcher of the query, the links it resolved to here (set with the
   * profile query, for the {@link SampleFilter}); null when the query has none.
   */
  int[][] linkIds;

  PartitionScan(Partition partition) {
    this.partition = partition;
    this.symbols = partition.symbols();
  }

  /** Takes a newer symbols snapshot, after reading data that may be newer than the searcher. */
  void refreshSymbols() {
    symbols = partition.symbols();
  }

  /** The searcher, acquired on first use (and the symbols refreshed right after). */
  IndexSearcher searcher() throws IOException {
    if (searcher == null) {
      searcher = partition.acquireSearcher();
      symbols = partition.symbols();
    }
    return searcher;
  }

  @Override
  public void close() throws IOException {
    if (searcher != null) {
      partition.release(searcher);
      searcher = null;
    }
  }

  /** True when [from, until) covers the whole partition. */
  boolean covered(long from, long until) {
    return from <= partition.startNanos && partition.endNanos <= until;
  }

  /** The partition's id for a type ID string, or -1. */
  int typeId(String type) {
    if (type == null || type.isEmpty()) {
      return -1;
    }
    for (int t = 1; t < symbols.typeCount(); t++) {
      if (symbols.typeId(t).equals(type)) {
        return t;
      }
    }
    return -1;
  }

  /** The value of label {@code name} in a series, or null. */
  String label(int series, String name) {
    int[] pairs = symbols.seriesPairs(series);
    for (int i = 0; i < pairs.length; i += 2) {
      if (symbols.string(pairs[i]).equals(name)) {
        return symbols.string(pairs[i + 1]);
      }
    }
    return null;
  }

  /** The labels of a series as a map. */
  Map<String, String> labels(int series) {
    int[] pairs = symbols.seriesPairs(series);
    Map<String, String> out = new HashMap<>();
    for (int i = 0; i < pairs.length; i += 2) {
      out.put(symbols.string(pairs[i]), symbols.string(pairs[i + 1]));
    }
    return out;
  }

  /**
   * Series whose labels satisfy every matcher (Prometheus semantics), ascending. A matcher's answer
   * is cached per value string, since many series share values.
   */
  int[] matchingSeries(List<Matcher> matchers) {
    int count = symbols.seriesCount();
    int[] out = new int[Math.max(0, count - 1)];
    int n = 0;
    List<Map<Integer, Boolean>> cache = new ArrayList<>();
    for (int i = 0; i < matchers.size(); i++) {
      cache.add(new HashMap<>());
    }
    for (int s = 1; s < count; s++) {
      int[] pairs = symbols.seriesPairs(s);
      boolean ok = true;
      for (int m = 0; m < matchers.size() && ok; m++) {
        Matcher matcher = matchers.get(m);
        int valueId = 0;
        for (int i = 0; i < pairs.length; i += 2) {
          if (symbols.string(pairs[i]).equals(matcher.name())) {
            valueId = pairs[i + 1];
            break;
          }
        }
        ok =
            cache
                .get(m)
                .computeIfAbsent(valueId, v -> matcher.matches(v == 0 ? null : symbols.string(v)));
      }
      if (ok) {
        out[n++] = s;
      }
    }
    return Arrays.copyOf(out, n);
  }

  /**
   * A Lucene query for profiles, and the time range, series and type id (-1: any) that the
   * collector checks itself from doc values when {@code postFilter} is set.
   */
  record ProfileQuery(
      Query query, long from, long until, int[] series, int typeId, boolean postFilter) {}

  /**
   * The query for profiles of a type (null: any) and series (null: any) in [from, until); exact
   * per-sample matchers on indexed attribute values narrow the candidates before any profile is
   * read, and so do {@code linkIds} (null: no span or trace id asked for): per exact span or trace
   * matcher, the partition's links it resolved to ({@link LinkIndex}), of which a profile must hold
   * one each. Those select a handful of documents: the type ({@code typeId}, this partition's id of
   * {@code type}), time range and series are then checked from doc values instead of with term and
   * point queries, which cost more to set up than the lookup itself.
   */
  static ProfileQuery profilesQuery(
      String type,
      int typeId,
      int[] series,
      List<Matcher> sampleMatchers,
      int[][] linkIds,
      long from,
      long until) {
    return build(type, typeId, series, sampleMatchers, linkIds, from, until, true);
  }

  /** The same selection as one Lucene query, for callers that use the query itself. */
  static Query profilesFilter(
      String type,
      int[] series,
      List<Matcher> sampleMatchers,
      int[][] linkIds,
      long from,
      long until) {
    return build(type, -1, series, sampleMatchers, linkIds, from, until, false).query();
  }

  private static ProfileQuery build(
      String type,
      int typeId,
      int[] series,
      List<Matcher> sampleMatchers,
      int[][] linkIds,
      long from,
      long until,
      boolean allowPostFilter) {
    boolean selective = allowPostFilter && linkIds != null && (type == null || typeId >= 0);
    BooleanQuery.Builder q = new BooleanQuery.Builder();
    if (type != null && !selective) {
      q.add(new TermQuery(new Term(Fields.TYPE, type)), BooleanClause.Occur.FILTER);
    }
    for (Matcher m : sampleMatchers) {
      if (m.op() == Matcher.Op.EQ && !m.value().isEmpty() && !isLinkLabel(m.name())) {
        q.add(
            new TermQuery(new Term(sampleField(m.name()), m.value())), BooleanClause.Occur.FILTER);
      }
    }
    if (linkIds != null) {
      for (int[] ids : linkIds) {
        q.add(
            ids.length == 0 ? new MatchNoDocsQuery() : LinkRanges.query(ids),
            BooleanClause.Occur.FILTER);
      }
    }
    if (!selective) {
      q.add(LongPoint.newRangeQuery(Fields.TIME, from, until - 1), BooleanClause.Occur.FILTER);
      if (series != null) {
        q.add(IntPoint.newSetQuery(Fields.SERIES, series), BooleanClause.Occur.FILTER);
      }
    }
    return new ProfileQuery(q.build(), from, until, series, type == null ? -1 : typeId, selective);
  }

  /** True for the per-sample labels that a sample's span link answers. */
  static boolean isLinkLabel(String label) {
    return label.equals("trace_id") || label.equals("span_id");
  }

  /** The Lucene field holding a sample attribute's values. */
  static String sampleField(String label) {
    return Fields.ATTRIBUTE_PREFIX + label;
  }

  /** One profile document as the doc values describe it (type id -1 when not read). */
  record Doc(long time, int series, long offset, long total, int typeId) {}

  /** The documents of a profile query, sorted by log offset (the log is read front to back). */
  List<Doc> docs(ProfileQuery pq, QueryContext ctx) throws IOException {
    boolean checkType = pq.postFilter() && pq.typeId() >= 0;
    List<Doc> docs = docs(pq.query(), checkType, ctx);
    if (pq.postFilter()) {
      docs.removeIf(
          d ->
              d.time() < pq.from()
                  || d.time() >= pq.until()
                  || (checkType && d.typeId() != pq.typeId())
                  || (pq.series() != null && Arrays.binarySearch(pq.series(), d.series()) < 0));
    }
    return docs;
  }

  /** The documents a query matches, sorted by log offset. */
  List<Doc> docs(Query query, QueryContext ctx) throws IOException {
    return docs(query, false, ctx);
  }

  private List<Doc> docs(Query query, boolean withType, QueryContext ctx) throws IOException {
    List<Doc> docs = new ArrayList<>();
    searcher()
        .search(
            query,
            new SimpleCollector() {
              private NumericDocValues time;
              private NumericDocValues series;
              private NumericDocValues offset;
              private NumericDocValues total;
              private NumericDocValues type;

              @Override
              protected void doSetNextReader(LeafReaderContext leaf) throws IOException {
                ctx.check();
                time = leaf.reader().getNumericDocValues(Fields.TIME);
                series = leaf.reader().getNumericDocValues(Fields.SERIES);
                offset = leaf.reader().getNumericDocValues(Fields.OFFSET);
                total = leaf.reader().getNumericDocValues(Fields.TOTAL);
                type = withType ? leaf.reader().getNumericDocValues(Fields.TYPE_ID) : null;
              }

              @Override
              public void collect(int doc) throws IOException {
                if (offset != null && offset.advanceExact(doc)) {
                  docs.add(
                      new Doc(
                          value(time, doc),
                          (int) value(series, doc),
                          offset.longValue(),
                          value(total, doc),
                          withType ? (int) value(type, doc) : -1));
                }
              }

              @Override
              public ScoreMode scoreMode() {
                return ScoreMode.COMPLETE_NO_SCORES;
              }
            });
    docs.sort((a, b) -> Long.compare(a.offset(), b.offset()));
    return docs;
  }

  private static long value(NumericDocValues dv, int doc) throws IOException {
    return dv != null && dv.advanceExact(doc) ? dv.longValue() : 0;
  }

  /** Whether any document matches. */
  boolean any(Query query) throws IOException {
    return searcher().count(query) > 0;
  }

  LoggedProfile read(long offset) throws IOException {
    return partition.readProfile(offset);
  }

  /**
   * Sums the samples of the given profiles that pass the filter, per stack node, checking for
   * cancellation between profiles.
   */
  void addProfiles(List<Doc> docs, SampleFilter filter, IntLongMap into, QueryContext ctx)
      throws IOException {
    long samples = 0;
    for (Doc d : docs) {
      ctx.check();
      SampleColumns c = read(d.offset()).samples();
      samples += c.count;
      addSamples(c, filter, into);
    }
    ctx.addProfiles(docs.size(), samples);
  }

  static void addSamples(SampleColumns c, SampleFilter filter, IntLongMap into) {
    if (filter.isEmpty()) {
      for (int i = 0; i < c.count; i++) {
        into.add(c.stack(i), c.value(i));
      }
      return;
    }
    for (int i = 0; i < c.count; i++) {
      if (filter.accepts(c.link(i), c.attributeSet(i))) {
        into.add(c.stack(i), c.value(i));
      }
    }
  }

  /** A fresh tree holding the per-node values, limited to {@code maxNodes} nodes. */
  FlameTree tree(IntLongMap values, int maxNodes) {
    FlameTree tree = new FlameTree(maxNodes);
    addTo(tree, values);
    return tree;
  }

  /** Folds per-node values into a name-keyed tree, resolving each node's path once. */
  void addTo(FlameTree tree, IntLongMap values) {
    Memo memo = new Memo(values.size(), symbols.nodeCount(), symbols.fnCount());
    int[] path = new int[64];
    values.forEach(
        (node, value) -> {
          if (value == 0) {
            return;
          }
          tree.addSelf(resolve(tree, node, memo, path), value);
        });
  }

  private int resolve(FlameTree tree, int node, Memo memo, int[] pathBuf) {
    int[] path = pathBuf;
    int depth = 0;
    int n = node;
    int known;
    while ((known = memo.treeNode(n)) < 0) {
      if (depth == path.length) {
        path = Arrays.copyOf(path, depth * 2);
      }
      path[depth++] = n;
      n = symbols.nodeParent(n);
    }
    int parent = known;
    for (int i = depth - 1; i >= 0; i--) {
      int child = path[i];
      int fn = symbols.nodeFunction(child);
      int name = memo.name(fn);
      if (name < 0) {
        name = tree.nameId(symbols.functionName(fn));
        memo.name(fn, name);
      }
      parent = tree.child(parent, name);
      memo.treeNode(child, parent);
    }
    return parent;
  }

  /**
   * Stack node to tree node and function to name id, resolved while folding: arrays over the whole
   * partition when many nodes have values, hash maps when few do (a span's handful of samples
   * should not pay for arrays the size of the partition's stack tree).
   */
  private static final class Memo {
    private final int[] nodes;
    private final int[] names;
    private final IntLongMap sparseNodes;
    private final IntLongMap sparseNames;

    Memo(int values, int nodeCount, int fnCount) {
      if (values * 16L < nodeCount) {
        nodes = null;
        names = null;
        sparseNodes = new IntLongMap(values * 8);
        sparseNames = new IntLongMap(values * 8);
      } else {
        nodes = new int[nodeCount];
        Arrays.fill(nodes, -1);
        nodes[0] = 0;
        names = new int[fnCount];
        Arrays.fill(names, -1);
        sparseNodes = null;
        sparseNames = null;
      }
    }

    /** The tree node of a stack node, or -1 when not resolved yet; the root is tree node 0. */
    int treeNode(int node) {
      if (node == 0) {
        return 0;
      }
      return nodes != null ? nodes[node] : (int) sparseNodes.get(node) - 1;
    }

    void treeNode(int node, int treeNode) {
      if (nodes != null) {
        nodes[node] = treeNode;
      } else {
        sparseNodes.add(node, treeNode + 1L);
      }
    }

    int name(int fn) {
      return names != null ? names[fn] : (int) sparseNames.get(fn) - 1;
    }

    void name(int fn, int name) {
      if (names != null) {
        names[fn] = name;
      } else {
        sparseNames.add(fn, name + 1L);
      }
    }
  }

  /**
   * For every stack node, whether its call path contains a function named {@code frame}; parents
   * precede children, so one forward pass suffices.
   */
  boolean[] pathsContaining(String frame) {
    boolean[] fnIs = new boolean[symbols.fnCount()];
    for (int f = 1; f < symbols.fnCount(); f++) {
      fnIs[f] = symbols.functionName(f).equals(frame);
    }
    int nodes = symbols.nodeCount();
    boolean[] contains = new boolean[nodes];
    for (int n = 1; n < nodes; n++) {
      contains[n] = contains[symbols.nodeParent(n)] || fnIs[symbols.nodeFunction(n)];
    }
    return contains;
  }

  /** The value of attribute {@code key} in a sample attribute set, or "". */
  String attribute(int set, String key) {
    if (set == 0) {
      return "";
    }
    for (int a : symbols.attributeSet(set)) {
      if (symbols.string(symbols.attributeKey(a)).equals(key)) {
        return symbols.string(symbols.attributeValue(a));
      }
    }
    return "";
  }
}
