package dev.ember.index.store;

import java.util.Arrays;

/** Growth helpers for the primitive arrays behind symbol tables and trees. */
final class IntArrays {
  private IntArrays() {}

  static int[] grow(int[] a, int minSize) {
    return minSize <= a.length ? a : Arrays.copyOf(a, Math.max(minSize, a.length * 2));
  }

  static long[] grow(long[] a, int minSize) {
    return minSize <= a.length ? a : Arrays.copyOf(a, Math.max(minSize, a.length * 2));
  }

  static int mix(long h) {
    h ^= h >>> 33;
    h *= 0xff51afd7ed558ccdL;
    h ^= h >>> 33;
    h *= 0xc4ceb9fe1a85ec53L;
    h ^= h >>> 33;
    return (int) h;
  }
}
