package dev.ember.index.store;

import java.util.Arrays;
import java.util.HexFormat;
import java.util.Locale;

/**
 * Which links of one partition carry a given span or trace id: two hash tables over the partition's
 * link table, one keyed by span id and one by trace id, each slot heading a chain of the link ids
 * with that key (newest first). A lookup is exact: it compares the ids themselves. So a span or
 * trace lookup skips every partition that cannot hold it without touching Lucene or the log, and
 * finds the profiles that can through the link ids ({@link LinkRanges}). Built from a symbols
 * snapshot at the first lookup and extended as the partition's link table grows (links are
 * append-only); about 16 bytes per link.
 *
 * <p>Thread-safe: {@link #update} and the lookups synchronize on the index.
 */
final class LinkIndex {
  private static final HexFormat HEX = HexFormat.of();

  private Symbols symbols; // the newest snapshot indexed
  private int indexed = 1; // link 0 is the empty link
  private int[] spanHeads = new int[64];
  private int[] traceHeads = new int[64];
  private int[] spanNext = new int[64];
  private int[] traceNext = new int[64];
  private int spanKeys;
  private int traceKeys;

  /** Adds the links the snapshot holds beyond those already indexed. */
  synchronized void update(Symbols s) {
    int count = s.linkCount();
    if (count <= indexed) {
      return;
    }
    symbols = s;
    spanNext = IntArrays.grow(spanNext, count);
    traceNext = IntArrays.grow(traceNext, count);
    for (int l = indexed; l < count; l++) {
      if ((spanKeys + 1) * 2 > spanHeads.length) {
        spanHeads = rehash(spanHeads, true);
      }
      if ((traceKeys + 1) * 2 > traceHeads.length) {
        traceHeads = rehash(traceHeads, false);
      }
      int slot = spanSlot(spanHeads, span(l));
      if (spanHeads[slot] == 0) {
        spanKeys++;
      }
      spanNext[l] = spanHeads[slot];
      spanHeads[slot] = l;
      slot = traceSlot(traceHeads, traceHigh(l), traceLow(l));
      if (traceHeads[slot] == 0) {
        traceKeys++;
      }
      traceNext[l] = traceHeads[slot];
      traceHeads[slot] = l;
    }
    indexed = count;
  }

  /** Link ids (ascending, below {@code limit}) whose span id is {@code span}. */
  synchronized int[] withSpan(long span, int limit) {
    return collect(spanHeads[spanSlot(spanHeads, span)], spanNext, limit);
  }

  /** Link ids (ascending, below {@code limit}) whose trace id is the given one. */
  synchronized int[] withTrace(long high, long low, int limit) {
    return collect(traceHeads[traceSlot(traceHeads, high, low)], traceNext, limit);
  }

  private static int[] collect(int head, int[] next, int limit) {
    int n = 0;
    for (int l = head; l != 0; l = next[l]) {
      n++;
    }
    int[] out = new int[n];
    int k = 0;
    for (int l = head; l != 0; l = next[l]) {
      if (l < limit) {
        out[k++] = l;
      }
    }
    out = Arrays.copyOf(out, k);
    Arrays.sort(out);
    return out;
  }

  private long traceHigh(int l) {
    return symbols.traceHigh(l);
  }

  private long traceLow(int l) {
    return symbols.traceLow(l);
  }

  private long span(int l) {
    return symbols.span(l);
  }

  /** The slot holding the chain of {@code span}, or the empty slot where it would go. */
  private int spanSlot(int[] table, long span) {
    int mask = table.length - 1;
    int slot = IntArrays.mix(span) & mask;
    for (int l; (l = table[slot]) != 0 && span(l) != span; slot = (slot + 1) & mask) {}
    return slot;
  }

  private int traceSlot(int[] table, long high, long low) {
    int mask = table.length - 1;
    int slot = IntArrays.mix(high * 0x9E3779B97F4A7C15L ^ low) & mask;
    for (int l;
        (l = table[slot]) != 0 && (traceHigh(l) != high || traceLow(l) != low);
        slot = (slot + 1) & mask) {}
    return slot;
  }

  private int[] rehash(int[] old, boolean spans) {
    int[] table = new int[old.length * 2];
    for (int head : old) {
      if (head != 0) {
        int slot =
            spans ? spanSlot(table, span(head)) : traceSlot(table, traceHigh(head), traceLow(head));
        table[slot] = head;
      }
    }
    return table;
  }

  /** A span id in hex as a long, or null when it is not 16 hex digits. */
  static Long spanKey(String hex) {
    String h = hex.toLowerCase(Locale.ROOT);
    if (h.length() != 16 || !hex(h)) {
      return null;
    }
    return HEX.fromHexDigitsToLong(h);
  }

  /** A trace id in hex as two longs (high, low), or null when it is not 32 hex digits. */
  static long[] traceKey(String hex) {
    String h = hex.toLowerCase(Locale.ROOT);
    if (h.length() != 32 || !hex(h)) {
      return null;
    }
    return new long[] {
      HEX.fromHexDigitsToLong(h.substring(0, 16)), HEX.fromHexDigitsToLong(h.substring(16))
    };
  }

  private static boolean hex(String s) {
    for (int i = 0; i < s.length(); i++) {
      if (!HexFormat.isHexDigit(s.charAt(i))) {
        return false;
      }
    }
    return true;
  }

  long ramBytesUsed() {
    return (spanHeads.length + traceHeads.length + spanNext.length + traceNext.length) * 4L + 64;
  }

  @Override
  public synchronized String toString() {
    return "LinkIndex{"
        + (indexed - 1)
        + " links, "
        + spanKeys
        + " spans, "
        + traceKeys
        + " traces}";
  }
}
