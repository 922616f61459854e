package dev.ember.index.store;

import java.nio.ByteBuffer;
import java.util.HexFormat;
import java.util.Locale;

/**
 * Which span and trace ids occur in one partition, as hash sets over its link table, so that a
 * lookup by span or trace skips every partition that cannot hold it without touching Lucene or the
 * log. Built from a symbols snapshot and extended as the partition's link table grows (links are
 * append-only). A span id is its 8 bytes as a long; a trace id is hashed to a long, so a trace
 * lookup may rarely visit a partition for nothing but never misses one.
 *
 * <p>Thread-safe: {@link #update} and the lookups synchronize on the index.
 */
final class LinkIndex {
  private static final HexFormat HEX = HexFormat.of();

  private long[] spans = new long[64];
  private long[] traces = new long[64];
  private int spanCount;
  private int traceCount;
  private boolean zeroSpan;
  private boolean zeroTrace;
  private int indexed = 1; // link 0 is the empty link

  /** Adds the links the snapshot holds beyond those already indexed. */
  synchronized void update(Symbols s) {
    for (int l = indexed; l < s.linkCount(); l++) {
      ByteBuffer b = ByteBuffer.wrap(s.link(l));
      long traceHigh = b.getLong(0);
      long traceLow = b.getLong(8);
      addSpan(b.getLong(16));
      addTrace(traceHash(traceHigh, traceLow));
    }
    indexed = Math.max(indexed, s.linkCount());
  }

  synchronized boolean mayHaveSpan(long span) {
    return span == 0 ? zeroSpan : contains(spans, span);
  }

  synchronized boolean mayHaveTrace(long hash) {
    return hash == 0 ? zeroTrace : contains(traces, hash);
  }

  /** The long form of a span id in hex, or null when it is not 16 hex digits. */
  static Long spanKey(String hex) {
    String h = hex.toLowerCase(Locale.ROOT);
    if (h.length() != 16 || !hex(h)) {
      return null;
    }
    return HEX.fromHexDigitsToLong(h);
  }

  /** The hash of a trace id in hex, or null when it is not 32 hex digits. */
  static Long traceKey(String hex) {
    String h = hex.toLowerCase(Locale.ROOT);
    if (h.length() != 32 || !hex(h)) {
      return null;
    }
    return traceHash(
        HEX.fromHexDigitsToLong(h.substring(0, 16)), HEX.fromHexDigitsToLong(h.substring(16)));
  }

  private static boolean hex(String s) {
    for (int i = 0; i < s.length(); i++) {
      if (!HexFormat.isHexDigit(s.charAt(i))) {
        return false;
      }
    }
    return true;
  }

  private static long traceHash(long high, long low) {
    long h = high * 0x9E3779B97F4A7C15L ^ low;
    return h ^ (h >>> 31);
  }

  private void addSpan(long v) {
    if (v == 0) {
      zeroSpan = true;
      return;
    }
    if ((spanCount + 1) * 2 > spans.length) {
      spans = rehash(spans);
    }
    if (insert(spans, v)) {
      spanCount++;
    }
  }

  private void addTrace(long v) {
    if (v == 0) {
      zeroTrace = true;
      return;
    }
    if ((traceCount + 1) * 2 > traces.length) {
      traces = rehash(traces);
    }
    if (insert(traces, v)) {
      traceCount++;
    }
  }

  private static boolean insert(long[] table, long v) {
    int mask = table.length - 1;
    int slot = IntArrays.mix(v) & mask;
    while (table[slot] != 0) {
      if (table[slot] == v) {
        return false;
      }
      slot = (slot + 1) & mask;
    }
    table[slot] = v;
    return true;
  }

  private static boolean contains(long[] table, long v) {
    int mask = table.length - 1;
    int slot = IntArrays.mix(v) & mask;
    while (table[slot] != 0) {
      if (table[slot] == v) {
        return true;
      }
      slot = (slot + 1) & mask;
    }
    return false;
  }

  private static long[] rehash(long[] old) {
    long[] table = new long[old.length * 2];
    for (long v : old) {
      if (v != 0) {
        insert(table, v);
      }
    }
    return table;
  }

  long ramBytesUsed() {
    return (spans.length + traces.length) * 8L + 64;
  }

  @Override
  public synchronized String toString() {
    return "LinkIndex{" + spanCount + " spans, " + traceCount + " traces}";
  }
}
