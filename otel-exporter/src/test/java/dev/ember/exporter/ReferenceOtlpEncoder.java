package dev.ember.exporter;

import com.google.protobuf.ByteString;
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
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The encoder as it was before {@link OtlpEncoder} wrote the bytes itself: it builds the generated
 * OTLP message objects. Kept as the oracle that {@code OtlpEncoderOracleTest} compares the direct
 * writer with, and as the "before" of {@code EncodeBenchmark}. Not thread-safe; one per window.
 */
final class ReferenceOtlpEncoder {
  static final String SCOPE_NAME = OtlpEncoder.SCOPE_NAME;
  static final String THREAD_NAME = OtlpEncoder.THREAD_NAME;
  static final String SPAN_NAME = OtlpEncoder.SPAN_NAME;

  private final Map<String, String> resourceAttributes;
  private final String scopeVersion;

  private final ProfilesDictionary.Builder dict = ProfilesDictionary.newBuilder();
  private final Map<String, Integer> strings = new HashMap<>();
  private final Map<List<Object>, Integer> functions = new HashMap<>();
  private final Map<Long, Integer> locations = new HashMap<>();
  private final Map<IntArray, Integer> stacks = new HashMap<>();
  private final Map<Long, Integer> attributes = new HashMap<>();

  /**
   * Per window frame id, its location index (0: not yet known); and per stack array, its stack
   * index. The aggregator hands out one array per distinct stack, so samples of one stack (many
   * keys: one per span) resolve it once.
   */
  private int[] locationOfFrame = new int[0];

  private final Map<int[], Integer> stackOfArray = new java.util.IdentityHashMap<>();
  private final Map<SpanIds, Integer> links = new HashMap<>();
  private int frameTypeAttribute;

  ReferenceOtlpEncoder(Map<String, String> resourceAttributes, String scopeVersion) {
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
            .setTraceId(ByteString.copyFrom(new byte[16]))
            .setSpanId(ByteString.copyFrom(new byte[8])));
    dict.addAttributeTable(KeyValueAndUnit.getDefaultInstance());
    dict.addStackTable(Stack.getDefaultInstance());
    frameTypeAttribute = attribute("profile.frame.type", "jvm");

    Map<SampleKind, Profile.Builder> profiles = new EnumMap<>(SampleKind.class);
    long duration = window.endEpochNanos() - window.startEpochNanos();
    List<Integer> attrs = new ArrayList<>(4);
    for (Map.Entry<WindowAggregator.Key, long[]> e : window.sums().entrySet()) {
      WindowAggregator.Key key = e.getKey();
      attrs.clear();
      if (!key.threadName().isEmpty()) {
        attrs.add(attribute(THREAD_NAME, key.threadName()));
      }
      if (key.spanName() != null && !key.spanName().isEmpty()) {
        attrs.add(attribute(SPAN_NAME, key.spanName()));
      }
      if (!key.labels().isEmpty()) {
        for (Map.Entry<String, String> l : EmberLabels.decode(key.labels()).entrySet()) {
          attrs.add(attribute(l.getKey(), l.getValue()));
        }
      }
      int stack = stack(key.stack(), window);
      int link = link(key.link());
      List<SampleKind> kinds = key.type().kinds;
      for (int i = 0; i < kinds.size(); i++) {
        SampleKind kind = kinds.get(i);
        Profile.Builder profile =
            profiles.computeIfAbsent(
                kind,
                k ->
                    Profile.newBuilder()
                        .setSampleType(valueType(k.sampleType, k.sampleUnit))
                        .setPeriodType(valueType(k.periodType, k.periodUnit))
                        .setPeriod(window.period(k))
                        .setTimeUnixNano(window.startEpochNanos())
                        .setDurationNano(duration));
        profile.addSamples(
            Sample.newBuilder()
                .setStackIndex(stack)
                .addAllAttributeIndices(attrs)
                .setLinkIndex(link)
                .addValues(e.getValue()[i]));
      }
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

  /** Interns a link; 0 (the zero link) for samples outside any sampled span. */
  private int link(SpanIds ids) {
    if (ids.isNone()) {
      return 0;
    }
    SpanIds key = new SpanIds(ids.traceIdHigh(), ids.traceIdLow(), ids.spanId(), 0);
    Integer id = links.get(key);
    if (id == null) {
      id = dict.getLinkTableCount();
      dict.addLinkTable(
          Link.newBuilder()
              .setTraceId(
                  ByteString.copyFrom(
                      ByteBuffer.allocate(16)
                          .putLong(ids.traceIdHigh())
                          .putLong(ids.traceIdLow())
                          .array()))
              .setSpanId(
                  ByteString.copyFrom(ByteBuffer.allocate(8).putLong(ids.spanId()).array())));
      links.put(key, id);
    }
    return id;
  }

  private int stack(int[] frameIds, WindowAggregator window) {
    Integer known = stackOfArray.get(frameIds);
    if (known != null) {
      return known;
    }
    int[] locs = new int[frameIds.length];
    for (int i = 0; i < frameIds.length; i++) {
      int frameId = frameIds[i];
      if (frameId >= locationOfFrame.length) {
        locationOfFrame =
            Arrays.copyOf(locationOfFrame, Math.max(frameId + 1, locationOfFrame.length * 2));
      }
      int loc = locationOfFrame[frameId];
      if (loc == 0) {
        loc = location(window.frame(frameId));
        locationOfFrame[frameId] = loc;
      }
      locs[i] = loc;
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
    stackOfArray.put(frameIds, id);
    return id;
  }
}
