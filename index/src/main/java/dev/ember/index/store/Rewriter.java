package dev.ember.index.store;

import com.google.protobuf.ByteString;
import dev.ember.proto.store.v1.StoredProfile;
import io.opentelemetry.proto.profiles.v1development.KeyValueAndUnit;
import io.opentelemetry.proto.profiles.v1development.Line;
import io.opentelemetry.proto.profiles.v1development.Location;
import io.opentelemetry.proto.profiles.v1development.Mapping;
import io.opentelemetry.proto.profiles.v1development.Profile;
import io.opentelemetry.proto.profiles.v1development.ProfilesDictionary;
import io.opentelemetry.proto.profiles.v1development.Sample;
import io.opentelemetry.proto.profiles.v1development.Stack;
import java.util.Arrays;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Rewrites profiles from one request's dictionary into one partition's symbol ids. Each request
 * index (string, function, location, stack, link, attribute) is translated once and cached, so a
 * request with many samples over few stacks costs little. Samples with equal identity (stack, link,
 * attributes) are summed and stored as {@link SampleColumns}. Used under the partition lock; one
 * rewriter per (request, partition).
 */
final class Rewriter {
  /** The root frame of stacks cut at the tenant's depth limit, as the exporter marks JFR's cuts. */
  static final String TRUNCATED = "[truncated]";

  private final SymbolTables symbols;
  private final ProfilesDictionary dict;
  private final Limits limits;
  private final int[] functions;
  private final int[][] locationFunctions; // per request location: partition functions, root first
  private final long[][] locationLines;
  private final int[] stacks;
  private final int[] links;
  private final int[] attributes;
  // What the index needs is per profile: these remember, per request index, the last profile
  // that saw it, so each link and attribute is listed once per profile.
  private final int[] linkSeen;
  private final int[] attributeSeen;
  private int generation;
  private final byte[] linkBuffer = new byte[24];
  private final LongIntMap setsByIndices = new LongIntMap();
  private int[] frameFns = new int[64]; // one stack's frames, root first
  private long[] frameLines = new long[64];

  Rewriter(SymbolTables symbols, ProfilesDictionary dict, Limits limits) {
    this.symbols = symbols;
    this.dict = dict;
    this.limits = limits;
    this.functions = filled(dict.getFunctionTableCount());
    this.locationFunctions = new int[dict.getLocationTableCount()][];
    this.locationLines = new long[dict.getLocationTableCount()][];
    this.stacks = filled(dict.getStackTableCount());
    this.links = filled(dict.getLinkTableCount());
    this.attributes = filled(dict.getAttributeTableCount());
    this.linkSeen = new int[dict.getLinkTableCount()];
    this.attributeSeen = new int[dict.getAttributeTableCount()];
  }

  private static int[] filled(int n) {
    int[] a = new int[n];
    Arrays.fill(a, -1);
    return a;
  }

  /**
   * A rewritten profile, or the reason it cannot be stored ({@code profile} is then null): the
   * record to log, its samples as columns, and for the index the distinct link ids (ascending) and
   * sample attribute ids its samples refer to.
   */
  record Result(
      StoredProfile profile,
      SampleColumns samples,
      int[] linkIds,
      int[] attributeIds,
      Rejection rejection) {
    static Result rejected(Rejection r) {
      return new Result(null, null, null, null, r);
    }
  }

  Result rewrite(ProfileInput in) {
    generation++;
    int series = series(in.labelPairs());
    if (series < 0) {
      return Result.rejected(
          new Rejection(
              in.ref(),
              "series_limit",
              OtlpProfiles.path(in.ref())
                  + " would start a new series, but this tenant already has "
                  + limits.maxSeries()
                  + " series in the partition for its time (max-series); reduce the label"
                  + " values that change often (instance ids, pids) or raise the limit"));
    }
    int type =
        symbols.profileType(
            new int[] {
              symbols.string(in.type().name()),
              symbols.string(in.type().sampleType()),
              symbols.string(in.type().sampleUnit()),
              symbols.string(in.type().periodType()),
              symbols.string(in.type().periodUnit())
            });
    Profile p = in.proto();
    long period = p.getPeriod();
    long scale = in.scaleByPeriod() && period > 0 ? period : 1;

    // Merge samples of equal identity (stack node, link, attribute set) in an open-addressing
    // table of sample positions; distinct samples keep the order of their first appearance.
    int n = p.getSamplesCount();
    int[] nodeOf = new int[n];
    int[] linkOf = new int[n];
    int[] setOf = new int[n];
    long[] valueOf = new long[n];
    int[] table = new int[Integer.highestOneBit(Math.max(4, n * 2 - 1)) << 1];
    int mask = table.length - 1;
    int distinct = 0;
    boolean anyLink = false;
    boolean anySet = false;
    IntList linkIds = new IntList();
    IntList attributeIds = new IntList();
    for (int i = 0; i < n; i++) {
      Sample s = p.getSamples(i);
      long value = 0;
      int values = s.getValuesCount();
      if (values > 0) {
        for (int j = 0; j < values; j++) {
          value += s.getValues(j);
        }
      } else {
        value = s.getTimestampsUnixNanoCount();
      }
      value *= scale;
      int node = stack(s.getStackIndex());
      int link = link(s.getLinkIndex(), linkIds);
      int set = attributeSet(s, attributeIds);
      anyLink |= link != 0;
      anySet |= set != 0;
      int slot = IntArrays.mix(((long) node << 32 ^ link) * 31 + set) & mask;
      while (true) {
        int at = table[slot] - 1;
        if (at < 0) {
          table[slot] = distinct + 1;
          nodeOf[distinct] = node;
          linkOf[distinct] = link;
          setOf[distinct] = set;
          valueOf[distinct] = value;
          distinct++;
          break;
        }
        if (nodeOf[at] == node && linkOf[at] == link && setOf[at] == set) {
          valueOf[at] += value;
          break;
        }
        slot = (slot + 1) & mask;
      }
    }
    long total = 0;
    for (int i = 0; i < distinct; i++) {
      total += valueOf[i];
    }
    int[] stackColumn = Arrays.copyOf(nodeOf, distinct);
    long[] valueColumn = Arrays.copyOf(valueOf, distinct);
    int[] linkColumn = anyLink ? Arrays.copyOf(linkOf, distinct) : null;
    int[] setColumn = anySet ? Arrays.copyOf(setOf, distinct) : null;
    byte[] encoded =
        SampleColumns.encode(distinct, stackColumn, valueColumn, linkColumn, setColumn);
    StoredProfile stored =
        StoredProfile.newBuilder()
            .setId(profileId(p))
            .setTimeUnixNano(in.timeNanos())
            .setDurationNano(in.durationNanos())
            .setSeries(series)
            .setProfileType(type)
            .setPeriod(period)
            .setTotal(total)
            .setSamples(ByteString.copyFrom(encoded))
            .build();
    int[] sortedLinks = linkIds.toArray();
    Arrays.sort(sortedLinks);
    return new Result(
        stored,
        new SampleColumns(distinct, stackColumn, valueColumn, linkColumn, setColumn),
        sortedLinks,
        attributeIds.toArray(),
        null);
  }

  private static ByteString profileId(Profile p) {
    if (p.getProfileId().size() == 16) {
      return p.getProfileId();
    }
    byte[] id = new byte[16];
    ThreadLocalRandom.current().nextBytes(id);
    return ByteString.copyFrom(id);
  }

  /** The series id, or -1 when the series is new and the tenant's series limit is reached. */
  private int series(String[] pairs) {
    int[] ids = new int[pairs.length];
    for (int i = 0; i < pairs.length; i++) {
      ids[i] = symbols.string(pairs[i]);
    }
    int id = symbols.findSeries(ids);
    if (id >= 0) {
      return id;
    }
    if (symbols.seriesCount() >= limits.maxSeries()) {
      return -1;
    }
    return symbols.series(ids);
  }

  private int stack(int requestIndex) {
    if (requestIndex == 0) {
      return 0;
    }
    int node = stacks[requestIndex];
    if (node >= 0) {
      return node;
    }
    Stack s = dict.getStackTable(requestIndex);
    int depth = 0;
    for (int i = 0; i < s.getLocationIndicesCount(); i++) {
      int loc = s.getLocationIndices(i);
      if (locationFunctions[loc] == null) {
        resolveLocation(loc);
      }
      depth += locationFunctions[loc].length;
    }
    // Too deep: keep the leaf-most frames, where the time is spent, under a marker root frame.
    int skip = depth > limits.maxStackDepth() ? depth - (limits.maxStackDepth() - 1) : 0;
    int size = skip > 0 ? depth - skip + 1 : depth;
    if (frameFns.length < size) {
      frameFns = new int[size];
      frameLines = new long[size];
    }
    int k = 0;
    if (skip > 0) {
      frameFns[k] = symbols.function(symbols.string(TRUNCATED), 0, 0, 0);
      frameLines[k++] = 0;
    }
    int seen = 0;
    // location_indices is leaf first: walk it backwards to list the frames from the root down.
    for (int i = s.getLocationIndicesCount() - 1; i >= 0; i--) {
      int loc = s.getLocationIndices(i);
      int[] fns = locationFunctions[loc];
      long[] lines = locationLines[loc];
      for (int j = 0; j < fns.length; j++) {
        if (seen++ < skip) {
          continue;
        }
        frameFns[k] = fns[j];
        frameLines[k++] = lines[j];
      }
    }
    node = symbols.stackPath(frameFns, frameLines, k);
    stacks[requestIndex] = node;
    return node;
  }

  /** A location becomes one frame per line (inlined frames), ordered caller first. */
  private void resolveLocation(int index) {
    Location loc = dict.getLocationTable(index);
    int n = loc.getLinesCount();
    if (n == 0) {
      int name = symbols.string(addressName(loc));
      locationFunctions[index] = new int[] {symbols.function(name, 0, 0, 0)};
      locationLines[index] = new long[] {0};
      return;
    }
    int[] fns = new int[n];
    long[] lines = new long[n];
    // lines[0] is the innermost frame and the last is its caller: reverse to caller first.
    for (int j = 0; j < n; j++) {
      Line line = loc.getLines(n - 1 - j);
      fns[j] = function(line.getFunctionIndex());
      lines[j] = line.getLine();
    }
    locationFunctions[index] = fns;
    locationLines[index] = lines;
  }

  private int function(int requestIndex) {
    int id = functions[requestIndex];
    if (id >= 0) {
      return id;
    }
    if (requestIndex == 0) {
      id = symbols.function(symbols.string("unknown"), 0, 0, 0);
    } else {
      var f = dict.getFunctionTable(requestIndex);
      id =
          symbols.functionOf(
              dict.getStringTable(f.getNameStrindex()),
              dict.getStringTable(f.getSystemNameStrindex()),
              dict.getStringTable(f.getFilenameStrindex()),
              f.getStartLine());
    }
    functions[requestIndex] = id;
    return id;
  }

  private String addressName(Location loc) {
    String addr = "0x" + Long.toHexString(loc.getAddress());
    if (loc.getMappingIndex() == 0) {
      return addr;
    }
    Mapping m = dict.getMappingTable(loc.getMappingIndex());
    String file = dict.getStringTable(m.getFilenameStrindex());
    int slash = file.lastIndexOf('/');
    String base = slash >= 0 ? file.substring(slash + 1) : file;
    return base.isEmpty() ? addr : base + "+" + addr;
  }

  private int link(int requestIndex, IntList linkIds) {
    if (requestIndex == 0) {
      return 0;
    }
    int id = links[requestIndex];
    if (id < 0) {
      var l = dict.getLinkTable(requestIndex);
      // The validator checked the sizes: 16 trace-id bytes and 8 span-id bytes.
      l.getTraceId().copyTo(linkBuffer, 0);
      l.getSpanId().copyTo(linkBuffer, 16);
      id =
          symbols.link(
              LinkBytes.traceHigh(linkBuffer, 0),
              LinkBytes.traceLow(linkBuffer, 0),
              LinkBytes.span(linkBuffer, 0));
      links[requestIndex] = id;
    }
    if (id != 0 && linkSeen[requestIndex] != generation) {
      linkSeen[requestIndex] = generation;
      linkIds.add(id);
    }
    return id;
  }

  private int attributeSet(Sample s, IntList attributeIds) {
    int n = s.getAttributeIndicesCount();
    if (n == 0) {
      return 0;
    }
    // Samples repeat a few attribute lists (thread and span names): up to three request indices
    // below 2^20 and their count pack into one key, whose set id is remembered for the request.
    long packed = n <= 3 ? (long) n << 60 : -1;
    for (int i = 0; i < n && packed != -1; i++) {
      int index = s.getAttributeIndices(i);
      packed = index < (1 << 20) ? packed | (long) index << (20 * i) : -1;
    }
    if (packed != -1) {
      int set = setsByIndices.get(packed);
      if (set >= 0) {
        for (int i = 0; i < n; i++) {
          int index = s.getAttributeIndices(i);
          if (attributeSeen[index] != generation) {
            attributeSeen[index] = generation;
            attributeIds.add(attributes[index]);
          }
        }
        return set;
      }
    }
    int set = internAttributeSet(s, n, attributeIds);
    if (packed != -1) {
      setsByIndices.put(packed, set);
    }
    return set;
  }

  private int internAttributeSet(Sample s, int n, IntList attributeIds) {
    int[] ids = new int[n];
    for (int i = 0; i < n; i++) {
      int index = s.getAttributeIndices(i);
      int id = attributes[index];
      if (id < 0) {
        KeyValueAndUnit kv = dict.getAttributeTable(index);
        String key = OtlpProfiles.sanitize(dict.getStringTable(kv.getKeyStrindex()));
        String value = OtlpProfiles.scalar(kv.getValue(), dict);
        id = symbols.attribute(symbols.string(key), symbols.string(value == null ? "" : value));
        attributes[index] = id;
      }
      if (attributeSeen[index] != generation) {
        attributeSeen[index] = generation;
        attributeIds.add(id);
      }
      ids[i] = id;
    }
    Arrays.sort(ids);
    return symbols.attributeSet(ids);
  }
}
