package dev.ember.exporter;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

class WindowAggregatorTest {

  /**
   * The columnar sums against the plainest possible ones: a hash map from {@link
   * WindowAggregator.Key} (whose equality is the OTLP sample identity) to summed values, on random
   * samples with repeated identities, equal strings that are different objects, stacks handed in
   * both as converted arrays and as equal raw arrays, links with and without spans, and enough
   * identities to grow the table many times.
   */
  @Test
  void sumsAgreeWithABruteForceMapOnRandomSamples() {
    long seed = Long.getLong("tests.seed", System.nanoTime());
    System.out.println(
        "WindowAggregatorTest seed: " + seed + " (replay with -Dtests.seed=" + seed + ")");
    Random random = new Random(seed);
    for (int round = 0; round < 20; round++) {
      WindowAggregator w = new WindowAggregator(0, 10_000_000_000L);
      Map<WindowAggregator.Key, long[]> expected = new HashMap<>();
      Frame[][] converted = new Frame[1 + random.nextInt(40)][];
      for (int i = 0; i < converted.length; i++) {
        converted[i] = new Frame[1 + random.nextInt(6)];
        for (int j = 0; j < converted[i].length; j++) {
          int m = random.nextInt(12);
          converted[i][j] = new Frame("m" + m, "m" + m + "()V", "F.java", random.nextInt(3));
        }
      }
      int samples = random.nextInt(5000);
      long allocBytes = 0;
      long allocSamples = 0;
      for (int s = 0; s < samples; s++) {
        ProfileType type = ProfileType.values()[random.nextInt(ProfileType.values().length)];
        int[] stack = w.stack(converted[random.nextInt(converted.length)]);
        if (random.nextInt(4) == 0) {
          stack = stack.clone(); // equal content, another array
        }
        String thread = new String("t" + random.nextInt(3));
        long span = random.nextInt(3) == 0 ? 0 : 1 + random.nextInt(200);
        SpanIds link =
            span == 0
                ? SpanIds.NONE
                : new SpanIds(span * 7, span * 13 + random.nextInt(2), span, span / 4);
        String spanName = random.nextBoolean() ? null : new String("GET /" + random.nextInt(3));
        String labels = random.nextInt(5) == 0 ? new String("k=" + random.nextInt(2)) : "";
        long v0 = random.nextInt(1000);
        long v1 = random.nextInt(1000);
        WindowAggregator.Key key =
            new WindowAggregator.Key(type, stack, thread, link, spanName, labels);
        if (random.nextBoolean()) {
          w.add(key, v0, v1);
        } else {
          w.add(
              type,
              canonicalOf(w, stack, converted),
              thread,
              link.traceIdHigh(),
              link.traceIdLow(),
              link.spanId(),
              link.localRootSpanId(),
              spanName,
              labels,
              v0,
              v1);
        }
        long[] sum = expected.computeIfAbsent(key, k -> new long[type.kinds.size()]);
        sum[0] += v0;
        if (sum.length > 1) {
          sum[1] += v1;
        }
        if (type == ProfileType.ALLOC) {
          allocBytes += v0;
          allocSamples++;
        }
      }
      String context = "seed " + seed + ", round " + round;
      Map<WindowAggregator.Key, long[]> actual = w.sums();
      assertThat(actual).as(context).hasSameSizeAs(expected);
      for (Map.Entry<WindowAggregator.Key, long[]> e : expected.entrySet()) {
        assertThat(actual.get(e.getKey())).as(context + ", " + e.getKey()).isEqualTo(e.getValue());
      }
      assertThat(w.sampleCount()).as(context).isEqualTo(samples);
      assertThat(w.isEmpty()).as(context).isEqualTo(samples == 0);
      assertThat(w.period(SampleKind.ALLOC_SPACE))
          .as(context)
          .isEqualTo(allocSamples == 0 ? 0 : allocBytes / allocSamples);
    }
  }

  /** The array {@link WindowAggregator#stack} gave out for a stack of this content. */
  private static int[] canonicalOf(WindowAggregator w, int[] stack, Frame[][] converted) {
    for (Frame[] c : converted) {
      int[] ids = w.stack(c);
      if (Arrays.equals(ids, stack)) {
        return ids;
      }
    }
    throw new AssertionError("no converted stack has ids " + Arrays.toString(stack));
  }
}
