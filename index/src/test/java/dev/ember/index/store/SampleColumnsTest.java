package dev.ember.index.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.protobuf.ByteString;
import dev.ember.proto.store.v1.StoredProfile;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The sample columns of stored profiles: random columns survive encoding and decoding as the same
 * multiset of samples (the encoder reorders them), compressed or not; corrupt bytes fail loudly;
 * profiles logged in the older parallel-array form still read.
 */
class SampleColumnsTest {
  /** A sample as (stack, link, set) to value, the identity the store keeps unique per profile. */
  static Map<List<Integer>, Long> samples(SampleColumns c) {
    Map<List<Integer>, Long> out = new HashMap<>();
    for (int i = 0; i < c.count; i++) {
      out.merge(List.of(c.stack(i), c.link(i), c.attributeSet(i)), c.value(i), Long::sum);
    }
    return out;
  }

  @Test
  void randomColumnsRoundTrip() throws Exception {
    long seed = Long.getLong("tests.seed", new Random().nextLong());
    Random r = new Random(seed);
    for (int round = 0; round < 300; round++) {
      int n = r.nextInt(round % 10 == 0 ? 3 : 2000);
      int[] stacks = new int[n];
      long[] values = new long[n];
      int[] links = r.nextBoolean() ? new int[n] : null;
      int[] sets = r.nextBoolean() ? new int[n] : null;
      long unit =
          switch (r.nextInt(4)) {
            case 0 -> 1;
            case 1 -> 10_000_000;
            case 2 -> 1L << 40;
            default -> 1 + r.nextInt(1000);
          };
      for (int i = 0; i < n; i++) {
        stacks[i] = r.nextInt(1 + r.nextInt(100_000));
        values[i] =
            switch (r.nextInt(10)) {
              case 0 -> 0;
              case 1 -> -unit * r.nextInt(5); // producers may send negative values (deltas)
              case 2 -> r.nextLong() / unit * unit;
              default -> unit * (1 + r.nextInt(1000));
            };
        if (links != null) {
          links[i] = r.nextInt(4) == 0 ? 0 : r.nextInt(Integer.MAX_VALUE);
        }
        if (sets != null) {
          sets[i] = r.nextInt(300);
        }
      }
      SampleColumns in = new SampleColumns(n, stacks, values, links, sets);
      byte[] encoded =
          SampleColumns.encode(n, stacks.clone(), values.clone(), copy(links), copy(sets));
      SampleColumns out = SampleColumns.decode(ByteString.copyFrom(encoded));
      assertThat(out.count).as("seed %d round %d", seed, round).isEqualTo(n);
      assertThat(out.hasLinks()).isEqualTo(links != null);
      assertThat(out.hasAttributeSets()).isEqualTo(sets != null);
      assertThat(samples(out)).as("seed %d round %d", seed, round).isEqualTo(samples(in));
    }
  }

  private static int[] copy(int[] a) {
    return a == null ? null : a.clone();
  }

  @Test
  void cpuProfilesShrinkToAFewBytesPerSample() throws Exception {
    int n = 1000;
    int[] stacks = new int[n];
    long[] values = new long[n];
    int[] links = new int[n];
    int[] sets = new int[n];
    Random r = new Random(1);
    for (int i = 0; i < n; i++) {
      stacks[i] = 1000 + r.nextInt(300);
      values[i] = 10_000_000L * (1 + r.nextInt(3)); // counts of a 10 ms period
      links[i] = 5000 + i / 3; // a span's samples share its link
      sets[i] = 1 + r.nextInt(20);
    }
    byte[] encoded = SampleColumns.encode(n, stacks, values, links, sets);
    assertThat(encoded.length).isLessThan(3 * n); // 300 stacks: 9 bits, values 2, links 1, sets 5
  }

  @Test
  void corruptColumnsAreAnIOException() throws Exception {
    int n = 500;
    int[] stacks = new int[n];
    long[] values = new long[n];
    for (int i = 0; i < n; i++) {
      stacks[i] = i * 7;
      values[i] = i;
    }
    byte[] encoded = SampleColumns.encode(n, stacks, values, null, null);
    assertThatThrownBy(() -> decode(java.util.Arrays.copyOf(encoded, encoded.length / 2)))
        .hasMessageContaining("corrupt sample columns");
    // (Other flipped bits are the log's checksum's business: a column has none of its own.)
    assertThatThrownBy(() -> decode(new byte[] {5, 99, 1}))
        .hasMessageContaining("corrupt sample columns");
  }

  private SampleColumns decode(byte[] b) throws Exception {
    return SampleColumns.decode(ByteString.copyFrom(b));
  }

  @Test
  void profilesLoggedAsParallelArraysStillRead() throws Exception {
    StoredProfile legacy =
        StoredProfile.newBuilder()
            .addStacks(3)
            .addValues(10)
            .addLinks(2)
            .addAttributeSets(0)
            .addStacks(4)
            .addValues(20)
            .addLinks(0)
            .addAttributeSets(1)
            .setTotal(30)
            .build();
    SampleColumns c = LoggedProfile.of(legacy).samples();
    assertThat(samples(c)).isEqualTo(Map.of(List.of(3, 2, 0), 10L, List.of(4, 0, 1), 20L));
    assertThat(LoggedProfile.of(StoredProfile.getDefaultInstance()).samples().count).isZero();
    assertThatThrownBy(() -> LoggedProfile.of(legacy.toBuilder().addValues(1).build()))
        .hasMessageContaining("different lengths");
  }
}
