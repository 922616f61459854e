package dev.ember.exporter;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ember.wire.ProfileTypeId;
import dev.ember.wire.ProfilesValidator;
import dev.ember.wire.ValidationReport;
import io.opentelemetry.proto.collector.profiles.v1development.ExportProfilesServiceRequest;
import io.opentelemetry.proto.profiles.v1development.Link;
import io.opentelemetry.proto.profiles.v1development.Profile;
import io.opentelemetry.proto.profiles.v1development.ProfilesDictionary;
import io.opentelemetry.proto.profiles.v1development.Sample;
import java.nio.ByteBuffer;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

/**
 * The encoder against a brute-force oracle on random windows: every profile type, links, thread
 * names, span names and custom labels. Decoding the request (through the dictionary) must give back
 * exactly the sums that went in, per (kind, stack, attributes, link); the request must validate and
 * carry no unknown fields, every dictionary table must be free of duplicates, and each kind's type
 * ID must be the documented one. Replay a failure with -Dtests.seed=N.
 */
class OtlpEncoderLinksTest {
  static final long T0 = 1_763_769_600_000_000_000L;

  static final Map<SampleKind, String> DOCUMENTED_IDS =
      Map.of(
          SampleKind.CPU, "process_cpu:cpu:nanoseconds:cpu:nanoseconds",
          SampleKind.ALLOC_SPACE, "memory:alloc_space:bytes:space:bytes",
          SampleKind.ALLOC_OBJECTS, "memory:alloc_objects:count:space:bytes",
          SampleKind.MUTEX_CONTENTIONS, "mutex:contentions:count:mutex:count",
          SampleKind.MUTEX_DELAY, "mutex:delay:nanoseconds:mutex:count",
          SampleKind.BLOCK_CONTENTIONS, "block:contentions:count:block:count",
          SampleKind.BLOCK_DELAY, "block:delay:nanoseconds:block:count");

  @Test
  void typeIdsAreTheDocumentedOnes() {
    for (SampleKind k : SampleKind.values()) {
      String id =
          ProfileTypeId.derive(k.sampleType, k.sampleUnit, k.periodType, k.periodUnit)
              .id()
              .toString();
      assertThat(id).as(k.name()).isEqualTo(DOCUMENTED_IDS.get(k));
    }
  }

  @Test
  void randomWindowsRoundTripThroughTheDictionary() throws Exception {
    long seed = Long.getLong("tests.seed", new Random().nextLong());
    System.out.println(
        "OtlpEncoderLinksTest seed: " + seed + " (replay with -Dtests.seed=" + seed + ")");
    Random r = new Random(seed);
    for (int round = 0; round < 20; round++) {
      WindowAggregator w = new WindowAggregator(T0, T0 + 10_000_000_000L);
      Frame[] frames = new Frame[12];
      for (int i = 0; i < frames.length; i++) {
        String name = "app/C" + (i % 4) + ".m" + i;
        frames[i] = new Frame(name, name + "()V", "app/C" + (i % 4) + ".java", r.nextInt(3) * 10);
      }
      SpanIds[] spans = new SpanIds[5];
      spans[0] = SpanIds.NONE;
      for (int i = 1; i < spans.length; i++) {
        spans[i] = new SpanIds(r.nextLong(), r.nextLong(), r.nextLong() | 1, r.nextLong());
      }
      String[] labels = {
        "",
        EmberLabels.merge("", Map.of("tenant", "a")),
        EmberLabels.merge("", Map.of("tenant", "b", "region", "eu"))
      };
      Map<String, Long> oracle = new HashMap<>();
      int n = 1 + r.nextInt(300);
      for (int i = 0; i < n; i++) {
        ProfileType type = ProfileType.values()[r.nextInt(ProfileType.values().length)];
        int depth = 1 + r.nextInt(5);
        Frame[] stack = new Frame[depth];
        for (int d = 0; d < depth; d++) {
          stack[d] = frames[r.nextInt(frames.length)];
        }
        SpanIds link = spans[r.nextInt(spans.length)];
        String thread = r.nextInt(4) == 0 ? "" : "worker-" + r.nextInt(3);
        String spanName = link.isNone() || r.nextBoolean() ? null : "GET /r" + r.nextInt(2);
        String lab = labels[r.nextInt(labels.length)];
        long v0 = 1 + r.nextInt(1_000_000);
        long v1 = 1 + r.nextInt(1000);
        w.add(new WindowAggregator.Key(type, w.stack(stack), thread, link, spanName, lab), v0, v1);
        for (int k = 0; k < type.kinds.size(); k++) {
          String key = oracleKey(type.kinds.get(k), stack, thread, spanName, lab, link);
          oracle.merge(key, k == 0 ? v0 : v1, Long::sum);
        }
      }
      w.setPeriod(SampleKind.CPU, 10_000_000);
      ExportProfilesServiceRequest parsed =
          ExportProfilesServiceRequest.parseFrom(
              new OtlpEncoder(Map.of("service.name", "svc", "service.version", "1"), "t")
                  .encode(w));
      ValidationReport report = ProfilesValidator.validate(parsed);
      assertThat(report.isValid()).as(report.toString()).isTrue();
      assertThat(decode(parsed)).as("seed %d round %d", seed, round).isEqualTo(oracle);
      ProfilesDictionary d = parsed.getDictionary();
      assertNoDuplicates(d.getStringTableList());
      assertNoDuplicates(d.getFunctionTableList());
      assertNoDuplicates(d.getLocationTableList());
      assertNoDuplicates(d.getStackTableList());
      assertNoDuplicates(d.getLinkTableList());
      assertNoDuplicates(d.getAttributeTableList());
      assertThat(d.getLinkTable(0).getTraceId().size()).isEqualTo(16);
      assertThat(d.getLinkTable(0).getSpanId().size()).isEqualTo(8);
      // One profile per kind, each sample identity at most once.
      Set<SampleKind> kinds = new HashSet<>();
      for (Profile p : parsed.getResourceProfiles(0).getScopeProfiles(0).getProfilesList()) {
        Set<String> ids = new HashSet<>();
        for (Sample s : p.getSamplesList()) {
          assertThat(
                  ids.add(
                      s.getStackIndex()
                          + "/"
                          + s.getAttributeIndicesList()
                          + "/"
                          + s.getLinkIndex()))
              .isTrue();
        }
        assertThat(kinds.add(kindOf(d, p))).isTrue();
      }
    }
  }

  static <T> void assertNoDuplicates(List<T> list) {
    assertThat(new HashSet<>(list)).hasSameSizeAs(list);
  }

  static SampleKind kindOf(ProfilesDictionary d, Profile p) {
    String st = d.getStringTable(p.getSampleType().getTypeStrindex());
    String pt = d.getStringTable(p.getPeriodType().getTypeStrindex());
    for (SampleKind k : SampleKind.values()) {
      if (k.sampleType.equals(st) && k.periodType.equals(pt)) {
        return k;
      }
    }
    throw new AssertionError(st + "/" + pt);
  }

  static String oracleKey(
      SampleKind kind, Frame[] stack, String thread, String spanName, String labels, SpanIds link) {
    StringBuilder b = new StringBuilder(kind.name()).append('|');
    for (Frame f : stack) {
      b.append(f.name()).append(':').append(f.line()).append(';');
    }
    TreeMap<String, String> attrs = new TreeMap<>(EmberLabels.decode(labels));
    if (!thread.isEmpty()) {
      attrs.put("thread.name", thread);
    }
    if (spanName != null) {
      attrs.put("span.name", spanName);
    }
    b.append('|').append(attrs).append('|');
    if (!link.isNone()) {
      b.append(Long.toHexString(link.traceIdHigh()))
          .append(Long.toHexString(link.traceIdLow()))
          .append('/')
          .append(Long.toHexString(link.spanId()));
    }
    return b.toString();
  }

  static Map<String, Long> decode(ExportProfilesServiceRequest req) {
    ProfilesDictionary d = req.getDictionary();
    Map<String, Long> out = new HashMap<>();
    for (Profile p : req.getResourceProfiles(0).getScopeProfiles(0).getProfilesList()) {
      SampleKind kind = kindOf(d, p);
      for (Sample s : p.getSamplesList()) {
        StringBuilder b = new StringBuilder(kind.name()).append('|');
        for (int loc : d.getStackTable(s.getStackIndex()).getLocationIndicesList()) {
          var line = d.getLocationTable(loc).getLines(0);
          b.append(d.getStringTable(d.getFunctionTable(line.getFunctionIndex()).getNameStrindex()))
              .append(':')
              .append(line.getLine())
              .append(';');
        }
        TreeMap<String, String> attrs = new TreeMap<>();
        for (int a : s.getAttributeIndicesList()) {
          var kv = d.getAttributeTable(a);
          attrs.put(d.getStringTable(kv.getKeyStrindex()), kv.getValue().getStringValue());
        }
        b.append('|').append(attrs).append('|');
        if (s.getLinkIndex() != 0) {
          Link l = d.getLinkTable(s.getLinkIndex());
          ByteBuffer t = l.getTraceId().asReadOnlyByteBuffer();
          b.append(Long.toHexString(t.getLong()))
              .append(Long.toHexString(t.getLong()))
              .append('/')
              .append(Long.toHexString(l.getSpanId().asReadOnlyByteBuffer().getLong()));
        }
        out.merge(b.toString(), s.getValues(0), Long::sum);
      }
    }
    return out;
  }
}
