package dev.ember.index.store;

import dev.ember.index.query.FlameTree;
import dev.ember.index.query.Matcher;
import dev.ember.proto.store.v1.StoredProfile;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import org.apache.lucene.document.IntPoint;
import org.apache.lucene.document.LongPoint;
import org.apache.lucene.index.LeafReaderContext;
import org.apache.lucene.index.NumericDocValues;
import org.apache.lucene.index.Term;
import org.apache.lucene.search.BooleanClause;
import org.apache.lucene.search.BooleanQuery;
import org.apache.lucene.search.IndexSearcher;
import org.apache.lucene.search.Query;
import org.apache.lucene.search.ScoreMode;
import org.apache.lucene.search.SimpleCollector;
import org.apache.lucene.search.TermQuery;

/**
 * Reads one partition for a merge: which series and which type the selection means here, then
 * either the partition's aggregates (when the range covers the partition and no per-sample matcher
 * is set) or the selected profiles themselves, found through Lucene. The result is per stack node
 * and is finally folded into a name-keyed {@link FlameTree}.
 */
final class PartitionScan {
  private final Partition partition;
  private final Symbols symbols;

  PartitionScan(Partition partition) {
    this.partition = partition;
    this.symbols = partition.symbols();
  }

  Symbols symbols() {
    return symbols;
  }

  /** The partition's id for a type ID string, or -1. */
  int typeId(String type) {
    for (int t = 1; t < symbols.typeCount(); t++) {
      if (symbols.typeId(t).equals(type)) {
        return t;
      }
    }
    return -1;
  }

  /** Series whose labels satisfy every matcher (Prometheus semantics). */
  Set<Integer> matchingSeries(List<Matcher> matchers) {
    Set<Integer> out = new TreeSet<>();
    for (int s = 1; s < symbols.seriesCount(); s++) {
      int[] pairs = symbols.seriesPairs(s);
      boolean ok = true;
      for (Matcher m : matchers) {
        String value = null;
        for (int i = 0; i < pairs.length; i += 2) {
          if (symbols.string(pairs[i]).equals(m.name())) {
            value = symbols.string(pairs[i + 1]);
            break;
          }
        }
        if (!m.matches(value)) {
          ok = false;
          break;
        }
      }
      if (ok) {
        out.add(s);
      }
    }
    return out;
  }

  /** Sums the selected samples per stack node. */
  IntLongMap values(
      String type,
      List<Matcher> seriesMatchers,
      List<Matcher> sampleMatchers,
      long from,
      long until)
      throws IOException {
    IntLongMap values = new IntLongMap(1024);
    int typeId = typeId(type);
    if (typeId < 0) {
      return values;
    }
    Set<Integer> series = matchingSeries(seriesMatchers);
    if (series.isEmpty()) {
      return values;
    }
    SampleFilter filter = new SampleFilter(sampleMatchers, symbols);
    boolean whole = from <= partition.startNanos && partition.endNanos <= until;
    if (whole && filter.isEmpty()) {
      partition.addAggregates(series, typeId, values);
      return values;
    }
    for (long offset : offsets(type, series, sampleMatchers, from, until)) {
      StoredProfile p = partition.readProfile(offset);
      boolean links = p.getLinksCount() > 0;
      boolean sets = p.getAttributeSetsCount() > 0;
      for (int i = 0; i < p.getStacksCount(); i++) {
        if (filter.isEmpty()
            || filter.accepts(links ? p.getLinks(i) : 0, sets ? p.getAttributeSets(i) : 0)) {
          values.add(p.getStacks(i), p.getValues(i));
        }
      }
    }
    return values;
  }

  /** Log offsets of the profiles of the given type and series in [from, until). */
  List<Long> offsets(
      String type, Set<Integer> series, List<Matcher> sampleMatchers, long from, long until)
      throws IOException {
    BooleanQuery.Builder q = new BooleanQuery.Builder();
    q.add(new TermQuery(new Term(Fields.TYPE, type)), BooleanClause.Occur.FILTER);
    q.add(LongPoint.newRangeQuery(Fields.TIME, from, until - 1), BooleanClause.Occur.FILTER);
    q.add(
        IntPoint.newSetQuery(Fields.SERIES, series.stream().mapToInt(i -> i).toArray()),
        BooleanClause.Occur.FILTER);
    for (Matcher m : sampleMatchers) {
      // Exact matchers on indexed sample values narrow the candidates before any profile is read.
      if (m.op() == Matcher.Op.EQ && !m.value().isEmpty()) {
        String field =
            switch (m.name()) {
              case "trace_id" -> Fields.TRACE;
              case "span_id" -> Fields.SPAN;
              default -> Fields.ATTRIBUTE_PREFIX + m.name();
            };
        q.add(new TermQuery(new Term(field, m.value())), BooleanClause.Occur.FILTER);
      }
    }
    return collectOffsets(q.build());
  }

  List<Long> collectOffsets(Query query) throws IOException {
    IndexSearcher searcher = partition.acquireSearcher();
    try {
      List<Long> offsets = new ArrayList<>();
      searcher.search(
          query,
          new SimpleCollector() {
            private NumericDocValues off;

            @Override
            protected void doSetNextReader(LeafReaderContext ctx) throws IOException {
              off = ctx.reader().getNumericDocValues(Fields.OFFSET);
            }

            @Override
            public void collect(int doc) throws IOException {
              if (off != null && off.advanceExact(doc)) {
                offsets.add(off.longValue());
              }
            }

            @Override
            public ScoreMode scoreMode() {
              return ScoreMode.COMPLETE_NO_SCORES;
            }
          });
      offsets.sort(null); // read the log front to back
      return offsets;
    } finally {
      partition.release(searcher);
    }
  }

  /** Folds per-node values into a name-keyed tree, resolving each node's path once. */
  void addTo(FlameTree tree, IntLongMap values) {
    int[] map = new int[symbols.nodeCount()];
    Arrays.fill(map, -1);
    map[0] = 0;
    int[] nameOf = new int[symbols.fnCount()];
    Arrays.fill(nameOf, -1);
    int[] path = new int[64];
    values.forEach(
        (node, value) -> {
          if (value == 0) {
            return;
          }
          tree.addSelf(resolve(tree, node, map, nameOf, path), value);
        });
  }

  private int resolve(FlameTree tree, int node, int[] map, int[] nameOf, int[] pathBuf) {
    int[] path = pathBuf;
    int depth = 0;
    int n = node;
    while (map[n] < 0) {
      if (depth == path.length) {
        path = Arrays.copyOf(path, depth * 2);
      }
      path[depth++] = n;
      n = symbols.nodeParent(n);
    }
    int parent = map[n];
    for (int i = depth - 1; i >= 0; i--) {
      int child = path[i];
      int fn = symbols.nodeFunction(child);
      if (nameOf[fn] < 0) {
        nameOf[fn] = tree.nameId(symbols.functionName(fn));
      }
      parent = tree.child(parent, nameOf[fn]);
      map[child] = parent;
    }
    return parent;
  }
}
