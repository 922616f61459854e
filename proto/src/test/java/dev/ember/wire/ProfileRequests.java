package dev.ember.wire;

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
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Test fixture: builds valid OTLP profile requests from readable stacks (root first), with one
 * shared dictionary whose tables start with their zero values. Shared with other modules' tests
 * through this module's test jar.
 */
public final class ProfileRequests {
  private ProfileRequests() {}

  public static Builder request() {
    return new Builder();
  }

  /** CPU in nanoseconds, as the Ember exporter sends it. */
  public static final String[] CPU = {"cpu", "nanoseconds", "cpu", "nanoseconds"};

  public static final class Builder {
    private final ProfilesDictionary.Builder dict = ProfilesDictionary.newBuilder();
    private final Map<String, Integer> strings = new HashMap<>();
    private final Map<String, Integer> functions = new HashMap<>();
    private final Map<String, Integer> locations = new HashMap<>();
    private final Map<List<Integer>, Integer> stacks = new HashMap<>();
    private final Map<String, Integer> attributes = new HashMap<>();
    private final Map<String, Integer> links = new HashMap<>();
    private final List<ResourceProfiles.Builder> resources = new ArrayList<>();
    private Profile.Builder profile;

    Builder() {
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
    }

    /** Starts a new resource with plain string attributes, e.g. service.name. */
    public Builder resource(Map<String, String> attributes) {
      flushProfile();
      Resource.Builder r = Resource.newBuilder();
      attributes.forEach(
          (k, v) ->
              r.addAttributes(
                  KeyValue.newBuilder()
                      .setKey(k)
                      .setValue(AnyValue.newBuilder().setStringValue(v))));
      resources.add(
          ResourceProfiles.newBuilder()
              .setResource(r)
              .addScopeProfiles(
                  ScopeProfiles.newBuilder()
                      .setScope(InstrumentationScope.newBuilder().setName("test"))));
      profile = null;
      return this;
    }

    public Builder service(String name) {
      return resource(Map.of("service.name", name));
    }

    /** Starts a profile of the given types in the current resource. */
    public Builder profile(String[] types, long period, long timeNanos, long durationNanos) {
      if (resources.isEmpty()) {
        service("test-service");
      }
      flushProfile();
      profile =
          Profile.newBuilder()
              .setSampleType(valueType(types[0], types[1]))
              .setPeriodType(valueType(types[2], types[3]))
              .setPeriod(period)
              .setTimeUnixNano(timeNanos)
              .setDurationNano(durationNanos);
      return this;
    }

    public Builder cpuProfile(long timeNanos) {
      return profile(CPU, 10_000_000L, timeNanos, 10_000_000_000L);
    }

    /** Adds a sample; frames are given root first. */
    public Builder sample(long value, String... rootFirst) {
      return sample(value, null, null, Map.of(), rootFirst);
    }

    /** Adds a sample with a span link (16 + 8 bytes, or nulls) and sample attributes. */
    public Builder sample(
        long value, byte[] traceId, byte[] spanId, Map<String, String> attrs, String... rootFirst) {
      Sample.Builder s = Sample.newBuilder().setStackIndex(stack(rootFirst)).addValues(value);
      if (traceId != null) {
        s.setLinkIndex(link(traceId, spanId));
      }
      attrs.forEach((k, v) -> s.addAttributeIndices(attribute(k, v)));
      profile.addSamples(s);
      return this;
    }

    /** Direct access for tests that need to break the rules. */
    public ProfilesDictionary.Builder dictionary() {
      return dict;
    }

    public ExportProfilesServiceRequest build() {
      flushProfile();
      ExportProfilesServiceRequest.Builder r = ExportProfilesServiceRequest.newBuilder();
      for (ResourceProfiles.Builder rp : resources) {
        r.addResourceProfiles(rp);
      }
      return r.setDictionary(dict).build();
    }

    private void flushProfile() {
      if (profile != null) {
        resources.get(resources.size() - 1).getScopeProfilesBuilder(0).addProfiles(profile);
        profile = null;
      }
    }

    private ValueType valueType(String type, String unit) {
      return ValueType.newBuilder()
          .setTypeStrindex(string(type))
          .setUnitStrindex(string(unit))
          .build();
    }

    public int string(String s) {
      return strings.computeIfAbsent(
          s,
          k -> {
            dict.addStringTable(k);
            return dict.getStringTableCount() - 1;
          });
    }

    private int location(String frame) {
      return locations.computeIfAbsent(
          frame,
          f -> {
            int fn =
                functions.computeIfAbsent(
                    f,
                    name -> {
                      dict.addFunctionTable(
                          Function.newBuilder()
                              .setNameStrindex(string(name))
                              .setFilenameStrindex(string(fileOf(name))));
                      return dict.getFunctionTableCount() - 1;
                    });
            dict.addLocationTable(
                Location.newBuilder().addLines(Line.newBuilder().setFunctionIndex(fn).setLine(1)));
            return dict.getLocationTableCount() - 1;
          });
    }

    private static String fileOf(String name) {
      int dot = name.lastIndexOf('.');
      return (dot > 0 ? name.substring(0, dot) : name) + ".java";
    }

    private int stack(String[] rootFirst) {
      List<Integer> leafFirst = new ArrayList<>();
      for (int i = rootFirst.length - 1; i >= 0; i--) {
        leafFirst.add(location(rootFirst[i]));
      }
      return stacks.computeIfAbsent(
          leafFirst,
          locs -> {
            dict.addStackTable(Stack.newBuilder().addAllLocationIndices(locs));
            return dict.getStackTableCount() - 1;
          });
    }

    private int attribute(String key, String value) {
      return attributes.computeIfAbsent(
          key + "\u0000" + value,
          k -> {
            dict.addAttributeTable(
                KeyValueAndUnit.newBuilder()
                    .setKeyStrindex(string(key))
                    .setValue(AnyValue.newBuilder().setStringValue(value)));
            return dict.getAttributeTableCount() - 1;
          });
    }

    private int link(byte[] traceId, byte[] spanId) {
      String key =
          java.util.HexFormat.of().formatHex(traceId) + java.util.HexFormat.of().formatHex(spanId);
      return links.computeIfAbsent(
          key,
          k -> {
            dict.addLinkTable(
                Link.newBuilder()
                    .setTraceId(ByteString.copyFrom(traceId))
                    .setSpanId(ByteString.copyFrom(spanId)));
            return dict.getLinkTableCount() - 1;
          });
    }
  }
}
