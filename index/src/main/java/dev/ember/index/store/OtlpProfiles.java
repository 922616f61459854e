package dev.ember.index.store;

import dev.ember.wire.ProfileRef;
import dev.ember.wire.ProfileTypeId;
import io.opentelemetry.proto.collector.profiles.v1development.ExportProfilesServiceRequest;
import io.opentelemetry.proto.common.v1.AnyValue;
import io.opentelemetry.proto.common.v1.KeyValue;
import io.opentelemetry.proto.profiles.v1development.KeyValueAndUnit;
import io.opentelemetry.proto.profiles.v1development.Profile;
import io.opentelemetry.proto.profiles.v1development.ProfilesDictionary;
import io.opentelemetry.proto.profiles.v1development.ResourceProfiles;
import io.opentelemetry.proto.profiles.v1development.ScopeProfiles;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Predicate;

/**
 * Reads the envelopes of an OTLP profiles request: series labels from resource, scope and profile
 * attributes (both plain and string-table forms), {@code service_name} with its fallbacks, the
 * profile type ID, and the time window. Label names have dots and other characters outside {@code
 * [A-Za-z0-9_]} turned into underscores ({@code service.name} becomes {@code service_name}).
 */
final class OtlpProfiles {
  static final String SERVICE_NAME = "service_name";

  /** A profile without a duration is taken to cover this long, as Pyroscope does. */
  static final long DEFAULT_DURATION_NANOS = 10_000_000_000L;

  private OtlpProfiles() {}

  static List<ProfileInput> read(
      ExportProfilesServiceRequest request, Predicate<ProfileRef> accepted, long nowNanos) {
    ProfilesDictionary dict = request.getDictionary();
    List<ProfileInput> out = new ArrayList<>();
    for (int r = 0; r < request.getResourceProfilesCount(); r++) {
      ResourceProfiles rp = request.getResourceProfiles(r);
      Map<String, String> resourceLabels = new TreeMap<>();
      addAll(resourceLabels, rp.getResource().getAttributesList(), dict);
      for (int s = 0; s < rp.getScopeProfilesCount(); s++) {
        ScopeProfiles sp = rp.getScopeProfiles(s);
        Map<String, String> scopeLabels = new TreeMap<>(resourceLabels);
        addAll(scopeLabels, sp.getScope().getAttributesList(), dict);
        for (int p = 0; p < sp.getProfilesCount(); p++) {
          if (!accepted.test(new ProfileRef(r, s, p))) {
            continue;
          }
          Profile profile = sp.getProfiles(p);
          Map<String, String> labels = new TreeMap<>(scopeLabels);
          for (int index : profile.getAttributeIndicesList()) {
            KeyValueAndUnit kv = dict.getAttributeTable(index);
            putIfAbsent(labels, dict.getStringTable(kv.getKeyStrindex()), kv.getValue(), dict);
          }
          labels.put(SERVICE_NAME, serviceName(labels));
          ProfileTypeId.Derived type =
              ProfileTypeId.derive(
                  dict.getStringTable(profile.getSampleType().getTypeStrindex()),
                  dict.getStringTable(profile.getSampleType().getUnitStrindex()),
                  dict.getStringTable(profile.getPeriodType().getTypeStrindex()),
                  dict.getStringTable(profile.getPeriodType().getUnitStrindex()));
          long time = profile.getTimeUnixNano() == 0 ? nowNanos : profile.getTimeUnixNano();
          long duration =
              profile.getDurationNano() == 0 ? DEFAULT_DURATION_NANOS : profile.getDurationNano();
          out.add(
              new ProfileInput(
                  profile, pairs(labels), type.id(), type.scaleByPeriod(), time, duration));
        }
      }
    }
    return out;
  }

  private static String serviceName(Map<String, String> labels) {
    String name = labels.get("service_name");
    if (name != null && !name.isEmpty()) {
      return name;
    }
    String exe = labels.get("process_executable_name");
    return exe == null || exe.isEmpty() ? "unknown_service" : "unknown_service:" + exe;
  }

  private static void addAll(Map<String, String> labels, List<KeyValue> kvs, ProfilesDictionary d) {
    for (KeyValue kv : kvs) {
      String key = kv.getKey().isEmpty() ? d.getStringTable(kv.getKeyStrindex()) : kv.getKey();
      putIfAbsent(labels, key, kv.getValue(), d);
    }
  }

  /** First value wins, as in Pyroscope; values that are not scalars are skipped. */
  private static void putIfAbsent(
      Map<String, String> labels, String key, AnyValue value, ProfilesDictionary d) {
    String v = scalar(value, d);
    if (v != null && !key.isEmpty()) {
      labels.putIfAbsent(sanitize(key), v);
    }
  }

  static String scalar(AnyValue v, ProfilesDictionary d) {
    return switch (v.getValueCase()) {
      case STRING_VALUE -> v.getStringValue();
      case STRING_VALUE_STRINDEX -> d.getStringTable(v.getStringValueStrindex());
      case INT_VALUE -> Long.toString(v.getIntValue());
      case BOOL_VALUE -> Boolean.toString(v.getBoolValue());
      case DOUBLE_VALUE -> Double.toString(v.getDoubleValue());
      default -> null;
    };
  }

  /** Turns an attribute key into a label name: characters outside [A-Za-z0-9_] become '_'. */
  static String sanitize(String key) {
    StringBuilder b = new StringBuilder(key.length() + 1);
    for (int i = 0; i < key.length(); i++) {
      char c = key.charAt(i);
      boolean ok =
          (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' || (c >= '0' && c <= '9');
      b.append(ok ? c : '_');
    }
    if (b.length() > 0 && Character.isDigit(b.charAt(0))) {
      b.insert(0, '_');
    }
    return b.toString();
  }

  private static String[] pairs(Map<String, String> sorted) {
    String[] out = new String[sorted.size() * 2];
    int i = 0;
    for (Map.Entry<String, String> e : sorted.entrySet()) {
      out[i++] = e.getKey();
      out[i++] = e.getValue();
    }
    return out;
  }
}
