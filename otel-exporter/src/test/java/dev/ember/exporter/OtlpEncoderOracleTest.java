package dev.ember.exporter;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ember.wire.ProfilesValidator;
import dev.ember.wire.ValidationReport;
import io.opentelemetry.proto.collector.profiles.v1development.ExportProfilesServiceRequest;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The direct protobuf writer ({@link OtlpEncoder}) against the generated message classes ({@link
 * ReferenceOtlpEncoder}, the encoder it replaced) on random windows: every profile type, repeated
 * and empty stacks, truncated stacks, frames without a line, links (several samples per span, spans
 * sharing a trace), thread and span names, custom labels (empty values included), odd resource
 * attributes. The bytes must parse into a message equal to the reference's, be the very bytes the
 * generated code serializes, and validate with no unknown fields. Replay with -Dtests.seed=N.
 */
class OtlpEncoderOracleTest {
  static final long T0 = 1_763_769_600_000_000_000L;

  @Test
  void writesWhatTheGeneratedClassesWrite() throws Exception {
    long seed = Long.getLong("tests.seed", new Random().nextLong());
    System.out.println(
        "OtlpEncoderOracleTest seed: " + seed + " (replay with -Dtests.seed=" + seed + ")");
    Random r = new Random(seed);
    for (int round = 0; round < 200; round++) {
      WindowAggregator w = randomWindow(r);
      Map<String, String> resource = new LinkedHashMap<>();
      resource.put("service.name", "svc-" + r.nextInt(3));
      if (r.nextBoolean()) {
        resource.put("service.version", r.nextBoolean() ? "" : "1.2.\u00e9");
      }
      if (r.nextBoolean()) {
        resource.put("host.name", "h".repeat(r.nextInt(300)));
      }
      String version = r.nextInt(5) == 0 ? "" : "0.1." + r.nextInt(10);

      ExportProfilesServiceRequest reference =
          new ReferenceOtlpEncoder(resource, version).encode(w);
      byte[] written = new OtlpEncoder(resource, version).encode(w);
      ExportProfilesServiceRequest parsed = ExportProfilesServiceRequest.parseFrom(written);
      String where = "seed " + seed + " round " + round;
      assertThat(parsed).as(where).isEqualTo(reference);
      assertThat(written).as(where).isEqualTo(reference.toByteArray());
      if (!w.isEmpty()) {
        ValidationReport report = ProfilesValidator.validate(parsed);
        assertThat(report.isValid()).as(where + ": " + report).isTrue();
      }
    }
  }

  static WindowAggregator randomWindow(Random r) {
    long start = T0 + r.nextInt(1000) * 10_000_000_000L;
    WindowAggregator w = new WindowAggregator(start, start + 10_000_000_000L);
    Frame[] frames = new Frame[1 + r.nextInt(40)];
    for (int i = 0; i < frames.length; i++) {
      String type = "app/C" + r.nextInt(6) + (r.nextInt(4) == 0 ? "$Inner" : "");
      String name = type + ".m" + r.nextInt(8);
      frames[i] =
          r.nextInt(20) == 0
              ? new Frame("[truncated]", "", "", 0)
              : new Frame(
                  name,
                  name + "()V",
                  JfrSampler.fileName(type),
                  r.nextInt(3) == 0 ? 0 : r.nextInt(r.nextBoolean() ? 200 : 100_000));
    }
    Frame[][] stacks = new Frame[1 + r.nextInt(30)][];
    for (int i = 0; i < stacks.length; i++) {
      Frame[] s = new Frame[r.nextInt(10) == 0 ? 0 : 1 + r.nextInt(70)];
      for (int d = 0; d < s.length; d++) {
        s[d] = frames[r.nextInt(frames.length)];
      }
      stacks[i] = s;
    }
    SpanIds[] spans = new SpanIds[1 + r.nextInt(20)];
    spans[0] = SpanIds.NONE;
    for (int i = 1; i < spans.length; i++) {
      SpanIds sameTrace = spans[r.nextInt(i)];
      long high = sameTrace.isNone() || r.nextBoolean() ? r.nextLong() : sameTrace.traceIdHigh();
      long low = sameTrace.isNone() || r.nextBoolean() ? r.nextLong() : sameTrace.traceIdLow();
      spans[i] = new SpanIds(high, low, r.nextLong() | 1, r.nextLong());
    }
    String[] labels = {
      "",
      EmberLabels.merge("", Map.of("tenant", "a")),
      EmberLabels.merge("", Map.of("tenant", "b", "region", "eu")),
      EmberLabels.merge("", Map.of("job", "")),
      EmberLabels.merge("", Map.of("z", "\u00fc\u4e2d", "a", "1"))
    };
    int n = r.nextInt(10) == 0 ? 0 : 1 + r.nextInt(2000);
    for (int i = 0; i < n; i++) {
      ProfileType type = ProfileType.values()[r.nextInt(ProfileType.values().length)];
      int[] stack = w.stack(stacks[r.nextInt(stacks.length)]);
      SpanIds link = spans[r.nextInt(spans.length)];
      String thread = r.nextInt(5) == 0 ? "" : "worker-" + r.nextInt(6);
      String spanName =
          link.isNone() || r.nextInt(3) == 0
              ? null
              : r.nextInt(10) == 0 ? "" : "GET /r" + r.nextInt(3);
      String lab = labels[r.nextInt(labels.length)];
      long v0 =
          r.nextInt(10) == 0 ? 0 : 1 + (r.nextBoolean() ? r.nextInt(100) : r.nextLong() >>> 20);
      long v1 = r.nextInt(10) == 0 ? 0 : 1 + r.nextInt(1_000_000_000);
      w.add(new WindowAggregator.Key(type, stack, thread, link, spanName, lab), v0, v1);
      if (r.nextInt(50) == 0) {
        w.countTruncated();
      }
    }
    w.setPeriod(SampleKind.CPU, r.nextBoolean() ? 10_000_000 : 1 + r.nextInt(1000));
    return w;
  }
}
