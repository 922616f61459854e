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
import java.util.BitSet;
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

  /** Profiles further ahead of the store's clock than this are refused (clock skew, bad data). */
  static final long MAX_FUTURE_NANOS = 3_600_000_000_000L;

  /** The accepted profiles of a request, and those refused here by the tenant's limits. */
  record Read(List<ProfileInput> inputs, List<Rejection> rejected) {}

  static Read read(
      ExportProfilesServiceRequest request,
      Predicate<ProfileRef> accepted,
      long nowNanos,
      Limits limits) {
    ProfilesDictionary dict = request.getDictionary();
    List<ProfileInput> out = new ArrayList<>();
    List<Rejection> rejected = new ArrayList<>();
    long oldest = limits.hasRetention() ? nowNanos - limits.retention().toNanos() : Long.MIN_VALUE;
    BitSet longValues = longAttributeValues(dict, limits.maxLabelValueLength());
    for (int r = 0; r < request.getResourceProfilesCount(); r++) {
      ResourceProfiles rp = request.getResourceProfiles(r);
      Map<String, String> resourceLabels = new TreeMap<>();
      addAll(resourceLabels, rp.getResource().getAttributesList(), dict);
      for (int s = 0; s < rp.getScopeProfilesCount(); s++) {
        ScopeProfiles sp = rp.getScopeProfiles(s);
        Map<String, String> scopeLabels = new TreeMap<>(resourceLabels);
        addAll(scopeLabels, sp.getScope().getAttributesList(), dict);
        for (int p = 0; p < sp.getProfilesCount(); p++) {
          ProfileRef ref = new ProfileRef(r, s, p);
          if (!accepted.test(ref)) {
            continue;
          }
          Profile profile = sp.getProfiles(p);
          Map<String, String> labels = new TreeMap<>(scopeLabels);
          for (int index : profile.getAttributeIndicesList()) {
            KeyValueAndUnit kv = dict.getAttributeTable(index);
            putIfAbsent(labels, dict.getStringTable(kv.getKeyStrindex()), kv.getValue(), dict);
          }
          labels.put(SERVICE_NAME, serviceName(labels));
          long time = profile.getTimeUnixNano() == 0 ? nowNanos : profile.getTimeUnixNano();
          long duration =
              profile.getDurationNano() == 0 ? DEFAULT_DURATION_NANOS : profile.getDurationNano();
          Rejection refusal = check(ref, profile, labels, time, nowNanos, oldest, limits);
          if (refusal == null && !longValues.isEmpty()) {
            refusal = checkSampleAttributes(ref, profile, longValues, dict, limits);
          }
          if (refusal != null) {
            rejected.add(refusal);
            continue;
          }
          ProfileTypeId.Derived type =
              ProfileTypeId.derive(
                  dict.getStringTable(profile.getSampleType().getTypeStrindex()),
                  dict.getStringTable(profile.getSampleType().getUnitStrindex()),
                  dict.getStringTable(profile.getPeriodType().getTypeStrindex()),
                  dict.getStringTable(profile.getPeriodType().getUnitStrindex()));
          out.add(
              new ProfileInput(
                  ref, profile, pairs(labels), type.id(), type.scaleByPeriod(), time, duration));
        }
      }
    }
    return new Read(out, rejected);
  }

  /** Attribute table entries whose value is longer than the limit (usually none). */
  private static BitSet longAttributeValues(ProfilesDictionary dict, int max) {
    BitSet out = new BitSet();
    for (int i = 1; i < dict.getAttributeTableCount(); i++) {
      String v = scalar(dict.getAttributeTable(i).getValue(), dict);
      if (v != null && v.length() > max) {
        out.set(i);
      }
    }
    return out;
  }

  private static Rejection checkSampleAttributes(
      ProfileRef ref, Profile p, BitSet longValues, ProfilesDictionary dict, Limits limits) {
    for (int i = 0; i < p.getSamplesCount(); i++) {
      for (int a : p.getSamples(i).getAttributeIndicesList()) {
        if (longValues.get(a)) {
          KeyValueAndUnit kv = dict.getAttributeTable(a);
          return new Rejection(
              ref,
              "label_value_too_long",
              path(ref)
                  + ".samples["
                  + i
                  + "]: the value of attribute '"
                  + dict.getStringTable(kv.getKeyStrindex())
                  + "' (dictionary.attribute_table["
                  + a
                  + "]) has "
                  + scalar(kv.getValue(), dict).length()
                  + " characters, more than the limit of "
                  + limits.maxLabelValueLength()
                  + " (max-label-value-length)");
        }
      }
    }
    return null;
  }

  /** The request path of a profile, as the validator writes it. */
  static String path(ProfileRef ref) {
    return "resource_profiles["
        + ref.resource()
        + "].scope_profiles["
        + ref.scope()
        + "].profiles["
        + ref.profile()
        + "]";
  }

  /** The tenant's per-profile limits and the time window; null when the profile passes. */
  private static Rejection check(
      ProfileRef ref,
      Profile profile,
      Map<String, String> labels,
      long time,
      long now,
      long oldest,
      Limits limits) {
    String at = path(ref);
    if (time < oldest) {
      return new Rejection(
          ref,
          "too_old",
          at
              + ".time_unix_nano="
              + Long.toUnsignedString(time)
              + " is older than this tenant's retention of "
              + limits.retention()
              + ": too old to store");
    }
    if (time < 0 || time - now > MAX_FUTURE_NANOS) {
      return new Rejection(
          ref,
          "too_new",
          at
              + ".time_unix_nano="
              + Long.toUnsignedString(time)
              + " lies more than 1h ahead of the backend's clock ("
              + now
              + "); check the producer's clock");
    }
    if (profile.getSamplesCount() > limits.maxSamplesPerProfile()) {
      return new Rejection(
          ref,
          "too_many_samples",
          at
              + " has "
              + profile.getSamplesCount()
              + " samples, more than the limit of "
              + limits.maxSamplesPerProfile()
              + " per profile (max-samples-per-profile)");
    }
    if (labels.size() > limits.maxLabels()) {
      return new Rejection(
          ref,
          "too_many_labels",
          at
              + " has "
              + labels.size()
              + " series labels (from resource, scope and profile attributes), more than the"
              + " limit of "
              + limits.maxLabels()
              + " (max-labels)");
    }
    for (Map.Entry<String, String> e : labels.entrySet()) {
      if (e.getKey().length() > limits.maxLabelNameLength()) {
        return new Rejection(
            ref,
            "label_name_too_long",
            at
                + ": label name '"
                + e.getKey().substring(0, Math.min(40, e.getKey().length()))
                + "...' has "
                + e.getKey().length()
                + " characters, more than the limit of "
                + limits.maxLabelNameLength()
                + " (max-label-name-length)");
      }
      if (e.getValue().length() > limits.maxLabelValueLength()) {
        return new Rejection(
            ref,
            "label_value_too_long",
            at
                + ": the value of label '"
                + e.getKey()
                + "' has "
                + e.getValue().length()
                + " characters, more than the limit of "
                + limits.maxLabelValueLength()
                + " (max-label-value-length)");
      }
    }
    return null;
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
