package dev.ember.exporter;

import com.google.protobuf.CodedOutputStream;
import com.google.protobuf.WireFormat;
import io.opentelemetry.proto.collector.profiles.v1development.ExportProfilesServiceRequest;
import io.opentelemetry.proto.common.v1.AnyValue;
import io.opentelemetry.proto.common.v1.InstrumentationScope;
import io.opentelemetry.proto.common.v1.KeyValue;
import io.opentelemetry.proto.profiles.v1development.Function;
import io.opentelemetry.proto.profiles.v1development.KeyValueAndUnit;
import io.opentelemetry.proto.profiles.v1development.Line;
import io.opentelemetry.proto.profiles.v1development.Link;
import io.opentelemetry.proto.profiles.v1development.Location;
import io.opentelemetry.proto.profiles.v1development.Profile;
import io.opentelemetry.proto.profiles.v1development.ProfilesDictionary;
import io.opentelemetry.proto.profiles.v1development.ResourceProfiles;
import io.opentelemetry.proto.profiles.v1development.Sample;
import io.opentelemetry.proto.profiles.v1development.ScopeProfiles;
import io.opentelemetry.proto.profiles.v1development.Stack;
import io.opentelemetry.proto.profiles.v1development.ValueType;
import io.opentelemetry.proto.resource.v1.Resource;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;

/**
 * Turns one export window into the bytes of one OTLP {@code ExportProfilesServiceRequest}
 * (opentelemetry-proto 1.11, {@code profiles/v1development}): one {@code Profile} per sample kind,
 * all sharing one dictionary in which every table starts with its zero value, so that index 0 means
 * "not set" (the OTLP rule). Not thread-safe; one encoder per window.
 *
 * <p>It writes the protobuf bytes itself with {@link CodedOutputStream} instead of building the
 * generated message objects and serializing them: two passes over plain arrays (intern, then size
 * and write into one exactly sized array). It writes what the generated code would for the same
 * message: fields in field-number order, repeated scalars packed, proto3 default values left out,
 * message and oneof fields that are set always written. {@code OtlpEncoderOracleTest} holds it to
 * the generated classes' output on random windows.
 */
final class OtlpEncoder {
  static final String SCOPE_NAME = "dev.ember.exporter";
  static final String THREAD_NAME = "thread.name";
  static final String SPAN_NAME = "span.name";

  // Field numbers: the generated classes' constants (javac inlines them; no class is loaded).
  private static final int REQUEST_RESOURCE_PROFILES =
      ExportProfilesServiceRequest.RESOURCE_PROFILES_FIELD_NUMBER;
  private static final int REQUEST_DICTIONARY =
      ExportProfilesServiceRequest.DICTIONARY_FIELD_NUMBER;
  private static final int RESOURCE_PROFILES_RESOURCE = ResourceProfiles.RESOURCE_FIELD_NUMBER;
  private static final int RESOURCE_PROFILES_SCOPE_PROFILES =
      ResourceProfiles.SCOPE_PROFILES_FIELD_NUMBER;
  private static final int RESOURCE_ATTRIBUTES = Resource.ATTRIBUTES_FIELD_NUMBER;
  private static final int KEY_VALUE_KEY = KeyValue.KEY_FIELD_NUMBER;
  private static final int KEY_VALUE_VALUE = KeyValue.VALUE_FIELD_NUMBER;
  private static final int ANY_VALUE_STRING = AnyValue.STRING_VALUE_FIELD_NUMBER;
  private static final int SCOPE_PROFILES_SCOPE = ScopeProfiles.SCOPE_FIELD_NUMBER;
  private static final int SCOPE_PROFILES_PROFILES = ScopeProfiles.PROFILES_FIELD_NUMBER;
  private static final int SCOPE_NAME_FIELD = InstrumentationScope.NAME_FIELD_NUMBER;
  private static final int SCOPE_VERSION_FIELD = InstrumentationScope.VERSION_FIELD_NUMBER;
  private static final int PROFILE_SAMPLE_TYPE = Profile.SAMPLE_TYPE_FIELD_NUMBER;
  private static final int PROFILE_SAMPLES = Profile.SAMPLES_FIELD_NUMBER;
  private static final int PROFILE_TIME_UNIX_NANO = Profile.TIME_UNIX_NANO_FIELD_NUMBER;
  private static final int PROFILE_DURATION_NANO = Profile.DURATION_NANO_FIELD_NUMBER;
  private static final int PROFILE_PERIOD_TYPE = Profile.PERIOD_TYPE_FIELD_NUMBER;
  private static final int PROFILE_PERIOD = Profile.PERIOD_FIELD_NUMBER;
  private static final int VALUE_TYPE_TYPE = ValueType.TYPE_STRINDEX_FIELD_NUMBER;
  private static final int VALUE_TYPE_UNIT = ValueType.UNIT_STRINDEX_FIELD_NUMBER;
  private static final int SAMPLE_STACK_INDEX = Sample.STACK_INDEX_FIELD_NUMBER;
  private static final int SAMPLE_ATTRIBUTE_INDICES = Sample.ATTRIBUTE_INDICES_FIELD_NUMBER;
  private static final int SAMPLE_LINK_INDEX = Sample.LINK_INDEX_FIELD_NUMBER;
  private static final int SAMPLE_VALUES = Sample.VALUES_FIELD_NUMBER;
  private static final int DICT_MAPPING_TABLE = ProfilesDictionary.MAPPING_TABLE_FIELD_NUMBER;
  private static final int DICT_LOCATION_TABLE = ProfilesDictionary.LOCATION_TABLE_FIELD_NUMBER;
  private static final int DICT_FUNCTION_TABLE = ProfilesDictionary.FUNCTION_TABLE_FIELD_NUMBER;
  private static final int DICT_LINK_TABLE = ProfilesDictionary.LINK_TABLE_FIELD_NUMBER;
  private static final int DICT_STRING_TABLE = ProfilesDictionary.STRING_TABLE_FIELD_NUMBER;
  private static final int DICT_ATTRIBUTE_TABLE = ProfilesDictionary.ATTRIBUTE_TABLE_FIELD_NUMBER;
  private static final int DICT_STACK_TABLE = ProfilesDictionary.STACK_TABLE_FIELD_NUMBER;
  private static final int LOCATION_LINES = Location.LINES_FIELD_NUMBER;
  private static final int LOCATION_ATTRIBUTE_INDICES = Location.ATTRIBUTE_INDICES_FIELD_NUMBER;
  private static final int LINE_FUNCTION_INDEX = Line.FUNCTION_INDEX_FIELD_NUMBER;
  private static final int LINE_LINE = Line.LINE_FIELD_NUMBER;
  private static final int FUNCTION_NAME = Function.NAME_STRINDEX_FIELD_NUMBER;
  private static final int FUNCTION_SYSTEM_NAME = Function.SYSTEM_NAME_STRINDEX_FIELD_NUMBER;
  private static final int FUNCTION_FILENAME = Function.FILENAME_STRINDEX_FIELD_NUMBER;
  private static final int LINK_TRACE_ID = Link.TRACE_ID_FIELD_NUMBER;
  private static final int LINK_SPAN_ID = Link.SPAN_ID_FIELD_NUMBER;
  private static final int KEY_VALUE_AND_UNIT_KEY = KeyValueAndUnit.KEY_STRINDEX_FIELD_NUMBER;
  private static final int KEY_VALUE_AND_UNIT_VALUE = KeyValueAndUnit.VALUE_FIELD_NUMBER;
  private static final int STACK_LOCATION_INDICES = Stack.LOCATION_INDICES_FIELD_NUMBER;

  private static final int TRACE_ID_BYTES = 16;
  private static final int SPAN_ID_BYTES = 8;

  private final Map<String, String> resourceAttributes;
  private final String scopeVersion;

  // The dictionary, as parallel arrays; index 0 of every table is its zero value.
  private final List<String> stringTable = new ArrayList<>();
  private final Map<String, Integer> strings = new HashMap<>();
  private final IntList attributeKeys = new IntList();
  private final List<String> attributeValues = new ArrayList<>();
  private final Map<Long, Integer> attributes = new HashMap<>();
  private final IntList functionNames = new IntList();
  private final IntList functionSystemNames = new IntList();
  private final IntList functionFileNames = new IntList();
  private final Map<FunctionKey, Integer> functions = new HashMap<>();
  private final IntList locationFunctions = new IntList();
  private final IntList locationLines = new IntList();
  private final Map<Long, Integer> locations = new HashMap<>();
  private final List<int[]> stackTable = new ArrayList<>();
  private final Map<IntArrayKey, Integer> stacks = new HashMap<>();
  private final List<SpanIds> linkTable = new ArrayList<>();
  private final Map<SpanIds, Integer> links = new HashMap<>();
  private int frameTypeAttribute;

  /**
   * Per window frame id, its location index (0: not yet known); and per stack array, its stack
   * index. The aggregator hands out one array per distinct stack, so samples of one stack (many
   * keys: one per span) resolve it once.
   */
  private int[] locationOfFrame = new int[0];

  private final Map<int[], Integer> stackOfArray = new IdentityHashMap<>();

  /** Per canonical labels string of the window, its attribute indices in decoded order. */
  private final Map<String, int[]> labelAttributes = new HashMap<>();

  /** Per sample kind (by ordinal), its samples; null while the kind has none. */
  private final ProfileSamples[] profiles = new ProfileSamples[SampleKind.values().length];

  /** Attribute indices of all sample keys, back to back; samples point into it. */
  private final IntList sampleAttributes = new IntList();

  OtlpEncoder(Map<String, String> resourceAttributes, String scopeVersion) {
    this.resourceAttributes = resourceAttributes;
    this.scopeVersion = scopeVersion;
  }

  /** A function by its three string indices. */
  private record FunctionKey(int name, int systemName, int fileName) {}

  /** A growable int array. */
  private static final class IntList {
    int[] a = new int[16];
    int size;

    void add(int v) {
      if (size == a.length) {
        a = Arrays.copyOf(a, size * 2);
      }
      a[size++] = v;
    }

    int get(int i) {
      return a[i];
    }
  }

  /** The samples of one kind, as parallel arrays, and the profile's header. */
  private static final class ProfileSamples {
    final int sampleType;
    final int sampleUnit;
    final int periodType;
    final int periodUnit;
    final long period;
    int size;
    int[] stack = new int[64];
    int[] link = new int[64];
    int[] attributesFrom = new int[64];
    int[] attributesCount = new int[64];
    long[] value = new long[64];

    ProfileSamples(int sampleType, int sampleUnit, int periodType, int periodUnit, long period) {
      this.sampleType = sampleType;
      this.sampleUnit = sampleUnit;
      this.periodType = periodType;
      this.periodUnit = periodUnit;
      this.period = period;
    }

    void add(int stackIndex, int linkIndex, int attrFrom, int attrCount, long v) {
      if (size == stack.length) {
        int n = size * 2;
        stack = Arrays.copyOf(stack, n);
        link = Arrays.copyOf(link, n);
        attributesFrom = Arrays.copyOf(attributesFrom, n);
        attributesCount = Arrays.copyOf(attributesCount, n);
        value = Arrays.copyOf(value, n);
      }
      stack[size] = stackIndex;
      link[size] = linkIndex;
      attributesFrom[size] = attrFrom;
      attributesCount[size] = attrCount;
      value[size] = v;
      size++;
    }
  }

  /** The request's bytes. */
  byte[] encode(WindowAggregator window) {
    intern(window);
    return write(window);
  }

  /**
   * First pass: interns every string, function, location, stack, link and attribute, in the order
   * of the window's sample keys, and lays out each kind's samples.
   */
  private void intern(WindowAggregator window) {
    // Index 0 of every table is its zero value.
    string("");
    attributeKeys.add(0);
    attributeValues.add(null);
    functionNames.add(0);
    functionSystemNames.add(0);
    functionFileNames.add(0);
    locationFunctions.add(0);
    locationLines.add(0);
    stackTable.add(new int[0]);
    linkTable.add(SpanIds.NONE);
    frameTypeAttribute = attribute("profile.frame.type", "jvm");

    for (Map.Entry<WindowAggregator.Key, long[]> e : window.sums().entrySet()) {
      WindowAggregator.Key key = e.getKey();
      int attrFrom = sampleAttributes.size;
      if (!key.threadName().isEmpty()) {
        sampleAttributes.add(attribute(THREAD_NAME, key.threadName()));
      }
      if (key.spanName() != null && !key.spanName().isEmpty()) {
        sampleAttributes.add(attribute(SPAN_NAME, key.spanName()));
      }
      if (!key.labels().isEmpty()) {
        for (int a : labelAttributes(key.labels())) {
          sampleAttributes.add(a);
        }
      }
      int attrCount = sampleAttributes.size - attrFrom;
      int stack = stack(key.stack(), window);
      int link = link(key.link());
      List<SampleKind> kinds = key.type().kinds;
      long[] values = e.getValue();
      for (int i = 0; i < kinds.size(); i++) {
        SampleKind kind = kinds.get(i);
        ProfileSamples p = profiles[kind.ordinal()];
        if (p == null) {
          int sampleType = string(kind.sampleType);
          int sampleUnit = string(kind.sampleUnit);
          int periodType = string(kind.periodType);
          int periodUnit = string(kind.periodUnit);
          p =
              new ProfileSamples(
                  sampleType, sampleUnit, periodType, periodUnit, window.period(kind));
          profiles[kind.ordinal()] = p;
        }
        p.add(stack, link, attrFrom, attrCount, values[i]);
      }
    }
  }

  private int[] labelAttributes(String canonical) {
    int[] known = labelAttributes.get(canonical);
    if (known == null) {
      Map<String, String> decoded = EmberLabels.decode(canonical);
      known = new int[decoded.size()];
      int i = 0;
      for (Map.Entry<String, String> l : decoded.entrySet()) {
        known[i++] = attribute(l.getKey(), l.getValue());
      }
      labelAttributes.put(canonical, known);
    }
    return known;
  }

  private int string(String s) {
    Integer id = strings.get(s);
    if (id == null) {
      id = stringTable.size();
      stringTable.add(s);
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
      id = attributeKeys.size;
      attributeKeys.add(k);
      attributeValues.add(value);
      attributes.put(packed, id);
    }
    return id;
  }

  private int function(Frame f) {
    FunctionKey key =
        new FunctionKey(string(f.name()), string(f.systemName()), string(f.fileName()));
    Integer id = functions.get(key);
    if (id == null) {
      id = functionNames.size;
      functionNames.add(key.name());
      functionSystemNames.add(key.systemName());
      functionFileNames.add(key.fileName());
      functions.put(key, id);
    }
    return id;
  }

  private int location(Frame f) {
    int function = function(f);
    long key = ((long) function << 32) | (f.line() & 0xffffffffL);
    Integer id = locations.get(key);
    if (id == null) {
      id = locationFunctions.size;
      locationFunctions.add(function);
      locationLines.add(f.line());
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
      id = linkTable.size();
      linkTable.add(key);
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
    IntArrayKey key = new IntArrayKey(locs);
    Integer id = stacks.get(key);
    if (id == null) {
      id = stackTable.size();
      stackTable.add(locs);
      stacks.put(key, id);
    }
    stackOfArray.put(frameIds, id);
    return id;
  }

  // Second pass: sizes, then bytes. Each message's size is computed right before it is written.

  private byte[] write(WindowAggregator window) {
    long time = window.startEpochNanos();
    long duration = window.endEpochNanos() - window.startEpochNanos();
    int[] profileSizes = new int[profiles.length];
    int scopeProfiles = delimited(SCOPE_PROFILES_SCOPE, scopeSize());
    for (int k = 0; k < profiles.length; k++) {
      if (profiles[k] != null) {
        profileSizes[k] = profileSize(profiles[k], time, duration);
        scopeProfiles += delimited(SCOPE_PROFILES_PROFILES, profileSizes[k]);
      }
    }
    int resourceProfiles =
        delimited(RESOURCE_PROFILES_RESOURCE, resourceSize())
            + delimited(RESOURCE_PROFILES_SCOPE_PROFILES, scopeProfiles);
    int dictionary = dictionarySize();
    int total =
        delimited(REQUEST_RESOURCE_PROFILES, resourceProfiles)
            + delimited(REQUEST_DICTIONARY, dictionary);

    byte[] bytes = new byte[total];
    CodedOutputStream out = CodedOutputStream.newInstance(bytes);
    try {
      header(out, REQUEST_RESOURCE_PROFILES, resourceProfiles);
      header(out, RESOURCE_PROFILES_RESOURCE, resourceSize());
      writeResource(out);
      header(out, RESOURCE_PROFILES_SCOPE_PROFILES, scopeProfiles);
      header(out, SCOPE_PROFILES_SCOPE, scopeSize());
      writeString(out, SCOPE_NAME_FIELD, SCOPE_NAME);
      writeString(out, SCOPE_VERSION_FIELD, scopeVersion);
      for (int k = 0; k < profiles.length; k++) {
        if (profiles[k] != null) {
          header(out, SCOPE_PROFILES_PROFILES, profileSizes[k]);
          writeProfile(out, profiles[k], time, duration);
        }
      }
      header(out, REQUEST_DICTIONARY, dictionary);
      writeDictionary(out);
      out.checkNoSpaceLeft();
    } catch (IOException e) {
      // Only when a size above disagrees with what was written: a bug, never the host's fault.
      throw new UncheckedIOException("OTLP request size mismatch", e);
    }
    return bytes;
  }

  // Resource and scope.

  private int resourceSize() {
    int size = 0;
    for (Map.Entry<String, String> a : resourceAttributes.entrySet()) {
      size += delimited(RESOURCE_ATTRIBUTES, keyValueSize(a.getKey(), a.getValue()));
    }
    return size;
  }

  private static int keyValueSize(String key, String value) {
    return stringSize(KEY_VALUE_KEY, key) + delimited(KEY_VALUE_VALUE, anyValueSize(value));
  }

  /** An AnyValue holding a string: a oneof member, so written even when empty. */
  private static int anyValueSize(String value) {
    return CodedOutputStream.computeStringSize(ANY_VALUE_STRING, value);
  }

  private void writeResource(CodedOutputStream out) throws IOException {
    for (Map.Entry<String, String> a : resourceAttributes.entrySet()) {
      header(out, RESOURCE_ATTRIBUTES, keyValueSize(a.getKey(), a.getValue()));
      writeString(out, KEY_VALUE_KEY, a.getKey());
      header(out, KEY_VALUE_VALUE, anyValueSize(a.getValue()));
      out.writeString(ANY_VALUE_STRING, a.getValue());
    }
  }

  private int scopeSize() {
    return stringSize(SCOPE_NAME_FIELD, SCOPE_NAME) + stringSize(SCOPE_VERSION_FIELD, scopeVersion);
  }

  // Profiles and samples.

  private static int valueTypeSize(int type, int unit) {
    return int32Size(VALUE_TYPE_TYPE, type) + int32Size(VALUE_TYPE_UNIT, unit);
  }

  private static void writeValueType(CodedOutputStream out, int field, int type, int unit)
      throws IOException {
    header(out, field, valueTypeSize(type, unit));
    writeInt32(out, VALUE_TYPE_TYPE, type);
    writeInt32(out, VALUE_TYPE_UNIT, unit);
  }

  private int profileSize(ProfileSamples p, long time, long duration) {
    int size = delimited(PROFILE_SAMPLE_TYPE, valueTypeSize(p.sampleType, p.sampleUnit));
    for (int i = 0; i < p.size; i++) {
      size += delimited(PROFILE_SAMPLES, sampleSize(p, i));
    }
    if (time != 0) {
      size += CodedOutputStream.computeFixed64Size(PROFILE_TIME_UNIX_NANO, time);
    }
    if (duration != 0) {
      size += CodedOutputStream.computeUInt64Size(PROFILE_DURATION_NANO, duration);
    }
    size += delimited(PROFILE_PERIOD_TYPE, valueTypeSize(p.periodType, p.periodUnit));
    if (p.period != 0) {
      size += CodedOutputStream.computeInt64Size(PROFILE_PERIOD, p.period);
    }
    return size;
  }

  private void writeProfile(CodedOutputStream out, ProfileSamples p, long time, long duration)
      throws IOException {
    writeValueType(out, PROFILE_SAMPLE_TYPE, p.sampleType, p.sampleUnit);
    for (int i = 0; i < p.size; i++) {
      header(out, PROFILE_SAMPLES, sampleSize(p, i));
      writeInt32(out, SAMPLE_STACK_INDEX, p.stack[i]);
      writePacked(
          out,
          SAMPLE_ATTRIBUTE_INDICES,
          sampleAttributes.a,
          p.attributesFrom[i],
          p.attributesCount[i]);
      writeInt32(out, SAMPLE_LINK_INDEX, p.link[i]);
      out.writeTag(SAMPLE_VALUES, WireFormat.WIRETYPE_LENGTH_DELIMITED);
      out.writeUInt32NoTag(CodedOutputStream.computeInt64SizeNoTag(p.value[i]));
      out.writeInt64NoTag(p.value[i]);
    }
    if (time != 0) {
      out.writeFixed64(PROFILE_TIME_UNIX_NANO, time);
    }
    if (duration != 0) {
      out.writeUInt64(PROFILE_DURATION_NANO, duration);
    }
    writeValueType(out, PROFILE_PERIOD_TYPE, p.periodType, p.periodUnit);
    if (p.period != 0) {
      out.writeInt64(PROFILE_PERIOD, p.period);
    }
  }

  private int sampleSize(ProfileSamples p, int i) {
    return int32Size(SAMPLE_STACK_INDEX, p.stack[i])
        + packedSize(
            SAMPLE_ATTRIBUTE_INDICES, sampleAttributes.a, p.attributesFrom[i], p.attributesCount[i])
        + int32Size(SAMPLE_LINK_INDEX, p.link[i])
        + delimited(SAMPLE_VALUES, CodedOutputStream.computeInt64SizeNoTag(p.value[i]));
  }

  // The dictionary.

  // One method per table, each with its one loop: this code runs once per window over thousands of
  // entries, so the JIT compiles its loops on stack replacement. Each loop in its own method is
  // compiled alone; in one method, every loop's compilation took in all the loops after it.

  private int dictionarySize() {
    return delimited(DICT_MAPPING_TABLE, 0)
        + locationTableSize()
        + functionTableSize()
        + linkTable.size() * delimited(DICT_LINK_TABLE, linkSize())
        + stringTableSize()
        + attributeTableSize()
        + stackTableSize();
  }

  private int locationTableSize() {
    int size = 0;
    for (int i = 0; i < locationFunctions.size; i++) {
      size += delimited(DICT_LOCATION_TABLE, locationSize(i));
    }
    return size;
  }

  private int functionTableSize() {
    int size = 0;
    for (int i = 0; i < functionNames.size; i++) {
      size += delimited(DICT_FUNCTION_TABLE, functionSize(i));
    }
    return size;
  }

  private int stringTableSize() {
    int size = 0;
    for (String s : stringTable) {
      size += CodedOutputStream.computeStringSize(DICT_STRING_TABLE, s);
    }
    return size;
  }

  private int attributeTableSize() {
    int size = 0;
    for (int i = 0; i < attributeKeys.size; i++) {
      size += delimited(DICT_ATTRIBUTE_TABLE, attributeSize(i));
    }
    return size;
  }

  private int stackTableSize() {
    int size = 0;
    for (int[] s : stackTable) {
      size += delimited(DICT_STACK_TABLE, packedSize(STACK_LOCATION_INDICES, s, 0, s.length));
    }
    return size;
  }

  private void writeDictionary(CodedOutputStream out) throws IOException {
    header(out, DICT_MAPPING_TABLE, 0);
    writeLocationTable(out);
    writeFunctionTable(out);
    writeLinkTable(out);
    writeStringTable(out);
    writeAttributeTable(out);
    writeStackTable(out);
  }

  private void writeLocationTable(CodedOutputStream out) throws IOException {
    for (int i = 0; i < locationFunctions.size; i++) {
      header(out, DICT_LOCATION_TABLE, locationSize(i));
      if (i == 0) {
        continue; // the zero location: no line, no attribute
      }
      header(out, LOCATION_LINES, lineSize(i));
      writeInt32(out, LINE_FUNCTION_INDEX, locationFunctions.get(i));
      writeInt64(out, LINE_LINE, locationLines.get(i));
      header(
          out,
          LOCATION_ATTRIBUTE_INDICES,
          CodedOutputStream.computeInt32SizeNoTag(frameTypeAttribute));
      out.writeInt32NoTag(frameTypeAttribute);
    }
  }

  private void writeFunctionTable(CodedOutputStream out) throws IOException {
    for (int i = 0; i < functionNames.size; i++) {
      header(out, DICT_FUNCTION_TABLE, functionSize(i));
      writeInt32(out, FUNCTION_NAME, functionNames.get(i));
      writeInt32(out, FUNCTION_SYSTEM_NAME, functionSystemNames.get(i));
      writeInt32(out, FUNCTION_FILENAME, functionFileNames.get(i));
    }
  }

  private void writeLinkTable(CodedOutputStream out) throws IOException {
    byte[] id = new byte[TRACE_ID_BYTES];
    for (SpanIds l : linkTable) {
      header(out, DICT_LINK_TABLE, linkSize());
      putLong(id, 0, l.traceIdHigh());
      putLong(id, 8, l.traceIdLow());
      out.writeByteArray(LINK_TRACE_ID, id, 0, TRACE_ID_BYTES);
      putLong(id, 0, l.spanId());
      out.writeByteArray(LINK_SPAN_ID, id, 0, SPAN_ID_BYTES);
    }
  }

  private void writeStringTable(CodedOutputStream out) throws IOException {
    for (String s : stringTable) {
      out.writeString(DICT_STRING_TABLE, s);
    }
  }

  private void writeAttributeTable(CodedOutputStream out) throws IOException {
    for (int i = 0; i < attributeKeys.size; i++) {
      header(out, DICT_ATTRIBUTE_TABLE, attributeSize(i));
      if (i == 0) {
        continue; // the zero attribute: no key, no value
      }
      writeInt32(out, KEY_VALUE_AND_UNIT_KEY, attributeKeys.get(i));
      header(out, KEY_VALUE_AND_UNIT_VALUE, anyValueSize(attributeValues.get(i)));
      out.writeString(ANY_VALUE_STRING, attributeValues.get(i));
    }
  }

  private void writeStackTable(CodedOutputStream out) throws IOException {
    for (int[] s : stackTable) {
      header(out, DICT_STACK_TABLE, packedSize(STACK_LOCATION_INDICES, s, 0, s.length));
      writePacked(out, STACK_LOCATION_INDICES, s, 0, s.length);
    }
  }

  private int lineSize(int location) {
    return int32Size(LINE_FUNCTION_INDEX, locationFunctions.get(location))
        + int64Size(LINE_LINE, locationLines.get(location));
  }

  private int locationSize(int i) {
    if (i == 0) {
      return 0;
    }
    return delimited(LOCATION_LINES, lineSize(i))
        + delimited(
            LOCATION_ATTRIBUTE_INDICES,
            CodedOutputStream.computeInt32SizeNoTag(frameTypeAttribute));
  }

  private int functionSize(int i) {
    return int32Size(FUNCTION_NAME, functionNames.get(i))
        + int32Size(FUNCTION_SYSTEM_NAME, functionSystemNames.get(i))
        + int32Size(FUNCTION_FILENAME, functionFileNames.get(i));
  }

  /** Every link, the zero link included, carries a 16-byte trace id and an 8-byte span id. */
  private static int linkSize() {
    return delimited(LINK_TRACE_ID, TRACE_ID_BYTES) + delimited(LINK_SPAN_ID, SPAN_ID_BYTES);
  }

  private int attributeSize(int i) {
    if (i == 0) {
      return 0;
    }
    return int32Size(KEY_VALUE_AND_UNIT_KEY, attributeKeys.get(i))
        + delimited(KEY_VALUE_AND_UNIT_VALUE, anyValueSize(attributeValues.get(i)));
  }

  // Wire helpers: proto3 scalars are left out when zero (or empty), as the generated code does.

  /** A length-delimited field: tag, length, payload. */
  private static int delimited(int field, int payload) {
    return CodedOutputStream.computeTagSize(field)
        + CodedOutputStream.computeUInt32SizeNoTag(payload)
        + payload;
  }

  private static void header(CodedOutputStream out, int field, int payload) throws IOException {
    out.writeTag(field, WireFormat.WIRETYPE_LENGTH_DELIMITED);
    out.writeUInt32NoTag(payload);
  }

  private static int int32Size(int field, int v) {
    return v == 0 ? 0 : CodedOutputStream.computeInt32Size(field, v);
  }

  private static void writeInt32(CodedOutputStream out, int field, int v) throws IOException {
    if (v != 0) {
      out.writeInt32(field, v);
    }
  }

  private static int int64Size(int field, long v) {
    return v == 0 ? 0 : CodedOutputStream.computeInt64Size(field, v);
  }

  private static void writeInt64(CodedOutputStream out, int field, long v) throws IOException {
    if (v != 0) {
      out.writeInt64(field, v);
    }
  }

  private static int stringSize(int field, String s) {
    return s.isEmpty() ? 0 : CodedOutputStream.computeStringSize(field, s);
  }

  private static void writeString(CodedOutputStream out, int field, String s) throws IOException {
    if (!s.isEmpty()) {
      out.writeString(field, s);
    }
  }

  private static int packedPayload(int[] a, int from, int count) {
    int size = 0;
    for (int i = from; i < from + count; i++) {
      size += CodedOutputStream.computeInt32SizeNoTag(a[i]);
    }
    return size;
  }

  /** A packed repeated int32 field; left out when empty. */
  private static int packedSize(int field, int[] a, int from, int count) {
    return count == 0 ? 0 : delimited(field, packedPayload(a, from, count));
  }

  private static void writePacked(CodedOutputStream out, int field, int[] a, int from, int count)
      throws IOException {
    if (count == 0) {
      return;
    }
    header(out, field, packedPayload(a, from, count));
    for (int i = from; i < from + count; i++) {
      out.writeInt32NoTag(a[i]);
    }
  }

  private static void putLong(byte[] b, int at, long v) {
    for (int i = 7; i >= 0; i--) {
      b[at + i] = (byte) v;
      v >>>= 8;
    }
  }
}
