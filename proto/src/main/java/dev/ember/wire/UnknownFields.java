package dev.ember.wire;

import com.google.protobuf.MessageOrBuilder;
import com.google.protobuf.UnknownFieldSet;
import io.opentelemetry.proto.collector.profiles.v1development.ExportProfilesServiceRequest;
import io.opentelemetry.proto.common.v1.AnyValue;
import io.opentelemetry.proto.common.v1.KeyValue;
import io.opentelemetry.proto.profiles.v1development.Location;
import io.opentelemetry.proto.profiles.v1development.Profile;
import io.opentelemetry.proto.profiles.v1development.ProfilesData;
import io.opentelemetry.proto.profiles.v1development.ProfilesDictionary;
import io.opentelemetry.proto.profiles.v1development.ResourceProfiles;
import io.opentelemetry.proto.profiles.v1development.Sample;
import io.opentelemetry.proto.profiles.v1development.ScopeProfiles;
import java.util.List;

/**
 * Finds messages that carry fields the parsing classes do not know. Protobuf never fails on a
 * producer that speaks another version of OTLP profiles: it moves the fields it cannot place into
 * unknown fields (1.8/1.9 payloads parsed as 1.10 lose their attribute indices there). So unknown
 * fields are the one reliable sign of version skew.
 *
 * <p>The walk is typed, not reflective: it runs on every ingested request.
 */
final class UnknownFields {

  record Finding(int count, String firstPath, int firstField) {}

  private int count;
  private String firstPath;
  private int firstField;

  private UnknownFields() {}

  /** Returns null when no message in the tree has unknown fields. */
  static Finding find(MessageOrBuilder root) {
    UnknownFields u = new UnknownFields();
    if (root instanceof ExportProfilesServiceRequest r) {
      if (has(r)) {
        u.record(r, "request");
      }
      u.resources(r.getResourceProfilesList());
      u.dictionary(r.getDictionary());
    } else if (root instanceof ProfilesData d) {
      if (has(d)) {
        u.record(d, "profiles_data");
      }
      u.resources(d.getResourceProfilesList());
      u.dictionary(d.getDictionary());
    } else {
      throw new IllegalArgumentException("unsupported root " + root.getClass());
    }
    return u.count == 0 ? null : new Finding(u.count, u.firstPath, u.firstField);
  }

  private static boolean has(MessageOrBuilder m) {
    UnknownFieldSet u = m.getUnknownFields();
    // Parsed messages without unknown fields share the empty set: no map to look at.
    return u != UnknownFieldSet.getDefaultInstance() && !u.asMap().isEmpty();
  }

  /** Records a message known to carry unknown fields; paths are built only for those. */
  private void record(MessageOrBuilder m, String path) {
    if (count == 0) {
      firstPath = path;
      firstField = m.getUnknownFields().asMap().keySet().iterator().next();
    }
    count++;
  }

  private void resources(List<ResourceProfiles> resources) {
    for (int r = 0; r < resources.size(); r++) {
      ResourceProfiles rp = resources.get(r);
      String rpath = "resource_profiles[" + r + "]";
      if (has(rp)) {
        record(rp, rpath);
      }
      if (has(rp.getResource())) {
        record(rp.getResource(), rpath + ".resource");
      }
      keyValues(rp.getResource().getAttributesList(), rpath + ".resource.attributes");
      for (int s = 0; s < rp.getScopeProfilesCount(); s++) {
        ScopeProfiles sp = rp.getScopeProfiles(s);
        String spath = rpath + ".scope_profiles[" + s + "]";
        if (has(sp)) {
          record(sp, spath);
        }
        if (has(sp.getScope())) {
          record(sp.getScope(), spath + ".scope");
        }
        keyValues(sp.getScope().getAttributesList(), spath + ".scope.attributes");
        for (int p = 0; p < sp.getProfilesCount(); p++) {
          Profile profile = sp.getProfiles(p);
          String ppath = spath + ".profiles[" + p + "]";
          if (has(profile)) {
            record(profile, ppath);
          }
          if (has(profile.getSampleType())) {
            record(profile.getSampleType(), ppath + ".sample_type");
          }
          if (has(profile.getPeriodType())) {
            record(profile.getPeriodType(), ppath + ".period_type");
          }
          for (int i = 0; i < profile.getSamplesCount(); i++) {
            Sample sample = profile.getSamples(i);
            if (has(sample)) {
              record(sample, ppath + ".samples[" + i + "]");
            }
          }
        }
      }
    }
  }

  private void dictionary(ProfilesDictionary d) {
    if (has(d)) {
      record(d, "dictionary");
    }
    for (int i = 0; i < d.getMappingTableCount(); i++) {
      if (has(d.getMappingTable(i))) {
        record(d.getMappingTable(i), "dictionary.mapping_table[" + i + "]");
      }
    }
    for (int i = 0; i < d.getLocationTableCount(); i++) {
      Location l = d.getLocationTable(i);
      if (has(l)) {
        record(l, "dictionary.location_table[" + i + "]");
      }
      for (int j = 0; j < l.getLinesCount(); j++) {
        if (has(l.getLines(j))) {
          record(l.getLines(j), "dictionary.location_table[" + i + "].lines[" + j + "]");
        }
      }
    }
    for (int i = 0; i < d.getFunctionTableCount(); i++) {
      if (has(d.getFunctionTable(i))) {
        record(d.getFunctionTable(i), "dictionary.function_table[" + i + "]");
      }
    }
    for (int i = 0; i < d.getLinkTableCount(); i++) {
      if (has(d.getLinkTable(i))) {
        record(d.getLinkTable(i), "dictionary.link_table[" + i + "]");
      }
    }
    for (int i = 0; i < d.getAttributeTableCount(); i++) {
      if (has(d.getAttributeTable(i))) {
        record(d.getAttributeTable(i), "dictionary.attribute_table[" + i + "]");
      }
      anyValue(d.getAttributeTable(i).getValue(), "dictionary.attribute_table[" + i + "].value");
    }
    for (int i = 0; i < d.getStackTableCount(); i++) {
      if (has(d.getStackTable(i))) {
        record(d.getStackTable(i), "dictionary.stack_table[" + i + "]");
      }
    }
  }

  private void keyValues(List<KeyValue> kvs, String path) {
    for (int i = 0; i < kvs.size(); i++) {
      if (has(kvs.get(i))) {
        record(kvs.get(i), path + "[" + i + "]");
      }
      anyValue(kvs.get(i).getValue(), path + "[" + i + "].value");
    }
  }

  private void anyValue(AnyValue v, String path) {
    if (has(v)) {
      record(v, path);
    }
    if (v.hasArrayValue()) {
      for (int i = 0; i < v.getArrayValue().getValuesCount(); i++) {
        anyValue(v.getArrayValue().getValues(i), path + ".array_value[" + i + "]");
      }
    } else if (v.hasKvlistValue()) {
      keyValues(v.getKvlistValue().getValuesList(), path + ".kvlist_value");
    }
  }
}
