package dev.ember.index.store;

import com.google.protobuf.ByteString;
import dev.ember.proto.store.v1.Attribute;
import dev.ember.proto.store.v1.AttributeSet;
import dev.ember.proto.store.v1.Function;
import dev.ember.proto.store.v1.ProfileType;
import dev.ember.proto.store.v1.Series;
import dev.ember.proto.store.v1.StackNode;
import dev.ember.proto.store.v1.SymbolEntry;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The interned symbols of one partition: strings, functions, stack nodes, series label sets, links,
 * sample attributes and profile types. Id 0 of every table is the empty entry. New entries are
 * queued in {@link #pending} in id order; the partition appends them to its symbol log before the
 * profile that uses them, and {@link #load} replays that log on open, so ids are stable.
 *
 * <p>Not thread-safe: the partition's lock guards writers; readers use {@link #snapshot()}, taken
 * under that lock, whose arrays are never written below their captured size.
 */
final class SymbolTables {
  // Strings and functions are interned for every request (thousands per request), so both use
  // open-addressing tables of ids rather than maps of boxed keys.
  private String[] strings = new String[256];
  private int[] stringHashes = new int[256]; // compared before the strings: fewer cache misses
  private int stringCount = 1;
  private int[] stringSlots = new int[512];

  private int[] fnName = new int[256];
  private int[] fnSystem = new int[256];
  private int[] fnFile = new int[256];
  private long[] fnStart = new long[256];
  private int fnCount = 1;
  private int[] fnSlots = new int[512];
  // The same functions found by a hash of their strings' content, so that a request's function is
  // found without interning its three strings first (see functionOf).
  private final HashedIds fnByContent = new HashedIds();

  private final StackNodes stacks = new StackNodes();

  private int[][] series = new int[16][];
  private int seriesCount = 1;
  private final Map<Key, Integer> seriesIds = new HashMap<>();

  // Links as three longs each (trace id high and low, span id): a partition holds hundreds of
  // thousands, at 24 bytes each with no object per link, in pages of LINK_PAGE links (one array
  // doubled and copied as it grew cost more than storing the links). They are not looked up while
  // writing: a request's links are distinct already, and a span seen by two requests (a rare span
  // across an export window's end) is stored twice rather than hashing every link of every request.
  static final int LINK_PAGE_BITS = 10;
  static final int LINK_PAGE = 1 << LINK_PAGE_BITS;
  private long[][] linkPages = {new long[3 * LINK_PAGE]};
  private int linkCount = 1;
  // New links since the last drain, 24 bytes each, for the log record that persists them.
  private byte[] pendingLinks = new byte[24 * 16];
  private int pendingLinkBytes;

  private long[] attributes = new long[16];
  private int attributeCount = 1;
  private final Map<Long, Integer> attributeIds = new HashMap<>();

  private int[][] attributeSets = new int[16][];
  private int attributeSetCount = 1;
  private final Map<Key, Integer> attributeSetIds = new HashMap<>();

  private int[][] types = new int[8][];
  private String[] typeNames = new String[8]; // "name:sample:unit:period:unit", built once
  private int typeCount = 1;
  private final Map<Key, Integer> typeIds = new HashMap<>();

  private final List<SymbolEntry> pending = new ArrayList<>();

  SymbolTables() {
    strings[0] = ""; // found by the check in string(), not through the table
    series[0] = new int[0];
    attributeSets[0] = new int[0];
    types[0] = new int[5];
    typeNames[0] = "::::";
  }

  /** A value-equality key over an int[] or byte[] content. */
  private record Key(Object content) {
    @Override
    public boolean equals(Object o) {
      if (!(o instanceof Key k)) {
        return false;
      }
      if (content instanceof int[] a && k.content instanceof int[] b) {
        return Arrays.equals(a, b);
      }
      return content instanceof byte[] a && k.content instanceof byte[] b && Arrays.equals(a, b);
    }

    @Override
    public int hashCode() {
      return content instanceof int[] a ? Arrays.hashCode(a) : Arrays.hashCode((byte[]) content);
    }
  }

  // ---- interning (writers, under the partition lock) ----

  int string(String s) {
    if (s.isEmpty()) {
      return 0;
    }
    int slot = slotOf(s, s.hashCode());
    int id = stringSlots[slot];
    if (id != 0) {
      return id;
    }
    pending.add(SymbolEntry.newBuilder().setString(s).build());
    return addString(s);
  }

  /** The slot of {@code s}: where it is, or the empty slot where it belongs. */
  private int slotOf(String s, int hash) {
    int mask = stringSlots.length - 1;
    int slot = IntArrays.mix(hash) & mask;
    for (int id;
        (id = stringSlots[slot]) != 0 && (stringHashes[id] != hash || !strings[id].equals(s)); ) {
      slot = (slot + 1) & mask;
    }
    return slot;
  }

  private int addString(String s) {
    int id = stringCount++;
    if (id >= strings.length) {
      strings = Arrays.copyOf(strings, strings.length * 2);
      stringHashes = Arrays.copyOf(stringHashes, strings.length);
    }
    strings[id] = s;
    stringHashes[id] = s.hashCode();
    if (stringCount * 2 > stringSlots.length) {
      stringSlots = new int[stringSlots.length * 2];
      for (int i = 1; i < stringCount; i++) {
        stringSlots[slotOf(strings[i], stringHashes[i])] = i;
      }
    } else {
      stringSlots[slotOf(s, stringHashes[id])] = id;
    }
    return id;
  }

  int function(int name, int systemName, int filename, long startLine) {
    int slot = functionSlot(name, systemName, filename, startLine);
    int id = fnSlots[slot];
    if (id != 0) {
      return id;
    }
    pending.add(
        SymbolEntry.newBuilder()
            .setFunction(
                Function.newBuilder()
                    .setName(name)
                    .setSystemName(systemName)
                    .setFilename(filename)
                    .setStartLine(startLine))
            .build());
    return addFunction(name, systemName, filename, startLine);
  }

  /**
   * The id of the function with these strings, interned (with its strings) when new. Same result as
   * {@link #function(int, int, int, long)} over the interned strings, in one probe when the
   * function is known.
   */
  int functionOf(String name, String systemName, String filename, long startLine) {
    return functionOf(
        name,
        systemName,
        filename,
        startLine,
        IntArrays.mix(
            ((long) name.hashCode() * 31 + systemName.hashCode()) * 0x9E3779B97F4A7C15L
                + (long) filename.hashCode() * 31
                + startLine));
  }

  /** {@link #functionOf(String, String, String, long)} with the content's hash given (tests). */
  int functionOf(String name, String systemName, String filename, long startLine, int hash) {
    int id =
        fnByContent.find(
            hash,
            f ->
                fnStart[f] == startLine
                    && strings[fnName[f]].equals(name)
                    && strings[fnSystem[f]].equals(systemName)
                    && strings[fnFile[f]].equals(filename));
    if (id < 0) {
      id = function(string(name), string(systemName), string(filename), startLine);
      fnByContent.add(hash, id);
    }
    return id;
  }

  private int functionSlot(int name, int systemName, int filename, long startLine) {
    int mask = fnSlots.length - 1;
    long h = (((long) name * 31 + systemName) * 0x9E3779B97F4A7C15L + filename) * 31 + startLine;
    int slot = IntArrays.mix(h) & mask;
    for (int id; (id = fnSlots[slot]) != 0; slot = (slot + 1) & mask) {
      if (fnName[id] == name
          && fnSystem[id] == systemName
          && fnFile[id] == filename
          && fnStart[id] == startLine) {
        break;
      }
    }
    return slot;
  }

  private int addFunction(int name, int systemName, int filename, long startLine) {
    int id = fnCount++;
    fnName = IntArrays.grow(fnName, fnCount);
    fnSystem = IntArrays.grow(fnSystem, fnCount);
    fnFile = IntArrays.grow(fnFile, fnCount);
    fnStart = IntArrays.grow(fnStart, fnCount);
    fnName[id] = name;
    fnSystem[id] = systemName;
    fnFile[id] = filename;
    fnStart[id] = startLine;
    if (fnCount * 2 > fnSlots.length) {
      fnSlots = new int[fnSlots.length * 2];
      for (int f = 1; f < fnCount; f++) {
        fnSlots[functionSlot(fnName[f], fnSystem[f], fnFile[f], fnStart[f])] = f;
      }
    } else {
      fnSlots[functionSlot(name, systemName, filename, startLine)] = id;
    }
    return id;
  }

  /**
   * The leaf node of a whole stack given as frames root first ({@code fns[i]}, {@code lines[i]} for
   * {@code i < depth}), interning the nodes that are new; 0 for an empty stack.
   */
  int stackPath(int[] fns, long[] lines, int depth) {
    return stackPath(fns, lines, depth, StackNodes.pathHash(fns, lines, depth));
  }

  /** {@link #stackPath(int[], long[], int)} with the path's hash given (tests). */
  int stackPath(int[] fns, long[] lines, int depth, int hash) {
    if (depth == 0) {
      return 0;
    }
    int node = stacks.findPath(fns, lines, depth, hash);
    if (node >= 0) {
      return node;
    }
    node = 0;
    for (int i = 0; i < depth; i++) {
      node = stackNode(node, fns[i], lines[i]);
    }
    stacks.rememberPath(hash, node);
    return node;
  }

  int stackNode(int parent, int function, long line) {
    int n = stacks.find(parent, function, line);
    if (n >= 0) {
      return n;
    }
    pending.add(
        SymbolEntry.newBuilder()
            .setStackNode(
                StackNode.newBuilder().setParent(parent).setFunction(function).setLine(line))
            .build());
    return stacks.add(parent, function, line);
  }

  /** The id of a label set given as sorted (name id, value id) pairs, or -1 when new. */
  int findSeries(int[] sortedPairs) {
    Integer id = seriesIds.get(new Key(sortedPairs));
    return id == null ? -1 : id;
  }

  /** Interns a label set given as sorted (name id, value id) pairs. */
  int series(int[] sortedPairs) {
    Key key = new Key(sortedPairs);
    Integer id = seriesIds.get(key);
    if (id != null) {
      return id;
    }
    Series.Builder b = Series.newBuilder();
    for (int i = 0; i < sortedPairs.length; i += 2) {
      b.addNames(sortedPairs[i]).addValues(sortedPairs[i + 1]);
    }
    pending.add(SymbolEntry.newBuilder().setSeries(b).build());
    return addSeries(sortedPairs);
  }

  private int addSeries(int[] pairs) {
    int id = seriesCount++;
    if (id >= series.length) {
      series = Arrays.copyOf(series, series.length * 2);
    }
    series[id] = pairs;
    seriesIds.put(new Key(pairs), id);
    return id;
  }

  int seriesCount() {
    return seriesCount - 1;
  }

  /**
   * Adds a link given as its trace id (two big-endian longs) and span id and returns its id; the
   * all-zero link is id 0. Links are not deduplicated across calls (see the link table's comment).
   */
  int link(long traceHigh, long traceLow, long span) {
    if ((traceHigh | traceLow | span) == 0) {
      return 0;
    }
    if (pendingLinkBytes + 24 > pendingLinks.length) {
      pendingLinks = Arrays.copyOf(pendingLinks, pendingLinks.length * 2);
    }
    LinkBytes.put(pendingLinks, pendingLinkBytes, traceHigh, traceLow, span);
    pendingLinkBytes += 24;
    return addLink(traceHigh, traceLow, span);
  }

  private int addLink(long traceHigh, long traceLow, long span) {
    int id = linkCount++;
    int page = id >>> LINK_PAGE_BITS;
    if (page == linkPages.length) {
      linkPages = Arrays.copyOf(linkPages, page * 2);
    }
    if (linkPages[page] == null) {
      linkPages[page] = new long[3 * LINK_PAGE];
    }
    long[] words = linkPages[page];
    int at = 3 * (id & (LINK_PAGE - 1));
    words[at] = traceHigh;
    words[at + 1] = traceLow;
    words[at + 2] = span;
    return id;
  }

  int attribute(int key, int value) {
    long packed = ((long) key << 32) | (value & 0xffffffffL);
    Integer id = attributeIds.get(packed);
    if (id != null) {
      return id;
    }
    pending.add(
        SymbolEntry.newBuilder()
            .setAttribute(Attribute.newBuilder().setKey(key).setValue(value))
            .build());
    return addAttribute(packed);
  }

  private int addAttribute(long packed) {
    int id = attributeCount++;
    attributes = IntArrays.grow(attributes, attributeCount);
    attributes[id] = packed;
    attributeIds.put(packed, id);
    return id;
  }

  /** Interns a set of attribute ids given sorted. */
  int attributeSet(int[] sortedAttributeIds) {
    if (sortedAttributeIds.length == 0) {
      return 0;
    }
    Key key = new Key(sortedAttributeIds);
    Integer id = attributeSetIds.get(key);
    if (id != null) {
      return id;
    }
    AttributeSet.Builder b = AttributeSet.newBuilder();
    for (int a : sortedAttributeIds) {
      b.addAttributes(a);
    }
    pending.add(SymbolEntry.newBuilder().setAttributeSet(b).build());
    return addAttributeSet(sortedAttributeIds);
  }

  private int addAttributeSet(int[] ids) {
    int id = attributeSetCount++;
    if (id >= attributeSets.length) {
      attributeSets = Arrays.copyOf(attributeSets, attributeSets.length * 2);
    }
    attributeSets[id] = ids;
    attributeSetIds.put(new Key(ids), id);
    return id;
  }

  /** Interns a profile type given as five string ids. */
  int profileType(int[] fiveStringIds) {
    Key key = new Key(fiveStringIds);
    Integer id = typeIds.get(key);
    if (id != null) {
      return id;
    }
    pending.add(
        SymbolEntry.newBuilder()
            .setProfileType(
                ProfileType.newBuilder()
                    .setName(fiveStringIds[0])
                    .setSampleType(fiveStringIds[1])
                    .setSampleUnit(fiveStringIds[2])
                    .setPeriodType(fiveStringIds[3])
                    .setPeriodUnit(fiveStringIds[4]))
            .build());
    return addType(fiveStringIds);
  }

  private int addType(int[] five) {
    int id = typeCount++;
    if (id >= types.length) {
      types = Arrays.copyOf(types, types.length * 2);
      typeNames = Arrays.copyOf(typeNames, types.length);
    }
    types[id] = five;
    typeNames[id] =
        String.join(
            ":",
            strings[five[0]],
            strings[five[1]],
            strings[five[2]],
            strings[five[3]],
            strings[five[4]]);
    typeIds.put(new Key(five), id);
    return id;
  }

  /** Entries interned since the last call, in id order; the caller must persist them. */
  List<SymbolEntry> drainPending() {
    List<SymbolEntry> out = List.copyOf(pending);
    pending.clear();
    return out;
  }

  /**
   * Links interned since the last call, 24 bytes each in id order (see {@link LinkBytes}); the
   * caller must persist them with the entries drained at the same time. Empty when there are none.
   */
  byte[] drainPendingLinks() {
    byte[] out = Arrays.copyOf(pendingLinks, pendingLinkBytes);
    pendingLinkBytes = 0;
    return out;
  }

  /** True when entries wait to be persisted (always persist them, even if a profile fails). */
  boolean hasPending() {
    return !pending.isEmpty() || pendingLinkBytes > 0;
  }

  // ---- recovery ----

  /** Replays one entry of the symbol log; ids follow from the order of entries. */
  void load(SymbolEntry e) {
    switch (e.getEntryCase()) {
      case STRING -> addString(e.getString());
      case FUNCTION -> {
        Function f = e.getFunction();
        addFunction(f.getName(), f.getSystemName(), f.getFilename(), f.getStartLine());
      }
      case STACK_NODE -> {
        StackNode n = e.getStackNode();
        stacks.add(n.getParent(), n.getFunction(), n.getLine());
      }
      case SERIES -> {
        Series s = e.getSeries();
        int[] pairs = new int[s.getNamesCount() * 2];
        for (int i = 0; i < s.getNamesCount(); i++) {
          pairs[2 * i] = s.getNames(i);
          pairs[2 * i + 1] = s.getValues(i);
        }
        addSeries(pairs);
      }
      case LINK -> {
        // Links of logs written before links were stored packed (see loadLinks).
        byte[] b = new byte[24];
        e.getLink().getTraceId().copyTo(b, 0);
        e.getLink().getSpanId().copyTo(b, 16);
        addLink(LinkBytes.traceHigh(b, 0), LinkBytes.traceLow(b, 0), LinkBytes.span(b, 0));
      }
      case ATTRIBUTE ->
          addAttribute(
              ((long) e.getAttribute().getKey() << 32)
                  | (e.getAttribute().getValue() & 0xffffffffL));
      case ATTRIBUTE_SET ->
          addAttributeSet(
              e.getAttributeSet().getAttributesList().stream().mapToInt(i -> i).toArray());
      case PROFILE_TYPE -> {
        ProfileType t = e.getProfileType();
        addType(
            new int[] {
              t.getName(),
              t.getSampleType(),
              t.getSampleUnit(),
              t.getPeriodType(),
              t.getPeriodUnit()
            });
      }
      case ENTRY_NOT_SET -> throw new IllegalStateException("empty symbol entry");
    }
  }

  /** Replays links persisted packed, 24 bytes each; ids follow from their order. */
  void loadLinks(ByteString packed) {
    if (packed.size() % 24 != 0) {
      throw new IllegalStateException("packed links of " + packed.size() + " bytes");
    }
    byte[] b = packed.toByteArray();
    for (int at = 0; at < b.length; at += 24) {
      addLink(LinkBytes.traceHigh(b, at), LinkBytes.traceLow(b, at), LinkBytes.span(b, at));
    }
  }

  // ---- reading ----

  /** An immutable view of the tables as they are now; take it under the partition lock. */
  Symbols snapshot() {
    return new Symbols(
        strings,
        stringCount,
        fnName,
        fnSystem,
        fnFile,
        fnCount,
        stacks.view(),
        series,
        seriesCount,
        linkPages,
        linkCount,
        attributes,
        attributeCount,
        attributeSets,
        attributeSetCount,
        types,
        typeNames,
        typeCount);
  }

  long ramBytesUsed() {
    long bytes = stacks.ramBytesUsed();
    for (int i = 1; i < stringCount; i++) {
      bytes += 56 + strings[i].length() * 2L;
    }
    return bytes
        + fnCount * 64L
        + seriesCount * 64L
        + stringSlots.length * 4L
        + fnSlots.length * 4L
        + fnByContent.ramBytesUsed()
        + (long) linkPages.length * 3 * LINK_PAGE * 8
        + attributeCount * 48L;
  }
}
