package dev.ember.index.query;

import dev.ember.proto.pprof.PprofFunction;
import dev.ember.proto.pprof.PprofLine;
import dev.ember.proto.pprof.PprofLocation;
import dev.ember.proto.pprof.PprofProfile;
import dev.ember.proto.pprof.PprofSample;
import dev.ember.proto.pprof.PprofValueType;
import java.io.IOException;
import java.io.OutputStream;
import java.util.HashMap;
import java.util.Map;
import java.util.zip.GZIPOutputStream;

/**
 * Exports a call tree as a pprof profile, the gzip-compressed protobuf that {@code go tool pprof}
 * reads: one function and one location per frame name, one sample per node with a self value
 * (locations leaf first), sample and period types from the profile type ID. Deterministic: the same
 * tree gives the same bytes.
 */
public final class PprofExport {
  private PprofExport() {}

  /** Builds the profile message (not compressed). */
  public static PprofProfile toProfile(
      FlameTree tree, String profileType, long fromNanos, long untilNanos) {
    String[] type = profileType.split(":", -1);
    PprofProfile.Builder p = PprofProfile.newBuilder();
    Map<String, Long> strings = new HashMap<>();
    p.addStringTable("");
    strings.put("", 0L);
    String sampleType = type.length == 5 ? type[1] : "samples";
    String sampleUnit = type.length == 5 ? type[2] : "count";
    p.addSampleType(
        PprofValueType.newBuilder()
            .setTypeStr(string(p, strings, sampleType))
            .setUnitStr(string(p, strings, sampleUnit)));
    if (type.length == 5 && !type[3].isEmpty()) {
      p.setPeriodType(
          PprofValueType.newBuilder()
              .setTypeStr(string(p, strings, type[3]))
              .setUnitStr(string(p, strings, type[4])));
    }
    p.setTimeNanos(fromNanos).setDurationNanos(Math.max(0, untilNanos - fromNanos));
    p.addCommentStr(string(p, strings, "ember profile type " + profileType));

    // Location id = function id = position of the name in first-use order (ids start at 1).
    long[] locationOf = new long[tree.nameCount()];
    long nextId = 1;
    int[] order = tree.depthFirstOrder();
    for (int n : order) {
      if (n == 0) {
        continue;
      }
      int nid = tree.nameId(n);
      if (locationOf[nid] == 0) {
        long id = nextId++;
        locationOf[nid] = id;
        long name = string(p, strings, tree.nameOf(nid));
        p.addFunction(PprofFunction.newBuilder().setId(id).setNameStr(name).setSystemNameStr(name));
        p.addLocation(
            PprofLocation.newBuilder().setId(id).addLine(PprofLine.newBuilder().setFunctionId(id)));
      }
    }
    for (int n : order) {
      long self = tree.self(n);
      if (n == 0 || self == 0) {
        continue;
      }
      PprofSample.Builder s = PprofSample.newBuilder().addValue(self);
      for (int m = n; m != 0; m = tree.parent(m)) {
        s.addLocationId(locationOf[tree.nameId(m)]);
      }
      p.addSample(s);
    }
    return p.build();
  }

  /** Writes the gzip-compressed profile. */
  public static void write(
      FlameTree tree, String profileType, long fromNanos, long untilNanos, OutputStream out)
      throws IOException {
    GZIPOutputStream gz = new GZIPOutputStream(out, 1 << 16);
    toProfile(tree, profileType, fromNanos, untilNanos).writeTo(gz);
    gz.finish();
  }

  private static long string(PprofProfile.Builder p, Map<String, Long> strings, String s) {
    Long id = strings.get(s);
    if (id == null) {
      id = (long) p.getStringTableCount();
      p.addStringTable(s);
      strings.put(s, id);
    }
    return id;
  }
}
