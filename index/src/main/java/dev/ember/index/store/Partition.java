package dev.ember.index.store;

import com.google.protobuf.ByteString;
import com.google.protobuf.InvalidProtocolBufferException;
import dev.ember.proto.store.v1.LogRecord;
import dev.ember.proto.store.v1.StoredProfile;
import dev.ember.proto.store.v1.SymbolBatch;
import dev.ember.proto.store.v1.SymbolEntry;
import io.opentelemetry.proto.profiles.v1development.ProfilesDictionary;
import java.io.Closeable;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.BitSet;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.locks.ReentrantLock;
import org.apache.lucene.document.Document;
import org.apache.lucene.document.Field;
import org.apache.lucene.document.IntPoint;
import org.apache.lucene.document.LongPoint;
import org.apache.lucene.document.NumericDocValuesField;
import org.apache.lucene.document.StringField;
import org.apache.lucene.index.IndexWriter;
import org.apache.lucene.index.IndexWriterConfig;
import org.apache.lucene.search.IndexSearcher;
import org.apache.lucene.search.SearcherManager;
import org.apache.lucene.store.FSDirectory;
import org.apache.lucene.util.BytesRef;

/**
 * One time partition of one tenant: a log file of symbol batches and profiles, a Lucene index of
 * the profiles, and in-memory per-series aggregates (stack node to summed value) that answer merges
 * over whole partitions without reading a profile.
 *
 * <p>Writes: under {@link #lock}, profiles are rewritten to partition symbol ids, appended to the
 * log (new symbols first), indexed and aggregated; the caller then calls {@link #sync} before
 * acknowledging. The Lucene index is a cache of the log: each commit records the log offset it
 * covers, and opening re-indexes whatever lies beyond it, so a crash loses nothing the log holds.
 */
final class Partition implements Closeable {
  static final String LOG = "profiles.log";
  static final String LUCENE = "lucene";
  static final String COMMITTED_OFFSET = "ember.log.offset";

  /**
   * The layout of the profile documents ({@link Fields}), recorded with each commit: an index of
   * another layout (an older version's) is rebuilt from the log when the partition opens.
   */
  static final String INDEX_LAYOUT = "ember.index.layout";

  /** 2: link id ranges and type id doc values (1 indexed trace and span ids as terms). */
  static final String CURRENT_LAYOUT = "2";

  private static final HexFormat HEX = HexFormat.of();

  final long startNanos;
  final long endNanos;
  final Path dir;
  final String tenant;
  private final BytesRef tenantTerm;
  private final ReentrantLock lock = new ReentrantLock();
  private final SymbolTables symbols = new SymbolTables();
  private final Map<Long, IntLongMap> aggregates = new HashMap<>();
  // What documents need of the strings they index, per string id (see term and fieldName); only
  // label and attribute strings are made, a small part of the symbols. Guarded like the writer.
  private BytesRef[] terms = new BytesRef[64];
  private final FieldNames labelFields = new FieldNames(Fields.LABEL_PREFIX);
  private final FieldNames attributeFields = new FieldNames(Fields.ATTRIBUTE_PREFIX);

  /**
   * Field names made of a prefix and a string ({@code l.service_name}) per string id, made once per
   * partition: the index then hashes one String instance (its hash cached) for every document.
   */
  private static final class FieldNames {
    private final String prefix;
    private String[] byString = new String[64];

    FieldNames(String prefix) {
      this.prefix = prefix;
    }

    String of(Symbols s, int string) {
      if (string >= byString.length) {
        byString = Arrays.copyOf(byString, Math.max(string + 1, byString.length * 2));
      }
      String name = byString[string];
      if (name == null) {
        name = prefix + s.string(string);
        byString[string] = name;
      }
      return name;
    }
  }

  private final DurableLog log;
  private final FSDirectory directory;
  private final IndexWriter writer;
  private final SearcherManager searchers;
  private long indexedOffset;
  private long committedOffset;
  private long profileCount;
  // Set when an append failed half-way: memory and disk may disagree, so the partition refuses
  // further writes, is closed without committing its index, and reopens from the log.
  private volatile boolean broken;
  private volatile long lastAppend;
  private volatile boolean appended;
  private boolean closed;

  private Partition(long startNanos, long endNanos, Path dir) throws IOException {
    this.startNanos = startNanos;
    this.endNanos = endNanos;
    this.dir = dir;
    this.tenant = dir.getParent() == null ? "" : dir.getParent().getFileName().toString();
    this.tenantTerm = new BytesRef(tenant);
    Files.createDirectories(dir);
    this.directory = FSDirectory.open(dir.resolve(LUCENE));
    IndexWriterConfig iwc =
        new IndexWriterConfig().setOpenMode(IndexWriterConfig.OpenMode.CREATE_OR_APPEND);
    iwc.setRAMBufferSizeMB(16);
    this.writer = new IndexWriter(directory, iwc);
    String committed = commitValue(writer, COMMITTED_OFFSET);
    this.committedOffset = committed == null ? 0 : Long.parseLong(committed);
    if (committed != null && !CURRENT_LAYOUT.equals(commitValue(writer, INDEX_LAYOUT))) {
      writer.deleteAll(); // documents of another layout: re-index the whole log
      committedOffset = 0;
    }
    List<Long> offsets = new ArrayList<>();
    this.log =
        new DurableLog(dir.resolve(LOG), (offset, record) -> replay(offset, record, offsets));
    List<Long> reindex = new ArrayList<>();
    if (log.size() < committedOffset) {
      // The log lost a tail the index had seen (only unacknowledged data can be lost): rebuild.
      writer.deleteAll();
      committedOffset = 0;
    }
    for (long offset : offsets) {
      if (offset >= committedOffset) {
        reindex.add(offset);
      }
    }
    Symbols all = symbols.snapshot();
    for (long offset : reindex) {
      LoggedProfile p = readProfile(offset);
      index(offset, p.header(), linkIds(p.samples()), attributeIds(p.samples(), all), all);
    }
    this.indexedOffset = log.size();
    this.searchers = new SearcherManager(writer, null);
  }

  private static String commitValue(IndexWriter w, String key) {
    if (w.getLiveCommitData() == null) {
      return null;
    }
    for (Map.Entry<String, String> e : w.getLiveCommitData()) {
      if (e.getKey().equals(key)) {
        return e.getValue();
      }
    }
    return null;
  }

  private Iterable<Map.Entry<String, String>> commitData() {
    return Map.of(COMMITTED_OFFSET, Long.toString(indexedOffset), INDEX_LAYOUT, CURRENT_LAYOUT)
        .entrySet();
  }

  static Partition open(long startNanos, long endNanos, Path dir) throws IOException {
    return new Partition(startNanos, endNanos, dir);
  }

  /** Replays one log record on open; returns false to cut the log at a record that is unusable. */
  private boolean replay(long offset, ByteBuffer bytes, List<Long> offsets) {
    LogRecord record;
    try {
      record = LogRecord.parseFrom(bytes);
    } catch (InvalidProtocolBufferException e) {
      return false;
    }
    if (!record.hasProfile()) {
      if (record.getRecordCase() == LogRecord.RecordCase.RECORD_NOT_SET
          && record.getLinks().isEmpty()) {
        return false; // nothing this version knows
      }
      SymbolBatch batch = null;
      try {
        if (record.hasSymbols()) {
          batch = record.getSymbols();
        } else if (record.hasDeflatedSymbols()) {
          batch = SymbolBatch.parseFrom(SymbolCompression.inflate(record.getDeflatedSymbols()));
        }
        if (batch != null) {
          for (SymbolEntry e : batch.getEntriesList()) {
            symbols.load(e);
          }
        }
        if (!record.getLinks().isEmpty()) {
          symbols.loadLinks(record.getLinks());
        }
      } catch (IOException | RuntimeException e) {
        return false;
      }
      return true;
    }
    LoggedProfile p;
    try {
      p = LoggedProfile.of(record.getProfile());
    } catch (IOException e) {
      return false;
    }
    Symbols view = symbols.snapshot();
    if (!references(p, view)) {
      return false; // refers to symbols that never reached the disk: an unacknowledged tail
    }
    aggregate(p.header(), p.samples());
    profileCount++;
    offsets.add(offset);
    return true;
  }

  private static boolean references(LoggedProfile p, Symbols s) {
    StoredProfile h = p.header();
    if (h.getSeries() < 0
        || h.getSeries() >= s.seriesCount()
        || h.getProfileType() < 0
        || h.getProfileType() >= s.typeCount()) {
      return false;
    }
    SampleColumns c = p.samples();
    for (int i = 0; i < c.count; i++) {
      if (c.stack(i) < 0
          || c.stack(i) >= s.nodeCount()
          || c.link(i) < 0
          || c.link(i) >= s.linkCount()
          || c.attributeSet(i) < 0
          || c.attributeSet(i) >= s.attributeSetCount()) {
        return false;
      }
    }
    return true;
  }

  private void aggregate(StoredProfile p, SampleColumns samples) {
    long key = ((long) p.getSeries() << 32) | p.getProfileType();
    IntLongMap agg = aggregates.computeIfAbsent(key, k -> new IntLongMap(256));
    for (int i = 0; i < samples.count; i++) {
      agg.add(samples.stack(i), samples.value(i));
    }
  }

  /** Result of an append: what was stored, the log position to sync to, and what was refused. */
  record Appended(int profiles, long samples, long logPosition, List<Rejection> rejected) {}

  /** Rewrites, logs, indexes and aggregates profiles; call {@link #sync} before acknowledging. */
  Appended append(List<ProfileInput> inputs, ProfilesDictionary dict, Limits limits)
      throws IOException {
    lock.lock();
    try {
      if (closed || broken) {
        throw new IOException(
            "partition " + dir + (closed ? " is closed" : " failed earlier and must be reopened"));
      }
      Rewriter rewriter = new Rewriter(symbols, dict, limits);
      long samples = 0;
      int stored = 0;
      List<Rejection> rejected = new ArrayList<>();
      try {
        // New symbols go before the profile that first uses them; the whole batch is one write.
        List<byte[]> records = new ArrayList<>(inputs.size() + 1);
        List<Rewriter.Result> results = new ArrayList<>(inputs.size());
        List<Integer> positions = new ArrayList<>(inputs.size());
        for (ProfileInput in : inputs) {
          Rewriter.Result r = rewriter.rewrite(in);
          if (symbols.hasPending()) {
            records.add(symbolRecord(symbols.drainPending(), symbols.drainPendingLinks()));
          }
          if (r.rejection() != null) {
            rejected.add(r.rejection());
            continue;
          }
          positions.add(records.size());
          records.add(LogRecord.newBuilder().setProfile(r.profile()).build().toByteArray());
          results.add(r);
        }
        long[] offsets = log.append(records);
        Symbols view = symbols.snapshot();
        for (int i = 0; i < results.size(); i++) {
          Rewriter.Result r = results.get(i);
          index(offsets[positions.get(i)], r.profile(), r.linkIds(), r.attributeIds(), view);
          aggregate(r.profile(), r.samples());
          profileCount++;
          stored++;
          samples += r.samples().count;
        }
      } catch (IOException | RuntimeException e) {
        broken = true;
        throw e instanceof IOException io ? io : new IOException("append failed: " + e, e);
      }
      indexedOffset = log.size();
      lastAppend = System.nanoTime();
      appended = true;
      return new Appended(stored, samples, indexedOffset, rejected);
    } finally {
      lock.unlock();
    }
  }

  /** Symbol batches above this size are stored deflated (see {@link SymbolCompression}). */
  static final int DEFLATE_SYMBOLS_FROM = 256;

  private static byte[] symbolRecord(List<SymbolEntry> entries, byte[] links) {
    LogRecord.Builder r = LogRecord.newBuilder();
    if (!entries.isEmpty()) {
      SymbolBatch batch = SymbolBatch.newBuilder().addAllEntries(entries).build();
      byte[] plain = batch.toByteArray();
      if (plain.length >= DEFLATE_SYMBOLS_FROM) {
        r.setDeflatedSymbols(SymbolCompression.deflate(plain));
      } else {
        r.setSymbols(batch);
      }
    }
    if (links.length > 0) {
      r.setLinks(ByteString.copyFrom(links));
    }
    return r.build().toByteArray();
  }

  /** True when an append failed and the partition must be closed and reopened. */
  boolean isBroken() {
    return broken;
  }

  void sync(long position) throws IOException {
    log.sync(position);
  }

  private void index(long offset, StoredProfile p, int[] linkIds, int[] attributeIds, Symbols s)
      throws IOException {
    Document doc = new Document();
    doc.add(new StringField(Fields.TENANT, tenantTerm, Field.Store.NO));
    doc.add(new StringField(Fields.ID, HEX.formatHex(p.getId().toByteArray()), Field.Store.NO));
    doc.add(new LongPoint(Fields.TIME, p.getTimeUnixNano()));
    doc.add(new NumericDocValuesField(Fields.TIME, p.getTimeUnixNano()));
    doc.add(new StringField(Fields.TYPE, s.typeId(p.getProfileType()), Field.Store.NO));
    doc.add(new NumericDocValuesField(Fields.TYPE_ID, p.getProfileType()));
    doc.add(new IntPoint(Fields.SERIES, p.getSeries()));
    doc.add(new NumericDocValuesField(Fields.SERIES, p.getSeries()));
    doc.add(new NumericDocValuesField(Fields.OFFSET, offset));
    doc.add(new NumericDocValuesField(Fields.TOTAL, p.getTotal()));
    int[] pairs = s.seriesPairs(p.getSeries());
    for (int i = 0; i < pairs.length; i += 2) {
      doc.add(new StringField(Fields.LABEL_NAMES, term(s, pairs[i]), Field.Store.NO));
      doc.add(new StringField(labelFields.of(s, pairs[i]), term(s, pairs[i + 1]), Field.Store.NO));
    }
    LinkRanges.addTo(doc, linkIds);
    for (int a : attributeIds) {
      int value = s.attributeValue(a);
      if (!s.string(value).isEmpty()) {
        doc.add(
            new StringField(
                attributeFields.of(s, s.attributeKey(a)), term(s, value), Field.Store.NO));
      }
    }
    writer.addDocument(doc);
  }

  /** The UTF-8 term of a string, made once per partition (the index copies what it adds). */
  private BytesRef term(Symbols s, int string) {
    if (string >= terms.length) {
      terms = Arrays.copyOf(terms, Math.max(string + 1, terms.length * 2));
    }
    BytesRef t = terms[string];
    if (t == null) {
      t = new BytesRef(s.string(string));
      terms[string] = t;
    }
    return t;
  }

  /** The distinct link ids of a profile's samples, ascending (for re-indexing it). */
  private static int[] linkIds(SampleColumns c) {
    if (!c.hasLinks()) {
      return new int[0];
    }
    int[] ids = new int[c.count];
    int n = 0;
    for (int i = 0; i < c.count; i++) {
      if (c.link(i) != 0) {
        ids[n++] = c.link(i);
      }
    }
    ids = Arrays.copyOf(ids, n);
    Arrays.sort(ids);
    int d = 0;
    for (int i = 0; i < n; i++) {
      if (d == 0 || ids[d - 1] != ids[i]) {
        ids[d++] = ids[i];
      }
    }
    return Arrays.copyOf(ids, d);
  }

  /** The distinct sample attribute ids of a profile (for re-indexing it). */
  private static int[] attributeIds(SampleColumns c, Symbols s) {
    if (!c.hasAttributeSets()) {
      return new int[0];
    }
    BitSet sets = new BitSet();
    for (int i = 0; i < c.count; i++) {
      sets.set(c.attributeSet(i));
    }
    BitSet ids = new BitSet();
    for (int set = sets.nextSetBit(1); set >= 0; set = sets.nextSetBit(set + 1)) {
      for (int a : s.attributeSet(set)) {
        ids.set(a);
      }
    }
    return ids.stream().toArray();
  }

  // ---- reading ----

  /** A consistent view of the symbols, for resolving what a query reads. */
  Symbols symbols() {
    lock.lock();
    try {
      return symbols.snapshot();
    } finally {
      lock.unlock();
    }
  }

  /** Adds the aggregates of the given series of one type into {@code into}. */
  void addAggregates(Set<Integer> seriesIds, int typeId, IntLongMap into) {
    lock.lock();
    try {
      for (int series : seriesIds) {
        IntLongMap agg = aggregates.get(((long) series << 32) | typeId);
        if (agg != null) {
          into.addAll(agg);
        }
      }
    } finally {
      lock.unlock();
    }
  }

  /** A searcher that sees every profile appended so far; release it with {@link #release}. */
  IndexSearcher acquireSearcher() throws IOException {
    searchers.maybeRefreshBlocking();
    return searchers.acquire();
  }

  void release(IndexSearcher searcher) throws IOException {
    searchers.release(searcher);
  }

  LoggedProfile readProfile(long offset) throws IOException {
    return LoggedProfile.of(LogRecord.parseFrom(log.read(offset)).getProfile());
  }

  long profileCount() {
    lock.lock();
    try {
      return profileCount;
    } finally {
      lock.unlock();
    }
  }

  long diskBytes() throws IOException {
    long bytes = log.size();
    for (String f : directory.listAll()) {
      bytes += directory.fileLength(f);
    }
    return bytes;
  }

  boolean contains(long timeNanos) {
    return timeNanos >= startNanos && timeNanos < endNanos;
  }

  /** Commits the Lucene index with the log offset it covers, so a restart re-indexes less. */
  void commit() throws IOException {
    lock.lock();
    try {
      if (indexedOffset == committedOffset || broken || closed) {
        return;
      }
      writer.setLiveCommitData(commitData());
      writer.commit();
      committedOffset = indexedOffset;
    } finally {
      lock.unlock();
    }
  }

  /**
   * Committed index segments, counted on disk: asking a reader would flush a new segment, which is
   * what compaction avoids.
   */
  int segmentCount() throws IOException {
    return (int) TenantStore.segmentFiles(dir);
  }

  /** True when no profile was appended for {@code nanos}, or none since the partition opened. */
  boolean quietFor(long nanos) {
    return !appended || System.nanoTime() - lastAppend > nanos;
  }

  /**
   * Merges the index into one segment and commits it, for partitions no longer written to: fewer
   * files and smaller indexes on disk, and one segment to search. Writes may continue meanwhile.
   */
  void compact() throws IOException {
    if (broken || segmentCount() <= 1) {
      return;
    }
    writer.forceMerge(1, true);
    lock.lock();
    try {
      if (broken || closed) {
        return;
      }
      writer.setLiveCommitData(commitData());
      writer.commit();
      committedOffset = indexedOffset;
    } finally {
      lock.unlock();
    }
    searchers.maybeRefreshBlocking();
  }

  @Override
  public void close() throws IOException {
    lock.lock();
    try {
      if (closed) {
        return;
      }
      if (!broken) {
        commit();
      }
      closed = true;
    } finally {
      lock.unlock();
    }
    try {
      searchers.close();
    } finally {
      try {
        if (broken) {
          writer.rollback(); // whatever the failed append indexed is re-indexed from the log
        } else {
          writer.close();
        }
      } finally {
        directory.close();
        log.close();
      }
    }
  }
}
