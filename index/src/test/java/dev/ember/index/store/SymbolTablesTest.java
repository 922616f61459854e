package dev.ember.index.store;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.ByteString;
import dev.ember.proto.store.v1.SymbolEntry;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The lookups that skip work for content a partition has seen before ({@link
 * SymbolTables#functionOf} by the function's strings, {@link SymbolTables#stackPath} by a whole
 * path) duel plain interning (string by string, frame by frame): on random streams of functions and
 * stacks, fresh String objects each time as a request brings them, both must return the same ids
 * and queue the same symbol entries for the log, also after a restart (tables reloaded from what
 * was logged, with empty caches) and when every content hash collides. The seed is printed; rerun
 * one with {@code -Dtests.seed=}. Also: links stored in pages read back across page ends.
 */
class SymbolTablesTest {
  private static final String[] NAMES = {"run", "get", "a", "b", "<init>", "lambda$0", ""};
  private static final String[] SYSTEM_NAMES = {"", "run", "Lx;get"};
  private static final String[] FILES = {"", "X.java", "Y.java", "Thread.java"};

  /** One random function, as a request's dictionary gives it. */
  private record Fn(String name, String system, String file, long start) {
    static Fn random(Random r) {
      return new Fn(
          fresh(NAMES[r.nextInt(NAMES.length)]),
          fresh(SYSTEM_NAMES[r.nextInt(SYSTEM_NAMES.length)]),
          fresh(FILES[r.nextInt(FILES.length)]),
          r.nextInt(3));
    }

    /** A new String object with the same content: no identity is shared across requests. */
    private static String fresh(String s) {
      return new String(s.toCharArray());
    }
  }

  @Test
  void linksSpanSeveralPagesAndReloadFromTheirPackedRecord() {
    SymbolTables t = new SymbolTables();
    Random r = new Random(5);
    int n = 3 * SymbolTables.LINK_PAGE + 7;
    long[] words = new long[3 * (n + 1)];
    for (int id = 1; id <= n; id++) {
      for (int w = 0; w < 3; w++) {
        words[3 * id + w] = r.nextLong() | 1;
      }
      assertThat(t.link(words[3 * id], words[3 * id + 1], words[3 * id + 2])).isEqualTo(id);
    }
    SymbolTables reloaded = new SymbolTables();
    reloaded.loadLinks(ByteString.copyFrom(t.drainPendingLinks()));
    for (Symbols s : List.of(t.snapshot(), reloaded.snapshot())) {
      assertThat(s.linkCount()).isEqualTo(n + 1);
      assertThat(s.traceHigh(0) | s.traceLow(0) | s.span(0)).isZero();
      for (int id = 1; id <= n; id++) {
        assertThat(new long[] {s.traceHigh(id), s.traceLow(id), s.span(id)})
            .as("link %d", id)
            .containsExactly(words[3 * id], words[3 * id + 1], words[3 * id + 2]);
      }
    }
  }

  @Test
  void cachedLookupsMatchPlainInterningOnRandomStreams() {
    long seed = Long.getLong("tests.seed", System.nanoTime());
    System.out.println("SymbolTablesTest seed: -Dtests.seed=" + seed);
    for (boolean collide : new boolean[] {false, true}) {
      duel(new Random(seed), collide, seed);
    }
  }

  private static void duel(Random r, boolean collide, long seed) {
    SymbolTables cached = new SymbolTables();
    SymbolTables plain = new SymbolTables();
    List<SymbolEntry> logged = new ArrayList<>();
    List<int[]> stacks = new ArrayList<>(); // earlier stacks' frames, to resend and extend
    List<long[]> stackLines = new ArrayList<>();
    for (int step = 0; step < 3_000; step++) {
      String at = "seed " + seed + (collide ? " (colliding hashes)" : "") + " step " + step;
      int op = r.nextInt(10);
      if (op < 4) {
        Fn f = Fn.random(r);
        int expected =
            plain.function(
                plain.string(f.name()),
                plain.string(f.system()),
                plain.string(f.file()),
                f.start());
        int got =
            collide
                ? cached.functionOf(f.name(), f.system(), f.file(), f.start(), 42)
                : cached.functionOf(f.name(), f.system(), f.file(), f.start());
        assertThat(got).as(at).isEqualTo(expected);
      } else if (op < 9) {
        int[] fns;
        long[] lines;
        if (!stacks.isEmpty() && r.nextInt(3) > 0) {
          // Resend an earlier stack, or a prefix or extension of it.
          int k = r.nextInt(stacks.size());
          int depth = Math.max(0, stacks.get(k).length + r.nextInt(5) - 2);
          fns = Arrays.copyOf(stacks.get(k), depth);
          lines = Arrays.copyOf(stackLines.get(k), depth);
          for (int i = stacks.get(k).length; i < depth; i++) {
            fns[i] = 1 + r.nextInt(Math.max(1, plain.snapshot().fnCount() - 1));
            lines[i] = r.nextInt(3);
          }
        } else {
          int depth = r.nextInt(12);
          fns = new int[depth];
          lines = new long[depth];
          for (int i = 0; i < depth; i++) {
            Fn f = Fn.random(r);
            fns[i] =
                plain.function(
                    plain.string(f.name()),
                    plain.string(f.system()),
                    plain.string(f.file()),
                    f.start());
            cached.functionOf(f.name(), f.system(), f.file(), f.start());
            lines[i] = r.nextInt(3);
          }
        }
        int expected = 0;
        for (int i = 0; i < fns.length; i++) {
          expected = plain.stackNode(expected, fns[i], lines[i]);
        }
        // The caller's arrays are scratch space longer than the path, as in the Rewriter.
        int[] scratchFns = Arrays.copyOf(fns, fns.length + 3);
        long[] scratchLines = Arrays.copyOf(lines, lines.length + 3);
        scratchFns[fns.length] = 7;
        int got =
            collide
                ? cached.stackPath(scratchFns, scratchLines, fns.length, 42)
                : cached.stackPath(scratchFns, scratchLines, fns.length);
        assertThat(got).as(at).isEqualTo(expected);
        stacks.add(fns);
        stackLines.add(lines);
      } else {
        // Drain both, as a partition logs its symbols; sometimes restart from the log.
        List<SymbolEntry> fromCached = cached.drainPending();
        assertThat(fromCached).as(at).isEqualTo(plain.drainPending());
        logged.addAll(fromCached);
        if (r.nextInt(4) == 0) {
          cached = new SymbolTables();
          for (SymbolEntry e : logged) {
            cached.load(e);
          }
        }
      }
    }
    assertThat(cached.drainPending()).isEqualTo(plain.drainPending());
  }
}
