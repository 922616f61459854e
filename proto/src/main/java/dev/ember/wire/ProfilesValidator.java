package dev.ember.wire;

import com.google.protobuf.ByteString;
import com.google.protobuf.MessageOrBuilder;
import io.opentelemetry.proto.collector.profiles.v1development.ExportProfilesServiceRequest;
import io.opentelemetry.proto.common.v1.AnyValue;
import io.opentelemetry.proto.common.v1.KeyValue;
import io.opentelemetry.proto.profiles.v1development.Function;
import io.opentelemetry.proto.profiles.v1development.KeyValueAndUnit;
import io.opentelemetry.proto.profiles.v1development.Line;
import io.opentelemetry.proto.profiles.v1development.Link;
import io.opentelemetry.proto.profiles.v1development.Location;
import io.opentelemetry.proto.profiles.v1development.Mapping;
import io.opentelemetry.proto.profiles.v1development.Profile;
import io.opentelemetry.proto.profiles.v1development.ProfilesData;
import io.opentelemetry.proto.profiles.v1development.ProfilesDictionary;
import io.opentelemetry.proto.profiles.v1development.ResourceProfiles;
import io.opentelemetry.proto.profiles.v1development.Sample;
import io.opentelemetry.proto.profiles.v1development.ScopeProfiles;
import io.opentelemetry.proto.profiles.v1development.Stack;
import io.opentelemetry.proto.profiles.v1development.ValueType;
import java.util.List;

/**
 * Checks an OTLP profiles request (proto 1.10/1.11) against the rules of {@code profiles.proto}:
 * the zero value at index 0 of every dictionary table, index ranges, unique attribute keys per
 * list, sample shapes, timestamps inside the profile window, link and profile id sizes, and unknown
 * fields (the only sign of a producer on another proto version).
 *
 * <p>Faults in the shared dictionary or the resource/scope envelopes make the whole request
 * invalid; faults inside one profile reject only that profile. The exporter runs this on its own
 * output in tests and the backend on every request. Stateless and thread-safe.
 */
public final class ProfilesValidator {

  /** Messages kept per profile and per request; more faults are only counted. */
  static final int MAX_MESSAGES = 5;

  private ProfilesValidator() {}

  public static ValidationReport validate(ExportProfilesServiceRequest request) {
    return validate(request.getResourceProfilesList(), request.getDictionary(), request);
  }

  public static ValidationReport validate(ProfilesData data) {
    return validate(data.getResourceProfilesList(), data.getDictionary(), data);
  }

  private static ValidationReport validate(
      List<ResourceProfiles> resources, ProfilesDictionary dict, MessageOrBuilder root) {
    ValidationReport.Builder report = new ValidationReport.Builder();
    int profiles = 0;
    for (ResourceProfiles rp : resources) {
      for (ScopeProfiles sp : rp.getScopeProfilesList()) {
        profiles += sp.getProfilesCount();
      }
    }
    if (profiles > 0 && dict.getStringTableCount() == 0) {
      report.requestError(
          "dictionary: missing or empty string_table (a request with profiles needs a dictionary"
              + " whose string_table[0] is \"\")");
    } else if (profiles > 0) {
      new DictionaryCheck(dict, report).run();
    }
    Sizes sizes = new Sizes(dict);
    int[] attributeKeys = attributeKeys(dict);
    for (int r = 0; r < resources.size(); r++) {
      ResourceProfiles rp = resources.get(r);
      checkKeyValues(
          rp.getResource().getAttributesList(),
          sizes,
          "resource_profiles[" + r + "].resource.attributes",
          report::requestError);
      for (int s = 0; s < rp.getScopeProfilesCount(); s++) {
        ScopeProfiles sp = rp.getScopeProfiles(s);
        String scopePath = "resource_profiles[" + r + "].scope_profiles[" + s + "]";
        checkKeyValues(
            sp.getScope().getAttributesList(),
            sizes,
            scopePath + ".scope.attributes",
            report::requestError);
        for (int p = 0; p < sp.getProfilesCount(); p++) {
          ProfileRef ref = new ProfileRef(r, s, p);
          new ProfileCheck(sp.getProfiles(p), dict, sizes, attributeKeys, ref, report).run();
        }
      }
    }
    UnknownFields.Finding unknown = UnknownFields.find(root);
    if (unknown != null) {
      report.requestError(
          "version skew: "
              + unknown.count()
              + " message(s) carry fields unknown to OTLP profiles 1.10/1.11, first at "
              + unknown.firstPath()
              + " (field "
              + unknown.firstField()
              + "); the producer speaks another proto version (use opentelemetry-proto >= 1.10,"
              + " Collector >= v0.148.0)");
    }
    return report.build(profiles);
  }

  /** Table sizes, read once. */
  record Sizes(
      int strings,
      int mappings,
      int locations,
      int functions,
      int links,
      int attributes,
      int stacks) {
    Sizes(ProfilesDictionary d) {
      this(
          d.getStringTableCount(),
          d.getMappingTableCount(),
          d.getLocationTableCount(),
          d.getFunctionTableCount(),
          d.getLinkTableCount(),
          d.getAttributeTableCount(),
          d.getStackTableCount());
    }
  }

  interface Sink {
    void error(String message);
  }

  /** Index 0 means "not set" everywhere, so it is fine even when a table is empty. */
  static boolean inRange(int index, int size) {
    return index == 0 || (index > 0 && index < size);
  }

  static void checkIndex(int index, int size, String table, String path, Sink sink) {
    if (!inRange(index, size)) {
      sink.error(path + "=" + index + " is out of range for " + table + " of size " + size);
    }
  }

  private static void checkKeyValues(List<KeyValue> kvs, Sizes sizes, String path, Sink sink) {
    for (int i = 0; i < kvs.size(); i++) {
      KeyValue kv = kvs.get(i);
      String at = path + "[" + i + "]";
      checkIndex(kv.getKeyStrindex(), sizes.strings(), "string_table", at + ".key_strindex", sink);
      if (kv.getKey().isEmpty() && kv.getKeyStrindex() == 0) {
        sink.error(at + ": neither key nor key_strindex is set");
      }
      checkAnyValue(kv.getValue(), sizes, at + ".value", sink);
    }
  }

  static void checkAnyValue(AnyValue value, Sizes sizes, String path, Sink sink) {
    if (value.hasStringValueStrindex()) {
      checkIndex(
          value.getStringValueStrindex(),
          sizes.strings(),
          "string_table",
          path + ".string_value_strindex",
          sink);
    }
  }

  /** Checks the shared dictionary: index-0 zero values and every reference between tables. */
  private static final class DictionaryCheck {
    private final ProfilesDictionary d;
    private final ValidationReport.Builder report;
    private final Sizes sizes;

    DictionaryCheck(ProfilesDictionary d, ValidationReport.Builder report) {
      this.d = d;
      this.report = report;
      this.sizes = new Sizes(d);
    }

    void run() {
      Sink sink = report::requestError;
      if (!d.getStringTable(0).isEmpty()) {
        sink.error(
            "dictionary.string_table[0] must be \"\" (the zero value), got a non-empty string");
      }
      zero(d.getMappingTableCount() == 0 || isZero(d.getMappingTable(0)), "mapping_table");
      zero(d.getLocationTableCount() == 0 || isZero(d.getLocationTable(0)), "location_table");
      zero(d.getFunctionTableCount() == 0 || isZero(d.getFunctionTable(0)), "function_table");
      zero(d.getLinkTableCount() == 0 || isZeroLink(d.getLinkTable(0)), "link_table");
      zero(d.getAttributeTableCount() == 0 || isZero(d.getAttributeTable(0)), "attribute_table");
      zero(d.getStackTableCount() == 0 || isZero(d.getStackTable(0)), "stack_table");

      for (int i = 1; i < d.getMappingTableCount(); i++) {
        Mapping m = d.getMappingTable(i);
        String at = "dictionary.mapping_table[" + i + "]";
        checkIndex(
            m.getFilenameStrindex(),
            sizes.strings(),
            "string_table",
            at + ".filename_strindex",
            sink);
        checkAttributeList(m.getAttributeIndicesList(), at + ".attribute_indices", sink);
        if (Long.compareUnsigned(m.getMemoryStart(), m.getMemoryLimit()) > 0) {
          sink.error(at + ": memory_start is above memory_limit");
        }
      }
      // The location and function tables can hold thousands of entries: test first, and build
      // the path of an entry only when it is at fault.
      for (int i = 1; i < d.getLocationTableCount(); i++) {
        Location l = d.getLocationTable(i);
        boolean ok = inRange(l.getMappingIndex(), sizes.mappings());
        for (int j = 0; j < l.getLinesCount(); j++) {
          Line line = l.getLines(j);
          ok &= inRange(line.getFunctionIndex(), sizes.functions());
          ok &= line.getLine() >= 0 && line.getColumn() >= 0;
        }
        if (!ok) {
          String at = "dictionary.location_table[" + i + "]";
          checkIndex(
              l.getMappingIndex(), sizes.mappings(), "mapping_table", at + ".mapping_index", sink);
          for (int j = 0; j < l.getLinesCount(); j++) {
            Line line = l.getLines(j);
            checkIndex(
                line.getFunctionIndex(),
                sizes.functions(),
                "function_table",
                at + ".lines[" + j + "].function_index",
                sink);
            if (line.getLine() < 0 || line.getColumn() < 0) {
              sink.error(at + ".lines[" + j + "]: line and column must not be negative");
            }
          }
        }
        if (l.getAttributeIndicesCount() > 0) {
          checkAttributeList(
              l.getAttributeIndicesList(),
              "dictionary.location_table[" + i + "].attribute_indices",
              sink);
        }
      }
      for (int i = 1; i < d.getFunctionTableCount(); i++) {
        Function f = d.getFunctionTable(i);
        if (inRange(f.getNameStrindex(), sizes.strings())
            && inRange(f.getSystemNameStrindex(), sizes.strings())
            && inRange(f.getFilenameStrindex(), sizes.strings())
            && f.getStartLine() >= 0) {
          continue;
        }
        String at = "dictionary.function_table[" + i + "]";
        checkIndex(
            f.getNameStrindex(), sizes.strings(), "string_table", at + ".name_strindex", sink);
        checkIndex(
            f.getSystemNameStrindex(),
            sizes.strings(),
            "string_table",
            at + ".system_name_strindex",
            sink);
        checkIndex(
            f.getFilenameStrindex(),
            sizes.strings(),
            "string_table",
            at + ".filename_strindex",
            sink);
        if (f.getStartLine() < 0) {
          sink.error(at + ".start_line must not be negative");
        }
      }
      for (int i = 1; i < d.getLinkTableCount(); i++) {
        Link link = d.getLinkTable(i);
        if (link.getTraceId().size() != 16 || link.getSpanId().size() != 8) {
          sink.error(
              "dictionary.link_table["
                  + i
                  + "]: trace_id must have 16 bytes and span_id 8, got "
                  + link.getTraceId().size()
                  + " and "
                  + link.getSpanId().size());
        }
      }
      for (int i = 1; i < d.getAttributeTableCount(); i++) {
        KeyValueAndUnit kv = d.getAttributeTable(i);
        String at = "dictionary.attribute_table[" + i + "]";
        checkIndex(
            kv.getKeyStrindex(), sizes.strings(), "string_table", at + ".key_strindex", sink);
        if (kv.getKeyStrindex() == 0) {
          sink.error(at + ".key_strindex is 0: an attribute needs a key");
        }
        checkIndex(
            kv.getUnitStrindex(), sizes.strings(), "string_table", at + ".unit_strindex", sink);
        checkAnyValue(kv.getValue(), sizes, at + ".value", sink);
      }
      for (int i = 1; i < d.getStackTableCount(); i++) {
        Stack s = d.getStackTable(i);
        for (int j = 0; j < s.getLocationIndicesCount(); j++) {
          int loc = s.getLocationIndices(j);
          if (loc <= 0 || loc >= sizes.locations()) {
            sink.error(
                "dictionary.stack_table["
                    + i
                    + "].location_indices["
                    + j
                    + "]="
                    + loc
                    + " is out of range for location_table of size "
                    + sizes.locations()
                    + " (0 is the empty location and not a frame)");
          }
        }
      }
    }

    private void zero(boolean ok, String table) {
      if (!ok) {
        report.requestError(
            "dictionary." + table + "[0] must be the zero value (index 0 means \"not set\")");
      }
    }

    private void checkAttributeList(List<Integer> indices, String path, Sink sink) {
      checkAttributeIndices(indices, d, sizes, path, sink);
    }
  }

  /** The key_strindex of every attribute table entry, read once per request. */
  private static int[] attributeKeys(ProfilesDictionary d) {
    int[] keys = new int[d.getAttributeTableCount()];
    for (int i = 0; i < keys.length; i++) {
      keys[i] = d.getAttributeTable(i).getKeyStrindex();
    }
    return keys;
  }

  /**
   * The fast form of {@link #checkAttributeIndices} for a sample's list, which runs for every
   * sample: true when it would report nothing.
   */
  static boolean attributeIndicesOk(Sample s, int[] attributeKeys) {
    int n = s.getAttributeIndicesCount();
    for (int i = 0; i < n; i++) {
      int index = s.getAttributeIndices(i);
      if (index < 0 || index >= attributeKeys.length) {
        return false;
      }
      int key = attributeKeys[index];
      for (int j = 0; j < i; j++) {
        if (attributeKeys[s.getAttributeIndices(j)] == key) {
          return false;
        }
      }
    }
    return true;
  }

  static void checkAttributeIndices(
      List<Integer> indices, ProfilesDictionary d, Sizes sizes, String path, Sink sink) {
    int n = indices.size();
    for (int i = 0; i < n; i++) {
      int index = indices.get(i);
      if (index < 0 || index >= sizes.attributes()) {
        sink.error(
            path
                + "["
                + i
                + "]="
                + index
                + " is out of range for attribute_table of size "
                + sizes.attributes());
        return;
      }
    }
    // Lists are short (a handful of sample attributes): a quadratic scan beats hashing.
    for (int i = 1; i < n; i++) {
      int key = d.getAttributeTable(indices.get(i)).getKeyStrindex();
      for (int j = 0; j < i; j++) {
        if (d.getAttributeTable(indices.get(j)).getKeyStrindex() == key) {
          sink.error(path + " repeats the attribute key at string_table[" + key + "]");
          return;
        }
      }
    }
  }

  /** Checks one profile; its faults reject only that profile. */
  private static final class ProfileCheck implements Sink {
    private final Profile p;
    private final ProfilesDictionary d;
    private final Sizes sizes;
    private final int[] attributeKeys;
    private final ProfileRef ref;
    private final ValidationReport.Builder report;
    private int errors; // reported so far; one check per profile, so the report's count too

    ProfileCheck(
        Profile p,
        ProfilesDictionary d,
        Sizes sizes,
        int[] attributeKeys,
        ProfileRef ref,
        ValidationReport.Builder report) {
      this.p = p;
      this.d = d;
      this.sizes = sizes;
      this.attributeKeys = attributeKeys;
      this.ref = ref;
      this.report = report;
    }

    @Override
    public void error(String message) {
      errors++;
      report.profileError(ref, ref.path() + "." + message);
    }

    void run() {
      valueType(p.getSampleType(), "sample_type");
      valueType(p.getPeriodType(), "period_type");
      checkAttributeIndices(p.getAttributeIndicesList(), d, sizes, "attribute_indices", this);
      ByteString id = p.getProfileId();
      if (!id.isEmpty() && (id.size() != 16 || isAllZero(id))) {
        error("profile_id must be empty or 16 bytes, not all zero");
      }
      if (p.getOriginalPayloadFormat().isEmpty() != p.getOriginalPayload().isEmpty()) {
        error("original_payload_format and original_payload must be set together");
      }
      long start = p.getTimeUnixNano();
      long duration = p.getDurationNano();
      long end = start + duration;
      for (int i = 0; i < p.getSamplesCount(); i++) {
        Sample s = p.getSamples(i);
        // Paths are built only on failure: this loop runs for every sample of every request.
        if (!inRange(s.getStackIndex(), sizes.stacks())) {
          checkIndex(
              s.getStackIndex(), sizes.stacks(), "stack_table", at(i) + ".stack_index", this);
        }
        if (!inRange(s.getLinkIndex(), sizes.links())) {
          checkIndex(s.getLinkIndex(), sizes.links(), "link_table", at(i) + ".link_index", this);
        }
        if (s.getAttributeIndicesCount() > 0 && !attributeIndicesOk(s, attributeKeys)) {
          checkAttributeIndices(
              s.getAttributeIndicesList(), d, sizes, at(i) + ".attribute_indices", this);
        }
        int values = s.getValuesCount();
        int stamps = s.getTimestampsUnixNanoCount();
        if (values == 0 && stamps == 0) {
          error(at(i) + " has neither values nor timestamps_unix_nano");
        } else if (values != 0 && stamps != 0 && values != stamps) {
          error(
              at(i)
                  + " has "
                  + values
                  + " values but "
                  + stamps
                  + " timestamps; with both, they must be index-aligned");
        }
        if (stamps > 0 && start != 0 && duration > 0) {
          for (int j = 0; j < stamps; j++) {
            long t = s.getTimestampsUnixNano(j);
            if (Long.compareUnsigned(t, start) < 0 || Long.compareUnsigned(t, end) >= 0) {
              error(
                  at(i)
                      + ".timestamps_unix_nano["
                      + j
                      + "]="
                      + Long.toUnsignedString(t)
                      + " lies outside the profile window ["
                      + Long.toUnsignedString(start)
                      + ", "
                      + Long.toUnsignedString(end)
                      + ")");
              break;
            }
          }
        }
        if (errors > MAX_MESSAGES) {
          return; // enough said about this profile
        }
      }
    }

    private static String at(int sample) {
      return "samples[" + sample + "]";
    }

    private void valueType(ValueType vt, String name) {
      checkIndex(
          vt.getTypeStrindex(), sizes.strings(), "string_table", name + ".type_strindex", this);
      checkIndex(
          vt.getUnitStrindex(), sizes.strings(), "string_table", name + ".unit_strindex", this);
    }
  }

  private static boolean isZero(Mapping m) {
    return m.equals(Mapping.getDefaultInstance());
  }

  private static boolean isZero(Location l) {
    return l.equals(Location.getDefaultInstance());
  }

  private static boolean isZero(Function f) {
    return f.equals(Function.getDefaultInstance());
  }

  private static boolean isZero(KeyValueAndUnit kv) {
    return kv.equals(KeyValueAndUnit.getDefaultInstance());
  }

  private static boolean isZero(Stack s) {
    return s.getLocationIndicesCount() == 0 && s.getUnknownFields().asMap().isEmpty();
  }

  private static boolean isZeroLink(Link l) {
    // Both an empty Link and one with 16 + 8 zero bytes (the recommended form) are the zero value.
    return isAllZero(l.getTraceId()) && isAllZero(l.getSpanId());
  }

  static boolean isAllZero(ByteString bytes) {
    for (int i = 0; i < bytes.size(); i++) {
      if (bytes.byteAt(i) != 0) {
        return false;
      }
    }
    return true;
  }
}
