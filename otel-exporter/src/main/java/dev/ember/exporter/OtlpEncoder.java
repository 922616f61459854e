package dev.ember.exporter;

import io.opentelemetry.proto.collector.profiles.v1development.ExportProfilesServiceRequest;
import io.opentelemetry.proto.common.v1.AnyValue;
import io.opentelemetry.proto.common.v1.InstrumentationScope;
import io.opentelemetry.proto.common.v1.KeyValue;
import io.opentelemetry.proto.profiles.v1development.Function;
import io.opentelemetry.proto.profiles.v1development.KeyValueAndUnit;
import io.opentelemetry.proto.profiles.v1development.Line;
import io.opentelemetry.proto.profiles.v1development.Link;
import io.opentelemetry.proto.profiles.v1development.Location;
import io.opentelemetry.proto.profiles.v1development.Mapping;
import io.opentelemetry.proto.profiles.v1development.Profile;
import io.opentelemetry.proto.profiles.v1development.ProfilesDictionary;
import io.opentelemetry.proto.profiles.v1development.ResourceProfiles;
import io.opentelemetry.proto.profiles.v1development.Sample;
import io.opentelemetry.proto.profiles.v1development.ScopeProfiles;
import io.opentelemetry.proto.profiles.v1development.Stack;
import io.opentelemetry.proto.profiles.v1development.ValueType;
import io.opentelemetry.proto.resource.v1.Resource;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Turns one export window into one OTLP {@code ExportProfilesServiceRequest}: one {@code Profile}
 * per sample kind, all sharing one dictionary in which every table starts with its zero value, so
 * that index 0 means "not set" (the OTLP rule). Not thread-safe; one encoder per window.
 */
final class OtlpEncoder {
  static final String SCOPE_NAME = "dev.ember.exporter";

  private final Map<String, String> resourceAttributes;
  private final String scopeVersion;

  private final ProfilesDictionary.Builder dict = ProfilesDictionary.newBuilder();
  private final Map<String, Integer> strings = new HashMap<>();
  private final Map<List<Object>, Integer> functions = new HashMap<>();
  private final Map<Long, Integer> locations = new HashMap<>();
  private final Map<IntArray, Integer> stacks = new HashMap<>();
  private final Map<Long, Integer> attributes = new HashMap<>();
  private int frameTypeAttribute;

  OtlpEncoder(Map<String, String> resourceAttributes, String scopeVersion) {
    this.resourceAttributes = resourceAttributes;
    this.scopeVersion = scopeVersion;
  }

  /** Wraps an int[] as a map key with value equality. */
  private record IntArray(int[] a) {
    @Override
    public boolean equals(Object o) {
      return o instanceof IntArray other && Arrays.equals(a, other.a);
    }

    @Override
    public int hashCode() {
      return Arrays.hashCode(a);
    }
  }

  ExportProfilesServiceRequest encode(WindowAggregator window) {
    // Index 0 of every table is its zero value.
    dict.addStringTable("");
    strings.put("", 0);
    dict.addMappingTable(Mapping.getDefaultInstance());
    dict.addLocationTable(Location.getDefaultInstance());
    dict.addFunctionTable(Function.getDefaultInstance());
    dict.addLinkTable(
        Link.newBuilder()
            .setTraceId(com.google.protobuf.ByteString.copyFrom(new byte[16]))
            .setSpanId(com.google.protobuf.ByteString.copyFrom(new byte[8])));
    dict.addAttributeTable(KeyValueAndUnit.getDefaultInstance());
    dict.addStackTable(Stack.getDefaultInstance());
    frameTypeAttribute = attribute("profile.frame.type", "jvm");

    Map<SampleKind, Profile.Builder> profiles = new EnumMap<>(SampleKind.class);
    long duration = window.endEpochNanos() - window.startEpochNanos();
    for (Map.Entry<WindowAggregator.Key, long[]> e : window.sums().entrySet()) {
      WindowAggregator.Key key = e.getKey();
      Profile.Builder profile =
          profiles.computeIfAbsent(
              key.kind(),
              kind ->
                  Profile.newBuilder()
                      .setSampleType(valueType(kind.sampleType, kind.sampleUnit))
                      .setPeriodType(valueType(kind.periodType, kind.periodUnit))
                      .setPeriod(window.period(kind))
                      .setTimeUnixNano(window.startEpochNanos())
                      .setDurationNano(duration));
      Sample.Builder sample =
          Sample.newBuilder().setStackIndex(stack(key.stack(), window)).addValues(e.getValue()[0]);
      if (!key.threadName().isEmpty()) {
        sample.addAttributeIndices(attribute("thread.name", key.threadName()));
      }
      profile.addSamples(sample);
    }

    ScopeProfiles.Builder scope =
        ScopeProfiles.newBuilder()
            .setScope(
                InstrumentationScope.newBuilder().setName(SCOPE_NAME).setVersion(scopeVersion));
    for (Profile.Builder p : profiles.values()) {
      scope.addProfiles(p);
    }
    Resource.Builder resource = Resource.newBuilder();
    resourceAttributes.forEach(
        (k, v) ->
            resource.addAttributes(
                KeyValue.newBuilder().setKey(k).setValue(AnyValue.newBuilder().setStringValue(v))));
    return ExportProfilesServiceRequest.newBuilder()
        .addResourceProfiles(
            ResourceProfiles.newBuilder().setResource(resource).addScopeProfiles(scope))
        .setDictionary(dict)
        .build();
  }

  private ValueType valueType(String type, String unit) {
    return ValueType.newBuilder()
        .setTypeStrindex(string(type))
        .setUnitStrindex(string(unit))
        .build();
  }

  private int string(String s) {
    Integer id = strings.get(s);
    if (id == null) {
      id = dict.getStringTableCount();
      dict.addStringTable(s);
      strings.put(s, id);
    }
    return id;
  }

  private int attribute(String key, String value) {
    int k = string(key);
    int v = string(value);
    long packed = ((long) k << 32) | v;
    Integer id = attributes.get(packed);
    if (id == null) {
      id = dict.getAttributeTableCount();
      dict.addAttributeTable(
          KeyValueAndUnit.newBuilder()
              .setKeyStrindex(k)
              .setValue(AnyValue.newBuilder().setStringValue(value)));
      attributes.put(packed, id);
    }
    return id;
  }

  private int function(Frame f) {
    List<Object> key = List.of(f.name(), f.systemName(), f.fileName());
    Integer id = functions.get(key);
    if (id == null) {
      id = dict.getFunctionTableCount();
      dict.addFunctionTable(
          Function.newBuilder()
              .setNameStrindex(string(f.name()))
              .setSystemNameStrindex(string(f.systemName()))
              .setFilenameStrindex(string(f.fileName())));
      functions.put(key, id);
    }
    return id;
  }

  private int location(Frame f) {
    int function = function(f);
    long key = ((long) function << 32) | (f.line() & 0xffffffffL);
    Integer id = locations.get(key);
    if (id == null) {
      id = dict.getLocationTableCount();
      dict.addLocationTable(
          Location.newBuilder()
              .addLines(Line.newBuilder().setFunctionIndex(function).setLine(f.line()))
              .addAttributeIndices(frameTypeAttribute));
      locations.put(key, id);
    }
    return id;
  }

  private int stack(int[] frameIds, WindowAggregator window) {
    int[] locs = new int[frameIds.length];
    for (int i = 0; i < frameIds.length; i++) {
      locs[i] = location(window.frame(frameIds[i]));
    }
    IntArray key = new IntArray(locs);
    Integer id = stacks.get(key);
    if (id == null) {
      id = dict.getStackTableCount();
      Stack.Builder s = Stack.newBuilder();
      for (int l : locs) {
        s.addLocationIndices(l);
      }
      dict.addStackTable(s);
      stacks.put(key, id);
    }
    return id;
  }
}
