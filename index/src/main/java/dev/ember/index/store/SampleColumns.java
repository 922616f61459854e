package dev.ember.index.store;

import com.google.protobuf.ByteString;
import java.io.IOException;
import java.util.Arrays;
import java.util.zip.DataFormatException;
import java.util.zip.Deflater;
import java.util.zip.Inflater;

/**
 * The samples of one stored profile as four parallel columns (stack node, value, link and attribute
 * set ids), and their compact encoding in {@code StoredProfile.samples}.
 *
 * <p>Encoding: {@code varint count, varint flags, varint unit}, then the columns, each as varints:
 * stack node ids as zigzag deltas from the previous sample's, values divided by {@code unit} (their
 * greatest common divisor: a CPU profile's period, so counts of one or two remain), link ids as
 * zigzag deltas (samples are ordered by link id, so most deltas are 0 or 1), and attribute set ids.
 * Flag bit 0: the link column is present; bit 1: the attribute set column is present; bit 2: the
 * columns are raw-DEFLATE compressed (when that saves at least an eighth). A profile's sample order
 * carries no meaning, so the encoder is free to reorder them.
 */
final class SampleColumns {
  static final int HAS_LINKS = 1;
  static final int HAS_SETS = 2;
  static final int DEFLATED = 4;

  /** Columns shorter than this are not worth compressing. */
  static final int DEFLATE_FROM = 64;

  final int count;
  final int[] stacks;
  final long[] values;
  private final int[] links; // null: no sample has a link
  private final int[] sets; // null: no sample has attributes

  SampleColumns(int count, int[] stacks, long[] values, int[] links, int[] sets) {
    this.count = count;
    this.stacks = stacks;
    this.values = values;
    this.links = links;
    this.sets = sets;
  }

  int stack(int i) {
    return stacks[i];
  }

  long value(int i) {
    return values[i];
  }

  /** The sample's link id, 0 when it has none. */
  int link(int i) {
    return links == null ? 0 : links[i];
  }

  /** The sample's attribute set id, 0 when it has none. */
  int attributeSet(int i) {
    return sets == null ? 0 : sets[i];
  }

  boolean hasLinks() {
    return links != null;
  }

  boolean hasAttributeSets() {
    return sets != null;
  }

  // ---- encoding ----

  /**
   * Encodes {@code n} samples; {@code links} and {@code sets} may be null when no sample has one.
   * {@code deflater} is reset and reused (one per writer, not thread-safe).
   */
  static byte[] encode(
      int n, int[] stacks, long[] values, int[] links, int[] sets, Deflater deflater) {
    // Order by link id (then by original position): the link column becomes runs and steps.
    int[] order = new int[n];
    if (links != null) {
      long[] keys = new long[n];
      for (int i = 0; i < n; i++) {
        keys[i] = ((long) links[i] << 32) | i;
      }
      Arrays.sort(keys);
      for (int i = 0; i < n; i++) {
        order[i] = (int) keys[i];
      }
    } else {
      for (int i = 0; i < n; i++) {
        order[i] = i;
      }
    }
    long unit = 0;
    for (int i = 0; i < n && unit != 1; i++) {
      long a = Math.abs(values[i]);
      if (a != 0 && (unit == 0 || a % unit != 0)) {
        unit = gcd(unit, a);
      }
    }
    if (unit <= 0) {
      unit = 1; // all zero, or Long.MIN_VALUE among them
    }
    Buffer columns = new Buffer(n * 6 + 16);
    int prev = 0;
    for (int i = 0; i < n; i++) {
      int s = stacks[order[i]];
      columns.zigzag(s - prev);
      prev = s;
    }
    for (int i = 0; i < n; i++) {
      columns.zigzag(values[order[i]] / unit);
    }
    if (links != null) {
      prev = 0;
      for (int i = 0; i < n; i++) {
        int l = links[order[i]];
        columns.zigzag(l - prev);
        prev = l;
      }
    }
    if (sets != null) {
      for (int i = 0; i < n; i++) {
        columns.varint(sets[order[i]]);
      }
    }
    int flags = (links != null ? HAS_LINKS : 0) | (sets != null ? HAS_SETS : 0);
    byte[] body = columns.bytes;
    int bodyLength = columns.length;
    if (bodyLength >= DEFLATE_FROM && deflater != null) {
      byte[] packed = deflate(deflater, body, bodyLength);
      if (packed != null) {
        flags |= DEFLATED;
        body = packed;
        bodyLength = packed.length;
      }
    }
    Buffer out = new Buffer(bodyLength + 24);
    out.varint(n);
    out.varint(flags);
    out.varint(unit);
    out.put(body, bodyLength);
    return Arrays.copyOf(out.bytes, out.length);
  }

  /** The deflated bytes, or null when they would not save an eighth. */
  private static byte[] deflate(Deflater deflater, byte[] plain, int length) {
    deflater.reset();
    deflater.setInput(plain, 0, length);
    deflater.finish();
    byte[] out = new byte[length - length / 8];
    int n = 0;
    while (!deflater.finished()) {
      if (n == out.length) {
        return null;
      }
      n += deflater.deflate(out, n, out.length - n);
    }
    return Arrays.copyOf(out, n);
  }

  private static long gcd(long a, long b) {
    while (b != 0) {
      long t = a % b;
      a = b;
      b = t;
    }
    return a;
  }

  // ---- decoding ----

  /**
   * Decodes what {@link #encode} wrote; throws on bytes that cannot be such an encoding. {@code
   * inflater} is reset and reused (the caller's, one thread at a time).
   */
  static SampleColumns decode(ByteString encoded, Inflater inflater) throws IOException {
    byte[] b = encoded.toByteArray();
    Reader header = new Reader(b, 0, b.length);
    int n = header.varint32();
    int flags = header.varint32();
    long unit = header.varint64();
    if (n < 0 || n > DurableLog.MAX_RECORD || unit <= 0 || (flags & ~7) != 0) {
      throw new IOException("corrupt sample columns: " + n + " samples, flags " + flags);
    }
    Reader r = header;
    if ((flags & DEFLATED) != 0) {
      r = inflate(b, header.at, n, inflater);
    }
    int[] stacks = new int[n];
    long[] values = new long[n];
    int prev = 0;
    for (int i = 0; i < n; i++) {
      prev += r.zigzag32();
      stacks[i] = prev;
    }
    for (int i = 0; i < n; i++) {
      values[i] = r.zigzag64() * unit;
    }
    int[] links = null;
    if ((flags & HAS_LINKS) != 0) {
      links = new int[n];
      prev = 0;
      for (int i = 0; i < n; i++) {
        prev += r.zigzag32();
        links[i] = prev;
      }
    }
    int[] sets = null;
    if ((flags & HAS_SETS) != 0) {
      sets = new int[n];
      for (int i = 0; i < n; i++) {
        sets[i] = r.varint32();
      }
    }
    if (r.at != r.end) {
      throw new IOException("corrupt sample columns: " + (r.end - r.at) + " bytes left over");
    }
    return new SampleColumns(n, stacks, values, links, sets);
  }

  private static Reader inflate(byte[] b, int from, int samples, Inflater inflater)
      throws IOException {
    inflater.reset();
    try {
      inflater.setInput(b, from, b.length - from);
      // At most 10 bytes per varint and 4 columns; usually far less: grow as needed.
      byte[] out = new byte[Math.max(64, Math.min(samples * 8, 1 << 20))];
      int n = 0;
      while (!inflater.finished()) {
        if (n == out.length) {
          if (out.length >= samples * 40 + 64) {
            throw new IOException("corrupt sample columns: inflate past their largest size");
          }
          out = Arrays.copyOf(out, Math.min(out.length * 2, samples * 40 + 64));
        }
        int got = inflater.inflate(out, n, out.length - n);
        if (got == 0 && (inflater.needsInput() || inflater.needsDictionary())) {
          throw new IOException("corrupt sample columns: truncated compressed data");
        }
        n += got;
      }
      return new Reader(out, 0, n);
    } catch (DataFormatException e) {
      throw new IOException("corrupt sample columns: " + e.getMessage(), e);
    }
  }

  /** A growable byte array written with varints. */
  private static final class Buffer {
    byte[] bytes;
    int length;

    Buffer(int capacity) {
      bytes = new byte[Math.max(16, capacity)];
    }

    void zigzag(long v) {
      varint((v << 1) ^ (v >> 63));
    }

    void varint(long v) {
      if (length + 10 > bytes.length) {
        bytes = Arrays.copyOf(bytes, bytes.length * 2 + 10);
      }
      while ((v & ~0x7FL) != 0) {
        bytes[length++] = (byte) ((v & 0x7F) | 0x80);
        v >>>= 7;
      }
      bytes[length++] = (byte) v;
    }

    void put(byte[] b, int n) {
      if (length + n > bytes.length) {
        bytes = Arrays.copyOf(bytes, length + n);
      }
      System.arraycopy(b, 0, bytes, length, n);
      length += n;
    }
  }

  /** Reads varints, failing on a varint that runs past the end. */
  private static final class Reader {
    final byte[] b;
    int at;
    final int end;

    Reader(byte[] b, int at, int end) {
      this.b = b;
      this.at = at;
      this.end = end;
    }

    long varint64() throws IOException {
      long v = 0;
      for (int shift = 0; shift < 64; shift += 7) {
        if (at >= end) {
          throw new IOException("corrupt sample columns: a varint runs past the end");
        }
        byte x = b[at++];
        v |= (long) (x & 0x7F) << shift;
        if (x >= 0) {
          return v;
        }
      }
      throw new IOException("corrupt sample columns: a varint is too long");
    }

    int varint32() throws IOException {
      long v = varint64();
      if (v < 0 || v > Integer.MAX_VALUE) {
        throw new IOException("corrupt sample columns: " + v + " is not an id");
      }
      return (int) v;
    }

    long zigzag64() throws IOException {
      long v = varint64();
      return (v >>> 1) ^ -(v & 1);
    }

    int zigzag32() throws IOException {
      return (int) zigzag64();
    }
  }
}
