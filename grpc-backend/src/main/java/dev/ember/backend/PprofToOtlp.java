package dev.ember.backend;

import dev.ember.proto.pprof.PprofFunction;
import dev.ember.proto.pprof.PprofLabel;
import dev.ember.proto.pprof.PprofLine;
import dev.ember.proto.pprof.PprofLocation;
import dev.ember.proto.pprof.PprofMapping;
import dev.ember.proto.pprof.PprofProfile;
import dev.ember.proto.pprof.PprofSample;
import dev.ember.proto.pprof.PprofValueType;
import io.opentelemetry.proto.collector.profiles.v1development.ExportProfilesServiceRequest;
import io.opentelemetry.proto.common.v1.AnyValue;
import io.opentelemetry.proto.common.v1.InstrumentationScope;
import io.opentelemetry.proto.common.v1.KeyValue;
import io.opentelemetry.proto.profiles.v1development.Line;
import io.opentelemetry.proto.profiles.v1development.Location;
import io.opentelemetry.proto.profiles.v1development.Mapping;
import io.opentelemetry.proto.profiles.v1development.Profile;
import io.opentelemetry.proto.profiles.v1development.ResourceProfiles;
import io.opentelemetry.proto.profiles.v1development.Sample;
import io.opentelemetry.proto.profiles.v1development.ScopeProfiles;
import io.opentelemetry.proto.profiles.v1development.ValueType;
import io.opentelemetry.proto.resource.v1.Resource;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;

/**
 * Turns a pprof profile (Pyroscope's {@code /ingest?format=pprof}) into one OTLP request, so it
 * takes the same validation and storage path as OTLP. The pprof is checked first: every string,
 * location, function and mapping reference must resolve, and each sample must have one value per
 * sample type; a fault is refused naming the field and index.
 *
 * <p>Mapping: one resource with {@code service.name} = the application name and the name's labels
 * as attributes; one OTLP {@code Profile} per pprof sample type, holding the samples whose value
 * for that type is not zero; pprof labels become sample attributes, except {@code span_id} (or
 * Pyroscope's legacy {@code profile_id}, 16 hex digits) and {@code trace_id} (32 hex digits), which
 * become the sample's link. A {@code samples/count} type is dropped when the profile also has a
 * {@code cpu/nanoseconds} type (Go CPU profiles): with a CPU period both would be named {@code
 * process_cpu:cpu:nanoseconds:cpu:nanoseconds} and count the same time twice. Time: the profile's
 * {@code time_nanos}/{@code duration_nanos}, else the request's {@code from}/{@code until}.
 */
final class PprofToOtlp {
  static final String SCOPE = "ember-pprof-ingest";

  private final PprofProfile p;
  private final OtlpDictionaryBuilder dict = new OtlpDictionaryBuilder();
  private final Map<Long, Integer> functions = new HashMap<>();
  private final Map<Long, Integer> mappings = new HashMap<>();
  private final Map<Long, Integer> locations = new HashMap<>();
  private final Map<Long, PprofLocation> locationsById = new HashMap<>();
  private final Map<Long, PprofFunction> functionsById = new HashMap<>();
  private final Map<Long, PprofMapping> mappingsById = new HashMap<>();

  private PprofToOtlp(PprofProfile p) {
    this.p = p;
  }

  static ExportProfilesServiceRequest convert(
      PprofProfile p, IngestName name, String spyName, long fromNanos, long untilNanos) {
    return new PprofToOtlp(p).run(name, spyName, fromNanos, untilNanos);
  }

  private static IngestException invalid(String what) {
    return IngestException.invalid("invalid_pprof", "invalid pprof: " + what);
  }

  private String str(long index, String field) {
    if (index < 0 || index >= p.getStringTableCount()) {
      throw invalid(
          field
              + "="
              + index
              + " is out of range for string_table of size "
              + p.getStringTableCount());
    }
    return p.getStringTable((int) index);
  }

  private ExportProfilesServiceRequest run(
      IngestName name, String spyName, long fromNanos, long untilNanos) {
    if (p.getStringTableCount() == 0 || !p.getStringTable(0).isEmpty()) {
      throw invalid("string_table must start with \"\"");
    }
    if (p.getSampleTypeCount() == 0) {
      throw invalid("no sample_type: the profile says nothing about what its values measure");
    }
    index();
    int types = p.getSampleTypeCount();
    String[] typeNames = new String[types];
    String[] units = new String[types];
    for (int t = 0; t < types; t++) {
      PprofValueType vt = p.getSampleType(t);
      typeNames[t] = str(vt.getTypeStr(), "sample_type[" + t + "].type_str");
      units[t] = str(vt.getUnitStr(), "sample_type[" + t + "].unit_str");
    }
    String periodType = str(p.getPeriodType().getTypeStr(), "period_type.type_str");
    String periodUnit = str(p.getPeriodType().getUnitStr(), "period_type.unit_str");
    boolean hasCpuTime = false;
    for (int t = 0; t < types; t++) {
      hasCpuTime |= typeNames[t].equals("cpu") && units[t].equals("nanoseconds");
    }

    int[] stackOf = new int[p.getSampleCount()];
    int[] linkOf = new int[p.getSampleCount()];
    int[][] attrsOf = new int[p.getSampleCount()][];
    for (int i = 0; i < p.getSampleCount(); i++) {
      PprofSample s = p.getSample(i);
      if (s.getValueCount() != types) {
        throw invalid(
            "sample["
                + i
                + "] has "
                + s.getValueCount()
                + " values but the profile has "
                + types
                + " sample types");
      }
      int[] leafFirst = new int[s.getLocationIdCount()];
      for (int j = 0; j < leafFirst.length; j++) {
        Integer loc = locations.get(s.getLocationId(j));
        if (loc == null) {
          throw invalid(
              "sample["
                  + i
                  + "].location_id["
                  + j
                  + "]="
                  + s.getLocationId(j)
                  + " has no location");
        }
        leafFirst[j] = loc;
      }
      stackOf[i] = dict.stack(leafFirst);
      labels(s, i, linkOf, attrsOf);
    }

    long time = p.getTimeNanos() > 0 ? p.getTimeNanos() : fromNanos;
    long duration =
        p.getDurationNanos() > 0 ? p.getDurationNanos() : Math.max(0, untilNanos - fromNanos);
    ScopeProfiles.Builder scope =
        ScopeProfiles.newBuilder().setScope(InstrumentationScope.newBuilder().setName(SCOPE));
    for (int t = 0; t < types; t++) {
      if (hasCpuTime
          && periodType.equals("cpu")
          && typeNames[t].equals("samples")
          && units[t].equals("count")) {
        continue;
      }
      Profile.Builder profile =
          Profile.newBuilder()
              .setSampleType(valueType(typeNames[t], units[t]))
              .setPeriodType(valueType(periodType, periodUnit))
              .setPeriod(p.getPeriod())
              .setTimeUnixNano(time)
              .setDurationNano(duration);
      for (int i = 0; i < p.getSampleCount(); i++) {
        long v = p.getSample(i).getValue(t);
        if (v == 0) {
          continue;
        }
        Sample.Builder s =
            Sample.newBuilder().setStackIndex(stackOf[i]).setLinkIndex(linkOf[i]).addValues(v);
        for (int a : attrsOf[i]) {
          s.addAttributeIndices(a);
        }
        profile.addSamples(s);
      }
      if (profile.getSamplesCount() > 0) {
        scope.addProfiles(profile);
      }
    }
    Resource.Builder resource = Resource.newBuilder().addAttributes(kv("service.name", name.app()));
    name.labels().forEach((k, v) -> resource.addAttributes(kv(k, v)));
    if (spyName != null && !spyName.isEmpty()) {
      resource.addAttributes(kv("pyroscope.spy", spyName));
    }
    return ExportProfilesServiceRequest.newBuilder()
        .addResourceProfiles(
            ResourceProfiles.newBuilder().setResource(resource).addScopeProfiles(scope))
        .setDictionary(dict.build())
        .build();
  }

  private ValueType valueType(String type, String unit) {
    return ValueType.newBuilder()
        .setTypeStrindex(dict.string(type))
        .setUnitStrindex(dict.string(unit))
        .build();
  }

  private static KeyValue kv(String k, String v) {
    return KeyValue.newBuilder()
        .setKey(k)
        .setValue(AnyValue.newBuilder().setStringValue(v))
        .build();
  }

  /** Checks and indexes functions, mappings and locations by their pprof ids. */
  private void index() {
    for (int i = 0; i < p.getFunctionCount(); i++) {
      PprofFunction f = p.getFunction(i);
      if (f.getId() == 0 || functionsById.putIfAbsent(f.getId(), f) != null) {
        throw invalid("function[" + i + "].id=" + f.getId() + " is zero or repeated");
      }
    }
    for (int i = 0; i < p.getMappingCount(); i++) {
      PprofMapping m = p.getMapping(i);
      if (m.getId() == 0 || mappingsById.putIfAbsent(m.getId(), m) != null) {
        throw invalid("mapping[" + i + "].id=" + m.getId() + " is zero or repeated");
      }
    }
    for (int i = 0; i < p.getLocationCount(); i++) {
      PprofLocation l = p.getLocation(i);
      if (l.getId() == 0 || locationsById.putIfAbsent(l.getId(), l) != null) {
        throw invalid("location[" + i + "].id=" + l.getId() + " is zero or repeated");
      }
    }
    for (int i = 0; i < p.getLocationCount(); i++) {
      PprofLocation l = p.getLocation(i);
      Location.Builder loc = Location.newBuilder().setAddress(l.getAddress());
      if (l.getMappingId() != 0) {
        loc.setMappingIndex(mapping(l.getMappingId(), "location[" + i + "].mapping_id"));
      }
      for (int j = 0; j < l.getLineCount(); j++) {
        PprofLine line = l.getLine(j);
        loc.addLines(
            Line.newBuilder()
                .setFunctionIndex(
                    function(line.getFunctionId(), "location[" + i + "].line[" + j + "]"))
                .setLine(line.getLine())
                .setColumn(line.getColumn()));
      }
      locations.put(l.getId(), dict.location(loc.build()));
    }
  }

  private int function(long id, String at) {
    Integer known = functions.get(id);
    if (known != null) {
      return known;
    }
    PprofFunction f = functionsById.get(id);
    if (f == null) {
      throw invalid(at + ".function_id=" + id + " has no function");
    }
    String fat = "function id " + id;
    int index =
        dict.function(
            str(f.getNameStr(), fat + " name_str"),
            str(f.getSystemNameStr(), fat + " system_name_str"),
            str(f.getFilenameStr(), fat + " filename_str"),
            f.getStartLine());
    functions.put(id, index);
    return index;
  }

  private int mapping(long id, String at) {
    Integer known = mappings.get(id);
    if (known != null) {
      return known;
    }
    PprofMapping m = mappingsById.get(id);
    if (m == null) {
      throw invalid(at + "=" + id + " has no mapping");
    }
    if (Long.compareUnsigned(m.getMemoryStart(), m.getMemoryLimit()) > 0) {
      throw invalid(
          "mapping id "
              + id
              + " has memory_start "
              + Long.toUnsignedString(m.getMemoryStart())
              + " above memory_limit "
              + Long.toUnsignedString(m.getMemoryLimit()));
    }
    int index =
        dict.mapping(
            Mapping.newBuilder()
                .setMemoryStart(m.getMemoryStart())
                .setMemoryLimit(m.getMemoryLimit())
                .setFileOffset(m.getFileOffset())
                .setFilenameStrindex(
                    dict.string(str(m.getFilenameStr(), "mapping id " + id + " filename_str")))
                .build());
    mappings.put(id, index);
    return index;
  }

  /** A sample's labels: its link (span and trace id) and its attributes. */
  private void labels(PprofSample s, int i, int[] linkOf, int[][] attrsOf) {
    byte[] trace = null;
    byte[] span = null;
    List<Integer> attrs = new ArrayList<>();
    for (int j = 0; j < s.getLabelCount(); j++) {
      PprofLabel l = s.getLabel(j);
      String at = "sample[" + i + "].label[" + j + "]";
      String key = str(l.getKeyStr(), at + ".key_str");
      if (l.getStrStr() != 0) {
        String value = str(l.getStrStr(), at + ".str_str");
        if ((key.equals("span_id") || key.equals("profile_id")) && isHex(value, 16)) {
          span = HexFormat.of().parseHex(value);
          continue;
        }
        if (key.equals("trace_id") && isHex(value, 32)) {
          trace = HexFormat.of().parseHex(value);
          continue;
        }
        attrs.add(dict.stringAttribute(key, value));
      } else {
        attrs.add(dict.intAttribute(key, l.getNum(), str(l.getNumUnitStr(), at + ".num_unit_str")));
      }
    }
    if (span != null || trace != null) {
      linkOf[i] =
          dict.link(trace == null ? new byte[16] : trace, span == null ? new byte[8] : span);
    }
    // One value per key: a pprof sample may repeat a key, an OTLP attribute list may not.
    Map<Integer, Integer> byKey = new HashMap<>();
    int[] out = attrs.stream().mapToInt(Integer::intValue).distinct().toArray();
    int n = 0;
    for (int a : out) {
      int key = dict.keyOf(a);
      if (byKey.putIfAbsent(key, a) == null) {
        out[n++] = a;
      }
    }
    attrsOf[i] = java.util.Arrays.copyOf(out, n);
  }

  private static boolean isHex(String s, int length) {
    if (s.length() != length) {
      return false;
    }
    for (int i = 0; i < s.length(); i++) {
      if (Character.digit(s.charAt(i), 16) < 0) {
        return false;
      }
    }
    return true;
  }
}
