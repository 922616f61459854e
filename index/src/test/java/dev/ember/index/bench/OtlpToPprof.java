package dev.ember.index.bench;

import dev.ember.proto.pprof.PprofFunction;
import dev.ember.proto.pprof.PprofLine;
import dev.ember.proto.pprof.PprofLocation;
import dev.ember.proto.pprof.PprofProfile;
import dev.ember.proto.pprof.PprofSample;
import dev.ember.proto.pprof.PprofValueType;
import io.opentelemetry.proto.collector.profiles.v1development.ExportProfilesServiceRequest;
import io.opentelemetry.proto.profiles.v1development.Function;
import io.opentelemetry.proto.profiles.v1development.Line;
import io.opentelemetry.proto.profiles.v1development.Location;
import io.opentelemetry.proto.profiles.v1development.Profile;
import io.opentelemetry.proto.profiles.v1development.ProfilesDictionary;
import io.opentelemetry.proto.profiles.v1development.Sample;
import io.opentelemetry.proto.profiles.v1development.Stack;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.zip.GZIPOutputStream;

/**
 * Converts the benchmark's OTLP profiles to pprof files (what profefe stores and merges with {@code
 * go tool pprof -proto}), and reads a merged pprof back as folded stacks for the totals check.
 */
final class OtlpToPprof {
  private OtlpToPprof() {}

  static byte[] convert(ExportProfilesServiceRequest r) throws IOException {
    ProfilesDictionary d = r.getDictionary();
    Profile p = BenchCorpus.cpuProfile(r);
    long scale = BruteForce.scale(d, p);
    PprofProfile.Builder out = PprofProfile.newBuilder();
    Map<String, Long> strings = new HashMap<>();
    out.addStringTable("");
    strings.put("", 0L);
    out.addSampleType(
        PprofValueType.newBuilder()
            .setTypeStr(str(out, strings, d.getStringTable(p.getSampleType().getTypeStrindex())))
            .setUnitStr(str(out, strings, d.getStringTable(p.getSampleType().getUnitStrindex()))));
    out.setPeriodType(
        PprofValueType.newBuilder()
            .setTypeStr(str(out, strings, d.getStringTable(p.getPeriodType().getTypeStrindex())))
            .setUnitStr(str(out, strings, d.getStringTable(p.getPeriodType().getUnitStrindex()))));
    out.setPeriod(p.getPeriod())
        .setTimeNanos(p.getTimeUnixNano())
        .setDurationNanos(p.getDurationNano());
    Map<Integer, Long> functions = new HashMap<>();
    Map<Integer, Long> locations = new HashMap<>();
    for (Sample s : p.getSamplesList()) {
      Stack st = d.getStackTable(s.getStackIndex());
      PprofSample.Builder ps = PprofSample.newBuilder().addValue(BruteForce.value(s) * scale);
      for (int li : st.getLocationIndicesList()) { // leaf first, as pprof wants
        Long id = locations.get(li);
        if (id == null) {
          id = (long) locations.size() + 1;
          locations.put(li, id);
          Location loc = d.getLocationTable(li);
          PprofLocation.Builder pl =
              PprofLocation.newBuilder().setId(id).setAddress(loc.getAddress());
          for (Line line : loc.getLinesList()) { // innermost first in both formats
            pl.addLine(
                PprofLine.newBuilder()
                    .setFunctionId(function(out, strings, functions, d, line.getFunctionIndex()))
                    .setLine(line.getLine()));
          }
          out.addLocation(pl);
        }
        ps.addLocationId(id);
      }
      out.addSample(ps);
    }
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try (GZIPOutputStream gz = new GZIPOutputStream(bytes)) {
      out.build().writeTo(gz);
    }
    return bytes.toByteArray();
  }

  private static long function(
      PprofProfile.Builder out,
      Map<String, Long> strings,
      Map<Integer, Long> functions,
      ProfilesDictionary d,
      int index) {
    Long id = functions.get(index);
    if (id == null) {
      id = (long) functions.size() + 1;
      functions.put(index, id);
      Function f = d.getFunctionTable(index);
      String name = index == 0 ? "unknown" : d.getStringTable(f.getNameStrindex());
      out.addFunction(
          PprofFunction.newBuilder()
              .setId(id)
              .setNameStr(str(out, strings, name))
              .setSystemNameStr(str(out, strings, name))
              .setFilenameStr(str(out, strings, d.getStringTable(f.getFilenameStrindex()))));
    }
    return id;
  }

  private static long str(PprofProfile.Builder out, Map<String, Long> strings, String s) {
    return strings.computeIfAbsent(
        s,
        k -> {
          out.addStringTable(k);
          return (long) out.getStringTableCount() - 1;
        });
  }

  /** Folded stacks (root first) of a pprof profile's first value. */
  static Map<String, Long> folded(PprofProfile p) {
    Map<Long, PprofLocation> locations = new HashMap<>();
    for (PprofLocation l : p.getLocationList()) {
      locations.put(l.getId(), l);
    }
    Map<Long, String> names = new HashMap<>();
    for (PprofFunction f : p.getFunctionList()) {
      names.put(f.getId(), p.getStringTable((int) f.getNameStr()));
    }
    Map<String, Long> out = new HashMap<>();
    for (PprofSample s : p.getSampleList()) {
      List<String> frames = new ArrayList<>();
      for (int i = s.getLocationIdCount() - 1; i >= 0; i--) {
        PprofLocation l = locations.get(s.getLocationId(i));
        for (int j = l.getLineCount() - 1; j >= 0; j--) {
          frames.add(names.get(l.getLine(j).getFunctionId()));
        }
      }
      out.merge(String.join(";", frames), s.getValue(0), Long::sum);
    }
    return out;
  }
}
