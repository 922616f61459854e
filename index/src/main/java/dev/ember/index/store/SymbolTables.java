package dev.ember.index.store;

import com.google.protobuf.ByteString;
import dev.ember.proto.store.v1.Attribute;
import dev.ember.proto.store.v1.AttributeSet;
import dev.ember.proto.store.v1.Function;
import dev.ember.proto.store.v1.Link;
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
  private String[] strings = new String[256];
  private int stringCount = 1;
  private final Map<String, Integer> stringIds = new HashMap<>();

  private int[] fnName = new int[256];
  private int[] fnSystem = new int[256];
  private int[] fnFile = new int[256];
  private long[] fnStart = new long[256];
  private int fnCount = 1;
  private final Map<FnKey, Integer> fnIds = new HashMap<>();

  private final StackNodes stacks = new StackNodes();

  private int[][] series = new int[16][];
  private int seriesCount = 1;
  private final Map<Key, Integer> seriesIds = new HashMap<>();

  private byte[][] links = new byte[16][];
  private int linkCount = 1;
  private final Map<Key, Integer> linkIds = new HashMap<>();

  private long[] attributes = new long[16];
  private int attributeCount = 1;
  private final Map<Long, Integer> attributeIds = new HashMap<>();

  private int[][] attributeSets = new int[16][];
  private int attributeSetCount = 1;
  private final Map<Key, Integer> attributeSetIds = new HashMap<>();

  private int[][] types = new int[8][];
  private int typeCount = 1;
  private final Map<Key, Integer> typeIds = new HashMap<>();

  private final List<SymbolEntry> pending = new ArrayList<>();

  SymbolTables() {
    strings[0] = "";
    stringIds.put("", 0);
    series[0] = new int[0];
    links[0] = new byte[24];
    attributeSets[0] = new int[0];
    types[0] = new int[5];
  }

  /** A function's identity: its three string ids and start line. */
  private record FnKey(int name, int systemName, int filename, long startLine) {}

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
    Integer id = stringIds.get(s);
    if (id != null) {
      return id;
    }
    pending.add(SymbolEntry.newBuilder().setString(s).build());
    return addString(s);
  }

  private int addString(String s) {
    int id = stringCount++;
    if (id >= strings.length) {
      strings = Arrays.copyOf(strings, strings.length * 2);
    }
    strings[id] = s;
    stringIds.put(s, id);
    return id;
  }

  int function(int name, int systemName, int filename, long startLine) {
    FnKey key = new FnKey(name, systemName, filename, startLine);
    Integer id = fnIds.get(key);
    if (id != null) {
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
    return addFunction(key);
  }

  private int addFunction(FnKey key) {
    int id = fnCount++;
    fnName = IntArrays.grow(fnName, fnCount);
    fnSystem = IntArrays.grow(fnSystem, fnCount);
    fnFile = IntArrays.grow(fnFile, fnCount);
    fnStart = IntArrays.grow(fnStart, fnCount);
    fnName[id] = key.name();
    fnSystem[id] = key.systemName();
    fnFile[id] = key.filename();
    fnStart[id] = key.startLine();
    fnIds.put(key, id);
    return id;
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

  /** Interns a link of 16 trace-id bytes followed by 8 span-id bytes. */
  int link(byte[] traceAndSpan) {
    Key key = new Key(traceAndSpan);
    Integer id = linkIds.get(key);
    if (id != null) {
      return id;
    }
    pending.add(
        SymbolEntry.newBuilder()
            .setLink(
                Link.newBuilder()
                    .setTraceId(ByteString.copyFrom(traceAndSpan, 0, 16))
                    .setSpanId(ByteString.copyFrom(traceAndSpan, 16, 8)))
            .build());
    return addLink(traceAndSpan);
  }

  private int addLink(byte[] traceAndSpan) {
    int id = linkCount++;
    if (id >= links.length) {
      links = Arrays.copyOf(links, links.length * 2);
    }
    links[id] = traceAndSpan;
    linkIds.put(new Key(traceAndSpan), id);
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
    }
    types[id] = five;
    typeIds.put(new Key(five), id);
    return id;
  }

  /** Entries interned since the last call, in id order; the caller must persist them. */
  List<SymbolEntry> drainPending() {
    List<SymbolEntry> out = List.copyOf(pending);
    pending.clear();
    return out;
  }

  /** True when entries wait to be persisted (always persist them, even if a profile fails). */
  boolean hasPending() {
    return !pending.isEmpty();
  }

  // ---- recovery ----

  /** Replays one entry of the symbol log; ids follow from the order of entries. */
  void load(SymbolEntry e) {
    switch (e.getEntryCase()) {
      case STRING -> addString(e.getString());
      case FUNCTION -> {
        Function f = e.getFunction();
        addFunction(new FnKey(f.getName(), f.getSystemName(), f.getFilename(), f.getStartLine()));
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
        byte[] b = new byte[24];
        e.getLink().getTraceId().copyTo(b, 0);
        e.getLink().getSpanId().copyTo(b, 16);
        addLink(b);
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
        links,
        linkCount,
        attributes,
        attributeCount,
        attributeSets,
        attributeSetCount,
        types,
        typeCount);
  }

  long ramBytesUsed() {
    long bytes = stacks.ramBytesUsed();
    for (int i = 1; i < stringCount; i++) {
      bytes += 56 + strings[i].length() * 2L;
    }
    return bytes + fnCount * 64L + seriesCount * 64L + linkCount * 80L + attributeCount * 48L;
  }
}
