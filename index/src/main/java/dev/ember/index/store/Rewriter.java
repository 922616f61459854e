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
import java.util.HashMap;
import java.util.HexFormat;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Rewrites profiles from one request's dictionary into one partition's symbol ids. Each request
 * index (string, location, stack, link, attribute) is translated once and cached, so a request with
 * many samples over few stacks costs little. Samples with equal identity (stack, link, attributes)
 * are summed. Used under the partition lock; one rewriter per (request, partition).
 */
final class Rewriter {
  private static final HexFormat HEX = HexFormat.of();

  /** The root frame of stacks cut at the tenant's depth limit, as the exporter marks JFR's cuts. */
  static final String TRUNCATED = "[truncated]";

  private final SymbolTables symbols;
  private final ProfilesDictionary dict;
  private final Limits limits;
  private final int[] strings;
  private final int[][] locationFunctions; // per request location: partition functions, root first
  private final long[][] locationLines;
  private final int[] stacks;
  private final int[] links;
  private final int[] attributes;
  // Extras are per profile: these remember, per request index, the last profile that saw it.
  private final int[] linkSeen;
  private final int[] attributeSeen;
  private int generation;

  Rewriter(SymbolTables symbols, ProfilesDictionary dict, Limits limits) {
    this.symbols = symbols;
    this.dict = dict;
    this.limits = limits;
    this.strings = filled(dict.getStringTableCount());
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

  /** What the index needs to know about a rewritten profile besides its samples. */
  record Extras(
      TreeSet<String> traceIds, TreeSet<String> spanIds, Map<String, TreeSet<String>> attributes) {}

  /** A rewritten profile, or the reason it cannot be stored ({@code profile} is then null). */
  record Result(
      StoredProfile profile, int seriesId, int typeId, Extras extras, Rejection rejection) {
    static Result rejected(Rejection r) {
      return new Result(null, 0, 0, null, r);
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

    // Merge samples of equal identity; the key packs stack node, link and attribute set ids.
    Map<SampleKey, long[]> merged = new HashMap<>();
    SampleKey[] order = new SampleKey[p.getSamplesCount()];
    int distinct = 0;
    Extras extras = new Extras(new TreeSet<>(), new TreeSet<>(), new TreeMap<>());
    for (int i = 0; i < p.getSamplesCount(); i++) {
      Sample s = p.getSamples(i);
      long value = 0;
      if (s.getValuesCount() > 0) {
        for (int j = 0; j < s.getValuesCount(); j++) {
          value += s.getValues(j);
        }
      } else {
        value = s.getTimestampsUnixNanoCount();
      }
      value *= scale;
      int node = stack(s.getStackIndex());
      int link = link(s.getLinkIndex(), extras);
      int attrSet = attributeSet(s, extras);
      SampleKey key = new SampleKey(node, link, attrSet);
      long[] sum = merged.get(key);
      if (sum == null) {
        merged.put(key, new long[] {value});
        order[distinct++] = key;
      } else {
        sum[0] += value;
      }
    }
    StoredProfile.Builder b =
        StoredProfile.newBuilder()
            .setId(profileId(p))
            .setTimeUnixNano(in.timeNanos())
            .setDurationNano(in.durationNanos())
            .setSeries(series)
            .setProfileType(type)
            .setPeriod(period);
    boolean anyLink = false;
    boolean anyAttr = false;
    for (int i = 0; i < distinct; i++) {
      anyLink |= order[i].link != 0;
      anyAttr |= order[i].attributeSet != 0;
    }
    long total = 0;
    for (int i = 0; i < distinct; i++) {
      SampleKey k = order[i];
      long v = merged.get(k)[0];
      b.addStacks(k.node).addValues(v);
      if (anyLink) {
        b.addLinks(k.link);
      }
      if (anyAttr) {
        b.addAttributeSets(k.attributeSet);
      }
      total += v;
    }
    b.setTotal(total);
    return new Result(b.build(), series, type, extras, null);
  }

  private record SampleKey(int node, int link, int attributeSet) {}

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

  private int string(int requestIndex) {
    int id = strings[requestIndex];
    if (id < 0) {
      id = symbols.string(dict.getStringTable(requestIndex));
      strings[requestIndex] = id;
    }
    return id;
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
    node = 0;
    if (skip > 0) {
      node = symbols.stackNode(0, symbols.function(symbols.string(TRUNCATED), 0, 0, 0), 0);
    }
    int seen = 0;
    // location_indices is leaf first: walk it backwards to insert from the root down.
    for (int i = s.getLocationIndicesCount() - 1; i >= 0; i--) {
      int loc = s.getLocationIndices(i);
      int[] fns = locationFunctions[loc];
      long[] lines = locationLines[loc];
      for (int j = 0; j < fns.length; j++) {
        if (seen++ < skip) {
          continue;
        }
        node = symbols.stackNode(node, fns[j], lines[j]);
      }
    }
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
    if (requestIndex == 0) {
      return symbols.function(symbols.string("unknown"), 0, 0, 0);
    }
    var f = dict.getFunctionTable(requestIndex);
    return symbols.function(
        string(f.getNameStrindex()),
        string(f.getSystemNameStrindex()),
        string(f.getFilenameStrindex()),
        f.getStartLine());
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

  private int link(int requestIndex, Extras extras) {
    if (requestIndex == 0) {
      return 0;
    }
    int id = links[requestIndex];
    if (id < 0) {
      var l = dict.getLinkTable(requestIndex);
      byte[] b = new byte[24];
      l.getTraceId().copyTo(b, 0);
      l.getSpanId().copyTo(b, 16);
      id = isZero(b) ? 0 : symbols.link(b);
      links[requestIndex] = id;
    }
    if (id != 0 && linkSeen[requestIndex] != generation) {
      linkSeen[requestIndex] = generation;
      var l = dict.getLinkTable(requestIndex);
      extras.traceIds().add(HEX.formatHex(l.getTraceId().toByteArray()));
      extras.spanIds().add(HEX.formatHex(l.getSpanId().toByteArray()));
    }
    return id;
  }

  private static boolean isZero(byte[] b) {
    for (byte x : b) {
      if (x != 0) {
        return false;
      }
    }
    return true;
  }

  private int attributeSet(Sample s, Extras extras) {
    int n = s.getAttributeIndicesCount();
    if (n == 0) {
      return 0;
    }
    int[] ids = new int[n];
    for (int i = 0; i < n; i++) {
      int index = s.getAttributeIndices(i);
      int id = attributes[index];
      if (id < 0 || attributeSeen[index] != generation) {
        KeyValueAndUnit kv = dict.getAttributeTable(index);
        String key = OtlpProfiles.sanitize(dict.getStringTable(kv.getKeyStrindex()));
        String value = OtlpProfiles.scalar(kv.getValue(), dict);
        if (id < 0) {
          id = symbols.attribute(symbols.string(key), symbols.string(value == null ? "" : value));
          attributes[index] = id;
        }
        attributeSeen[index] = generation;
        if (value != null) {
          extras.attributes().computeIfAbsent(key, k -> new TreeSet<>()).add(value);
        }
      }
      ids[i] = id;
    }
    Arrays.sort(ids);
    return symbols.attributeSet(ids);
  }
}
