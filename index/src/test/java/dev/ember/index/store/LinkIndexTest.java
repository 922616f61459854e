package dev.ember.index.store;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The in-memory span and trace index of a partition against a brute-force scan of its links,
 * including repeated span ids, repeated links (a span in two requests), zero span ids, and a table
 * that grows between lookups (older snapshots see only their own links).
 */
class LinkIndexTest {
  @Test
  void lookupsAgreeWithAScanOfTheLinks() {
    long seed = Long.getLong("tests.seed", new Random().nextLong());
    Random r = new Random(seed);
    SymbolTables tables = new SymbolTables();
    LinkIndex index = new LinkIndex();
    List<long[]> links = new ArrayList<>();
    links.add(new long[3]); // link 0
    for (int batch = 0; batch < 20; batch++) {
      int n = r.nextInt(2000);
      for (int i = 0; i < n; i++) {
        long[] l;
        if (links.size() > 1 && r.nextInt(10) == 0) {
          l = links.get(1 + r.nextInt(links.size() - 1)).clone(); // seen before: a new id
        } else {
          long high = r.nextInt(8) == 0 ? 0 : r.nextLong();
          l = new long[] {high, r.nextLong(), r.nextInt(6) == 0 ? r.nextInt(3) : r.nextLong()};
        }
        int id = tables.link(l[0], l[1], l[2]);
        assertThat(id).isEqualTo(links.size());
        links.add(l);
      }
      Symbols older = tables.snapshot();
      index.update(older);
      // A link added after the snapshot: lookups with the older snapshot must not return it.
      long[] newer = {r.nextLong(), r.nextLong(), r.nextInt(3)};
      tables.link(newer[0], newer[1], newer[2]);
      index.update(tables.snapshot());
      for (int q = 0; q < 200; q++) {
        long[] probe =
            links.size() > 1 && r.nextBoolean()
                ? links.get(1 + r.nextInt(links.size() - 1))
                : new long[] {r.nextLong(), r.nextLong(), r.nextInt(3)};
        assertThat(index.withSpan(probe[2], older.linkCount()))
            .as("seed %d", seed)
            .containsExactly(scan(links, older.linkCount(), -1, -1, probe[2], true));
        assertThat(index.withTrace(probe[0], probe[1], older.linkCount()))
            .as("seed %d", seed)
            .containsExactly(scan(links, older.linkCount(), probe[0], probe[1], 0, false));
      }
      links.add(newer);
    }
  }

  private static int[] scan(
      List<long[]> links, int limit, long high, long low, long span, boolean bySpan) {
    List<Integer> out = new ArrayList<>();
    for (int id = 1; id < limit; id++) {
      long[] l = links.get(id);
      if (bySpan ? l[2] == span : l[0] == high && l[1] == low) {
        out.add(id);
      }
    }
    return out.stream().mapToInt(Integer::intValue).toArray();
  }

  @Test
  void hexKeysParseOrRefuse() {
    assertThat(LinkIndex.spanKey("00F067AA0BA902B7")).isEqualTo(0x00f067aa0ba902b7L);
    assertThat(LinkIndex.spanKey("00f067aa0ba902b")).isNull();
    assertThat(LinkIndex.spanKey("00f067aa0ba902bx")).isNull();
    assertThat(LinkIndex.traceKey("4bf92f3577b34da6a3ce929d0e0e4736"))
        .containsExactly(0x4bf92f3577b34da6L, 0xa3ce929d0e0e4736L);
    assertThat(LinkIndex.traceKey("4bf92f3577b34da6a3ce929d0e0e473")).isNull();
  }
}
