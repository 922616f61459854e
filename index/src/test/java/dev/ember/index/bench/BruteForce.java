package dev.ember.index.bench;

import dev.ember.wire.ProfileTypeId;
import io.opentelemetry.proto.collector.profiles.v1development.ExportProfilesServiceRequest;
import io.opentelemetry.proto.profiles.v1development.Location;
import io.opentelemetry.proto.profiles.v1development.Profile;
import io.opentelemetry.proto.profiles.v1development.ProfilesDictionary;
import io.opentelemetry.proto.profiles.v1development.Sample;
import io.opentelemetry.proto.profiles.v1development.Stack;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The naive baseline: decode every request and merge its samples by folded stack string (root
 * first, inlined frames caller first), with the store's value rules (values summed, timestamps
 * counted, eBPF-style counts scaled by the period). Also converts a request to pprof.
 */
final class BruteForce {
  private BruteForce() {}

  static Map<String, Long> merge(List<byte[]> requests) throws Exception {
    Map<String, Long> out = new HashMap<>();
    for (byte[] bytes : requests) {
      ExportProfilesServiceRequest r = ExportProfilesServiceRequest.parseFrom(bytes);
      ProfilesDictionary d = r.getDictionary();
      for (var rp : r.getResourceProfilesList()) {
        for (var sp : rp.getScopeProfilesList()) {
          for (Profile p : sp.getProfilesList()) {
            long scale = scale(d, p);
            for (Sample s : p.getSamplesList()) {
              out.merge(folded(d, s.getStackIndex()), value(s) * scale, Long::sum);
            }
          }
        }
      }
    }
    return out;
  }

  static long scale(ProfilesDictionary d, Profile p) {
    boolean byPeriod =
        ProfileTypeId.derive(
                d.getStringTable(p.getSampleType().getTypeStrindex()),
                d.getStringTable(p.getSampleType().getUnitStrindex()),
                d.getStringTable(p.getPeriodType().getTypeStrindex()),
                d.getStringTable(p.getPeriodType().getUnitStrindex()))
            .scaleByPeriod();
    return byPeriod && p.getPeriod() > 0 ? p.getPeriod() : 1;
  }

  static long value(Sample s) {
    if (s.getValuesCount() == 0) {
      return s.getTimestampsUnixNanoCount();
    }
    long v = 0;
    for (long x : s.getValuesList()) {
      v += x;
    }
    return v;
  }

  /** Frame names root first. */
  static List<String> frames(ProfilesDictionary d, int stackIndex) {
    Stack st = d.getStackTable(stackIndex);
    List<String> frames = new ArrayList<>();
    for (int i = st.getLocationIndicesCount() - 1; i >= 0; i--) {
      Location loc = d.getLocationTable(st.getLocationIndices(i));
      if (loc.getLinesCount() == 0) {
        frames.add("0x" + Long.toHexString(loc.getAddress()));
      }
      for (int j = loc.getLinesCount() - 1; j >= 0; j--) {
        int fn = loc.getLines(j).getFunctionIndex();
        frames.add(
            fn == 0 ? "unknown" : d.getStringTable(d.getFunctionTable(fn).getNameStrindex()));
      }
    }
    return frames;
  }

  static String folded(ProfilesDictionary d, int stackIndex) {
    return String.join(";", frames(d, stackIndex));
  }
}
