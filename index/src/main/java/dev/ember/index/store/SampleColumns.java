package dev.ember.index.store;

import com.google.protobuf.ByteString;
import java.io.IOException;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
import java.util.Arrays;

/**
 * The samples of one stored profile as four parallel columns (stack node, value, link and attribute
 * set ids), and their compact encoding in {@code StoredProfile.samples}.
 *
 * <p>Layout: {@code varint count, varint flags, varint unit}, then the columns. Flag bit 0: the
 * link column is present; bit 1: the attribute set column is present. Samples are ordered by link
 * id (a profile's sample order carries no meaning). Each column is bit-packed, in one of two modes,
 * whichever is smaller:
 *
 * <ul>
 *   <li>frame of reference ({@code 0}): {@code zigzag varint min, byte width}, then every value
 *       minus {@code min} in {@code width} bits;
 *   <li>dictionary ({@code 1}): {@code varint size}, the distinct values ascending ({@code zigzag
 *       varint} first, then {@code varint} gaps), {@code byte width}, then every value's index in
 *       {@code width} bits.
 * </ul>
 *
 * Values are divided by {@code unit}, their greatest common divisor (a CPU profile's period, so
 * counts of one or two remain); the link column is the count of samples without a link, then the
 * first link id of the others as a varint and the gaps between their (ascending) ids. Bits are
 * packed little endian, each column starting on a byte. A CPU profile of the demo workload takes
 * about two bytes a sample, as much as DEFLATE makes of plain varints, and decodes several times
 * faster.
 */
final class SampleColumns {
  static final int HAS_LINKS = 1;
  static final int HAS_SETS = 2;

  private static final int FRAME_OF_REFERENCE = 0;
  private static final int DICTIONARY = 1;

  /** Columns with more distinct values than this are not dictionary-coded. */
  private static final int MAX_DICTIONARY = 4096;

  private static final VarHandle LONG_LE =
      MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);

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
   * Encodes {@code n} samples (link ids non-negative); {@code links} and {@code sets} may be null
   * when no sample has one.
   */
  static byte[] encode(int n, int[] stacks, long[] values, int[] links, int[] sets) {
    int[] order = links == null ? identity(n) : orderByLink(n, links);
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
    Output out = new Output(n * 4 + 32);
    out.varint(n);
    out.varint((links != null ? HAS_LINKS : 0) | (sets != null ? HAS_SETS : 0));
    out.varint(unit);
    long[] column = new long[n];
    for (int i = 0; i < n; i++) {
      column[i] = stacks[order[i]];
    }
    out.column(column, n, true);
    for (int i = 0; i < n; i++) {
      column[i] = values[order[i]] / unit;
    }
    out.column(column, n, false);
    if (links != null) {
      int zeros = 0;
      while (zeros < n && links[order[zeros]] == 0) {
        zeros++;
      }
      out.varint(zeros);
      if (zeros < n) {
        long prev = links[order[zeros]];
        out.varint(prev);
        for (int i = zeros + 1; i < n; i++) {
          long l = links[order[i]];
          column[i - zeros - 1] = l - prev;
          prev = l;
        }
        out.column(column, n - zeros - 1, false);
      }
    }
    if (sets != null) {
      for (int i = 0; i < n; i++) {
        column[i] = sets[order[i]];
      }
      out.column(column, n, true);
    }
    return out.toByteArray();
  }

  private static int[] identity(int n) {
    int[] order = new int[n];
    for (int i = 0; i < n; i++) {
      order[i] = i;
    }
    return order;
  }

  /**
   * Sample positions ordered by link id, then position: by counting when the ids span little more
   * than the samples (a profile's links are a few runs of nearby ids), else by sorting.
   */
  private static int[] orderByLink(int n, int[] links) {
    int[] order = new int[n];
    int min = Integer.MAX_VALUE;
    int max = Integer.MIN_VALUE;
    int nonZero = 0;
    for (int l : links) {
      if (l != 0) {
        min = Math.min(min, l);
        max = Math.max(max, l);
        nonZero++;
      }
    }
    if (nonZero > 0 && (long) max - min <= 4L * n + 64) {
      int[] counts = new int[max - min + 2]; // slot 0: no link
      for (int l : links) {
        counts[l == 0 ? 0 : l - min + 1]++;
      }
      for (int i = 0, at = 0; i < counts.length; i++) {
        int c = counts[i];
        counts[i] = at;
        at += c;
      }
      for (int i = 0; i < n; i++) {
        int l = links[i];
        order[counts[l == 0 ? 0 : l - min + 1]++] = i;
      }
      return order;
    }
    long[] keys = new long[n];
    for (int i = 0; i < n; i++) {
      keys[i] = ((long) links[i] << 32) | i;
    }
    Arrays.sort(keys);
    for (int i = 0; i < n; i++) {
      order[i] = (int) keys[i];
    }
    return order;
  }

  private static long gcd(long a, long b) {
    while (b != 0) {
      long t = a % b;
      a = b;
      b = t;
    }
    return a;
  }

  /** Bits to hold {@code v} as an unsigned number. */
  private static int width(long v) {
    return 64 - Long.numberOfLeadingZeros(v);
  }

  /** A growable byte array written with varints and bit-packed columns. */
  private static final class Output {
    byte[] bytes;
    int length;

    Output(int capacity) {
      bytes = new byte[Math.max(16, capacity)];
    }

    void ensure(int more) {
      if (length + more > bytes.length) {
        bytes = Arrays.copyOf(bytes, Math.max(bytes.length * 2, length + more));
      }
    }

    void put(int b) {
      ensure(1);
      bytes[length++] = (byte) b;
    }

    void zigzag(long v) {
      varint((v << 1) ^ (v >> 63));
    }

    void varint(long v) {
      ensure(10);
      while ((v & ~0x7FL) != 0) {
        bytes[length++] = (byte) ((v & 0x7F) | 0x80);
        v >>>= 7;
      }
      bytes[length++] = (byte) v;
    }

    /** Writes {@code v[0..n)} in the smaller mode (a dictionary only when {@code tryDict}). */
    void column(long[] v, int n, boolean tryDict) {
      long min = Long.MAX_VALUE;
      long max = Long.MIN_VALUE;
      for (int i = 0; i < n; i++) {
        min = Math.min(min, v[i]);
        max = Math.max(max, v[i]);
      }
      if (n == 0) {
        min = 0;
        max = 0;
      }
      int forWidth = width(max - min); // the range may wrap: widths are of unsigned differences
      long forBits = (long) n * forWidth;
      Distinct dict = tryDict && forWidth > 1 ? Distinct.of(v, n, forBits) : null;
      if (dict != null) {
        long[] values = dict.sorted;
        int dictWidth = width(values.length - 1);
        if (dictionaryBits(n, values.length) < forBits) {
          put(DICTIONARY);
          varint(values.length);
          zigzag(values[0]);
          for (int i = 1; i < values.length; i++) {
            varint(values[i] - values[i - 1]);
          }
          put(dictWidth);
          dict.rank();
          Bits bits = new Bits(this, n, dictWidth);
          for (int i = 0; i < n; i++) {
            bits.write(dict.indexOf(v[i]));
          }
          bits.finish();
          return;
        }
      }
      put(FRAME_OF_REFERENCE);
      zigzag(min);
      put(forWidth);
      Bits bits = new Bits(this, n, forWidth);
      for (int i = 0; i < n; i++) {
        bits.write(v[i] - min);
      }
      bits.finish();
    }

    byte[] toByteArray() {
      return Arrays.copyOf(bytes, length);
    }
  }

  /**
   * The distinct values of a column, ascending, and once {@link #rank}ed a hash table from value to
   * its position among them (one probe per value where a binary search took several unpredictable
   * branches).
   */
  private static final class Distinct {
    final long[] sorted;
    private final long[] keys;
    private final boolean[] used;
    private int[] ranks; // per slot, once ranked

    private Distinct(long[] sorted, long[] keys, boolean[] used) {
      this.sorted = sorted;
      this.keys = keys;
      this.used = used;
    }

    /**
     * The distinct values of {@code v[0..n)}, or null when there are too many for a dictionary to
     * be smaller than {@code forBits} (checked as they are found: counting on stops early).
     */
    static Distinct of(long[] v, int n, long forBits) {
      int cap = Integer.highestOneBit(Math.max(8, Math.min(n, MAX_DICTIONARY) * 2 - 1)) << 1;
      long[] keys = new long[cap];
      boolean[] used = new boolean[cap];
      int size = 0;
      for (int i = 0; i < n; i++) {
        int slot = IntArrays.mix(v[i]) & (cap - 1);
        while (used[slot] && keys[slot] != v[i]) {
          slot = (slot + 1) & (cap - 1);
        }
        if (!used[slot]) {
          if (++size > MAX_DICTIONARY
              || size * 2 > cap
              || dictionaryBits(n, size) >= forBits) { // more values only cost more
            return null;
          }
          used[slot] = true;
          keys[slot] = v[i];
        }
      }
      long[] sorted = new long[size];
      for (int s = 0, k = 0; s < cap; s++) {
        if (used[s]) {
          sorted[k++] = keys[s];
        }
      }
      Arrays.sort(sorted);
      return new Distinct(sorted, keys, used);
    }

    /** Ranks the values, once the column is to be dictionary-coded. */
    void rank() {
      ranks = new int[keys.length];
      for (int i = 0; i < sorted.length; i++) {
        ranks[slotOf(sorted[i])] = i;
      }
    }

    /** The position of {@code value}, one of the column's values, in {@link #sorted}. */
    int indexOf(long value) {
      return ranks[slotOf(value)];
    }

    private int slotOf(long value) {
      int mask = keys.length - 1;
      int slot = IntArrays.mix(value) & mask;
      while (!used[slot] || keys[slot] != value) {
        slot = (slot + 1) & mask;
      }
      return slot;
    }
  }

  /** The bits of a dictionary-coded column of {@code n} values, {@code size} of them distinct. */
  private static long dictionaryBits(int n, int size) {
    return (long) n * width(size - 1) + 8L * 3 * size;
  }

  /** Packs values of a fixed width into the output, little endian, 64 bits at a time. */
  private static final class Bits {
    private final Output out;
    private final int width;
    private long acc;
    private int filled;

    Bits(Output out, int n, int width) {
      this.out = out;
      this.width = width;
      out.ensure((int) (((long) n * width + 7) / 8) + 8);
    }

    void write(long v) {
      if (width == 0) {
        return;
      }
      if (width < 64) {
        v &= (1L << width) - 1;
      }
      acc |= v << filled;
      int total = filled + width;
      if (total >= 64) {
        LONG_LE.set(out.bytes, out.length, acc);
        out.length += 8;
        int used = 64 - filled;
        acc = used == 64 ? 0 : v >>> used;
        filled = total - 64;
      } else {
        filled = total;
      }
    }

    void finish() {
      for (; filled > 0; filled -= 8) {
        out.bytes[out.length++] = (byte) acc;
        acc >>>= 8;
      }
      filled = 0;
    }
  }

  // ---- decoding ----

  /** Decodes what {@link #encode} wrote; throws on bytes that cannot be such an encoding. */
  static SampleColumns decode(ByteString encoded) throws IOException {
    Input in = new Input(encoded.toByteArray());
    // Samples are distinct (stack, link, attribute set), so each takes at least a bit somewhere.
    int n = in.count((int) Math.min(Integer.MAX_VALUE - 8, 8L * encoded.size() + 1));
    int flags = in.count(3);
    long unit = in.varint();
    if (unit <= 0) {
      throw new IOException("corrupt sample columns: unit " + unit);
    }
    long[] column = new long[n];
    int[] stacks = new int[n];
    in.column(column, n);
    for (int i = 0; i < n; i++) {
      stacks[i] = in.id(column[i]);
    }
    long[] values = new long[n];
    in.column(values, n);
    for (int i = 0; i < n; i++) {
      values[i] *= unit;
    }
    int[] links = null;
    if ((flags & HAS_LINKS) != 0) {
      links = new int[n];
      int zeros = in.count(n);
      if (zeros < n) {
        long prev = in.id(in.varint());
        links[zeros] = (int) prev;
        in.column(column, n - zeros - 1);
        for (int i = zeros + 1; i < n; i++) {
          prev += column[i - zeros - 1];
          links[i] = in.id(prev);
        }
      }
    }
    int[] sets = null;
    if ((flags & HAS_SETS) != 0) {
      sets = new int[n];
      in.column(column, n);
      for (int i = 0; i < n; i++) {
        sets[i] = in.id(column[i]);
      }
    }
    if (in.at != in.bytes.length) {
      throw new IOException(
          "corrupt sample columns: " + (in.bytes.length - in.at) + " bytes left over");
    }
    return new SampleColumns(n, stacks, values, links, sets);
  }

  /** Reads varints and bit-packed columns, failing on anything that runs past the end. */
  private static final class Input {
    final byte[] bytes;
    int at;

    Input(byte[] bytes) {
      this.bytes = bytes;
    }

    int get() throws IOException {
      if (at >= bytes.length) {
        throw new IOException("corrupt sample columns: truncated");
      }
      return bytes[at++] & 0xFF;
    }

    long varint() throws IOException {
      long v = 0;
      for (int shift = 0; shift < 64; shift += 7) {
        int b = get();
        v |= (long) (b & 0x7F) << shift;
        if (b < 0x80) {
          return v;
        }
      }
      throw new IOException("corrupt sample columns: a varint is too long");
    }

    long zigzag() throws IOException {
      long v = varint();
      return (v >>> 1) ^ -(v & 1);
    }

    /** A count or flags from 0 to {@code max}. */
    int count(int max) throws IOException {
      long v = varint();
      if (v < 0 || v > max) {
        throw new IOException("corrupt sample columns: " + v + " out of range");
      }
      return (int) v;
    }

    int id(long v) throws IOException {
      if (v < 0 || v > Integer.MAX_VALUE) {
        throw new IOException("corrupt sample columns: " + v + " is not an id");
      }
      return (int) v;
    }

    void column(long[] out, int n) throws IOException {
      int mode = get();
      if (mode == DICTIONARY) {
        int size = count(Math.max(1, n));
        if (size == 0) {
          throw new IOException("corrupt sample columns: an empty dictionary");
        }
        long[] dict = new long[size];
        dict[0] = zigzag();
        for (int i = 1; i < size; i++) {
          dict[i] = dict[i - 1] + varint();
        }
        int width = widthByte();
        unpack(out, n, width);
        for (int i = 0; i < n; i++) {
          if (out[i] >= size) {
            throw new IOException("corrupt sample columns: dictionary index " + out[i]);
          }
          out[i] = dict[(int) out[i]];
        }
      } else if (mode == FRAME_OF_REFERENCE) {
        long min = zigzag();
        unpack(out, n, widthByte());
        for (int i = 0; i < n; i++) {
          out[i] += min;
        }
      } else {
        throw new IOException("corrupt sample columns: column mode " + mode);
      }
    }

    private int widthByte() throws IOException {
      int w = get();
      if (w > 64) {
        throw new IOException("corrupt sample columns: width " + w);
      }
      return w;
    }

    private void unpack(long[] out, int n, int width) throws IOException {
      long bitsNeeded = (long) n * width;
      int length = (int) ((bitsNeeded + 7) / 8);
      if (length > bytes.length - at) {
        throw new IOException("corrupt sample columns: truncated");
      }
      if (width == 0) {
        Arrays.fill(out, 0, n, 0);
        return;
      }
      long mask = width == 64 ? -1L : (1L << width) - 1;
      long pos = (long) at * 8;
      int end = at + length;
      for (int i = 0; i < n; i++) {
        int index = (int) (pos >>> 3);
        int shift = (int) (pos & 7);
        long word = load(index, end) >>> shift;
        if (width + shift > 64) {
          word |= (long) (bytes[index + 8] & 0xFF) << (64 - shift);
        }
        out[i] = word & mask;
        pos += width;
      }
      at = end;
    }

    /** Eight little-endian bytes from {@code index}, zeros past {@code end}. */
    private long load(int index, int end) {
      if (index + 8 <= end) {
        return (long) LONG_LE.get(bytes, index);
      }
      long v = 0;
      for (int i = end - 1; i >= index; i--) {
        v = (v << 8) | (bytes[i] & 0xFF);
      }
      return v;
    }
  }
}
