package dev.ember.index.store;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
import java.util.HexFormat;

/**
 * The packed form of a span link: 16 trace-id bytes then 8 span-id bytes, read and written as three
 * big-endian longs (trace id high, trace id low, span id), so that ids compare and hash as numbers
 * and print as the hex the OTel APIs show.
 */
final class LinkBytes {
  private static final VarHandle LONG =
      MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.BIG_ENDIAN);
  private static final HexFormat HEX = HexFormat.of();

  private LinkBytes() {}

  static long traceHigh(byte[] b, int at) {
    return (long) LONG.get(b, at);
  }

  static long traceLow(byte[] b, int at) {
    return (long) LONG.get(b, at + 8);
  }

  static long span(byte[] b, int at) {
    return (long) LONG.get(b, at + 16);
  }

  /** Reads 8 big-endian bytes (a span id, or half a trace id). */
  static long longAt(byte[] b, int at) {
    return (long) LONG.get(b, at);
  }

  static void put(byte[] b, int at, long traceHigh, long traceLow, long span) {
    LONG.set(b, at, traceHigh);
    LONG.set(b, at + 8, traceLow);
    LONG.set(b, at + 16, span);
  }

  /** 32 lower-case hex digits. */
  static String traceHex(long high, long low) {
    return HEX.toHexDigits(high) + HEX.toHexDigits(low);
  }

  /** 16 lower-case hex digits. */
  static String spanHex(long span) {
    return HEX.toHexDigits(span);
  }
}
