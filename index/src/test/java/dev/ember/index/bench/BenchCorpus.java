package dev.ember.index.bench;

import com.google.protobuf.ByteString;
import io.opentelemetry.proto.collector.profiles.v1development.ExportProfilesServiceRequest;
import io.opentelemetry.proto.common.v1.AnyValue;
import io.opentelemetry.proto.profiles.v1development.KeyValueAndUnit;
import io.opentelemetry.proto.profiles.v1development.Link;
import io.opentelemetry.proto.profiles.v1development.Profile;
import io.opentelemetry.proto.profiles.v1development.ProfilesDictionary;
import io.opentelemetry.proto.profiles.v1development.Sample;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Builds the benchmark's day of data from real exporter output: the recorded requests ({@code
 * RecordCorpus}, one CPU profile each) are replayed in turn as one service's profiles at a 10 s
 * cadence over a day. Each copy gets its own time, profile id and span links: when the recording
 * has no links, every sample is linked to a span of its own (two spans per trace), otherwise the
 * recorded ids are made unique per copy, so that a span lookup finds exactly one span.
 */
final class BenchCorpus {
  static final long STEP = 10_000_000_000L;

  private BenchCorpus() {}

  static List<ExportProfilesServiceRequest> load(Path dir) throws IOException {
    List<Path> files = new ArrayList<>();
    try (DirectoryStream<Path> ds = Files.newDirectoryStream(dir, "*.pb")) {
      ds.forEach(files::add);
    }
    files.sort(null);
    List<ExportProfilesServiceRequest> out = new ArrayList<>();
    for (Path f : files) {
      ExportProfilesServiceRequest r =
          ExportProfilesServiceRequest.parseFrom(Files.readAllBytes(f));
      if (cpuProfile(r) != null) {
        out.add(r);
      }
    }
    if (out.isEmpty()) {
      throw new IOException("no CPU profiles in " + dir + "; record a corpus with RecordCorpus");
    }
    return out;
  }

  /** The first CPU profile of a request, or null. */
  static Profile cpuProfile(ExportProfilesServiceRequest r) {
    ProfilesDictionary d = r.getDictionary();
    for (var rp : r.getResourceProfilesList()) {
      for (var sp : rp.getScopeProfilesList()) {
        for (Profile p : sp.getProfilesList()) {
          if (d.getStringTable(p.getSampleType().getTypeStrindex()).equals("cpu")) {
            return p;
          }
        }
      }
    }
    return null;
  }

  /** The i-th profile of the day: a copy of a recorded request, one CPU profile, retimed. */
  static ExportProfilesServiceRequest copy(
      List<ExportProfilesServiceRequest> recorded, int i, long t0, String service) {
    ExportProfilesServiceRequest base = recorded.get(i % recorded.size());
    Profile cpu = cpuProfile(base);
    ProfilesDictionary.Builder dict = base.getDictionary().toBuilder();
    Profile.Builder p =
        cpu.toBuilder()
            .setTimeUnixNano(t0 + i * STEP)
            .setDurationNano(STEP)
            .setProfileId(ByteString.copyFrom(id(0x5eed0000L + i, i)));
    boolean recordedLinks = false;
    for (Sample s : cpu.getSamplesList()) {
      recordedLinks |= s.getLinkIndex() != 0;
    }
    if (recordedLinks) {
      // Make every recorded link unique to this copy.
      for (int l = 1; l < dict.getLinkTableCount(); l++) {
        Link link = dict.getLinkTable(l);
        dict.setLinkTable(
            l,
            Link.newBuilder()
                .setTraceId(xor(link.getTraceId(), i))
                .setSpanId(xor(link.getSpanId(), i)));
      }
    } else {
      int spanName = dict.getStringTableCount();
      dict.addStringTable("span.name");
      int[] names = new int[2];
      String[] endpoints = {"GET /orders", "GET /search"};
      for (int e = 0; e < 2; e++) {
        dict.addStringTable(endpoints[e]);
        dict.addAttributeTable(
            KeyValueAndUnit.newBuilder()
                .setKeyStrindex(spanName)
                .setValue(
                    AnyValue.newBuilder().setStringValueStrindex(dict.getStringTableCount() - 1)));
        names[e] = dict.getAttributeTableCount() - 1;
      }
      for (int j = 0; j < p.getSamplesCount(); j++) {
        dict.addLinkTable(
            Link.newBuilder()
                .setTraceId(ByteString.copyFrom(id(traceOf(i, j), i)))
                .setSpanId(ByteString.copyFrom(spanOf(i, j))));
        Sample.Builder s = p.getSamplesBuilder(j).setLinkIndex(dict.getLinkTableCount() - 1);
        s.addAttributeIndices(names[j % 2]);
      }
    }
    var rp = base.getResourceProfiles(0).toBuilder();
    rp.getResourceBuilder().clearAttributes();
    rp.getResourceBuilder()
        .addAttributes(
            io.opentelemetry.proto.common.v1.KeyValue.newBuilder()
                .setKey("service.name")
                .setValue(AnyValue.newBuilder().setStringValue(service)));
    var scope = rp.getScopeProfiles(0).toBuilder().clearProfiles().addProfiles(p);
    rp.clearScopeProfiles().addScopeProfiles(scope);
    return ExportProfilesServiceRequest.newBuilder()
        .setDictionary(dict)
        .addResourceProfiles(rp)
        .build();
  }

  /** The link of the first sample of the request's CPU profile that has one. */
  static Link firstLink(ExportProfilesServiceRequest r) {
    for (Sample s : cpuProfile(r).getSamplesList()) {
      if (s.getLinkIndex() != 0) {
        return r.getDictionary().getLinkTable(s.getLinkIndex());
      }
    }
    throw new IllegalStateException("no sample of the CPU profile has a span link");
  }

  static long traceOf(int profile, int sample) {
    return ((long) profile << 20) | (sample / 2);
  }

  /** The span id of sample j of profile i when the recording has no links (8 bytes). */
  static byte[] spanOf(int profile, int sample) {
    return ByteBuffer.allocate(8)
        .putLong(0x5000_0000_0000_0000L | ((long) profile << 20) | sample)
        .array();
  }

  private static byte[] id(long a, long b) {
    return ByteBuffer.allocate(16).putLong(a).putLong(0x7e57_0000_0000_0000L ^ b).array();
  }

  private static ByteString xor(ByteString bytes, int i) {
    byte[] b = bytes.toByteArray();
    ByteBuffer.wrap(b).putInt(b.length - 4, ByteBuffer.wrap(b).getInt(b.length - 4) ^ (i + 1));
    return ByteString.copyFrom(b);
  }
}
