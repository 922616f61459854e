package dev.ember.backend;

import com.google.protobuf.ByteString;
import io.opentelemetry.proto.common.v1.AnyValue;
import io.opentelemetry.proto.profiles.v1development.Function;
import io.opentelemetry.proto.profiles.v1development.KeyValueAndUnit;
import io.opentelemetry.proto.profiles.v1development.Link;
import io.opentelemetry.proto.profiles.v1development.Location;
import io.opentelemetry.proto.profiles.v1development.Mapping;
import io.opentelemetry.proto.profiles.v1development.ProfilesDictionary;
import io.opentelemetry.proto.profiles.v1development.Stack;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Builds the one shared {@link ProfilesDictionary} of a request that a converter (pprof, folded
 * text) produces, interning every entry and keeping each table's zero value at index 0, as OTLP
 * requires. Not thread-safe: one per conversion.
 */
final class OtlpDictionaryBuilder {
  private final ProfilesDictionary.Builder dict = ProfilesDictionary.newBuilder();
  private final Map<String, Integer> strings = new HashMap<>();
  private final Map<List<Object>, Integer> functions = new HashMap<>();
  private final Map<IntArray, Integer> stacks = new HashMap<>();
  private final Map<List<Object>, Integer> attributes = new HashMap<>();
  private final Map<ByteString, Integer> links = new HashMap<>();

  OtlpDictionaryBuilder() {
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

  /** An int[] with value equality, as a map key. */
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

  int string(String s) {
    Integer id = strings.get(s);
    if (id == null) {
      id = dict.getStringTableCount();
      dict.addStringTable(s);
      strings.put(s, id);
    }
    return id;
  }

  int function(String name, String systemName, String filename, long startLine) {
    List<Object> key = List.of(name, systemName, filename, startLine);
    Integer id = functions.get(key);
    if (id == null) {
      id = dict.getFunctionTableCount();
      dict.addFunctionTable(
          Function.newBuilder()
              .setNameStrindex(string(name))
              .setSystemNameStrindex(string(systemName))
              .setFilenameStrindex(string(filename))
              .setStartLine(startLine));
      functions.put(key, id);
    }
    return id;
  }

  /** Adds a mapping (not interned: the converter maps its own ids once). */
  int mapping(Mapping m) {
    dict.addMappingTable(m);
    return dict.getMappingTableCount() - 1;
  }

  /** Adds a location (not interned: the converter maps its own ids once). */
  int location(Location l) {
    dict.addLocationTable(l);
    return dict.getLocationTableCount() - 1;
  }

  /** Interns a stack of location indices, leaf first. */
  int stack(int[] leafFirst) {
    if (leafFirst.length == 0) {
      return 0;
    }
    IntArray key = new IntArray(leafFirst);
    Integer id = stacks.get(key);
    if (id == null) {
      id = dict.getStackTableCount();
      Stack.Builder s = Stack.newBuilder();
      for (int loc : leafFirst) {
        s.addLocationIndices(loc);
      }
      dict.addStackTable(s);
      stacks.put(key, id);
    }
    return id;
  }

  int stringAttribute(String key, String value) {
    return attribute(key, AnyValue.newBuilder().setStringValue(value).build(), "");
  }

  int intAttribute(String key, long value, String unit) {
    return attribute(key, AnyValue.newBuilder().setIntValue(value).build(), unit);
  }

  private int attribute(String key, AnyValue value, String unit) {
    List<Object> k = List.of(key, value, unit);
    Integer id = attributes.get(k);
    if (id == null) {
      id = dict.getAttributeTableCount();
      dict.addAttributeTable(
          KeyValueAndUnit.newBuilder()
              .setKeyStrindex(string(key))
              .setValue(value)
              .setUnitStrindex(string(unit)));
      attributes.put(k, id);
    }
    return id;
  }

  /** The key string index of an attribute table entry. */
  int keyOf(int attribute) {
    return dict.getAttributeTable(attribute).getKeyStrindex();
  }

  /** Interns a link of a 16-byte trace id and an 8-byte span id. */
  int link(byte[] traceId, byte[] spanId) {
    ByteString key = ByteString.copyFrom(traceId).concat(ByteString.copyFrom(spanId));
    Integer id = links.get(key);
    if (id == null) {
      id = dict.getLinkTableCount();
      dict.addLinkTable(
          Link.newBuilder()
              .setTraceId(ByteString.copyFrom(traceId))
              .setSpanId(ByteString.copyFrom(spanId)));
      links.put(key, id);
    }
    return id;
  }

  ProfilesDictionary build() {
    return dict.build();
  }
}
