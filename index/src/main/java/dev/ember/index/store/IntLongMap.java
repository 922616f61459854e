package dev.ember.index.store;

import java.util.Arrays;

/**
 * An open-addressing map from non-negative int keys to long sums, for per-stack-node totals. Avoids
 * boxing on the merge hot path. Not thread-safe.
 */
final class IntLongMap {
  private int[] keys;
  private long[] values;
  private int size;
  private int mask;

  IntLongMap() {
    this(16);
  }

  IntLongMap(int expected) {
    int cap = Integer.highestOneBit(Math.max(4, expected * 2 - 1)) << 1;
    keys = new int[cap];
    values = new long[cap];
    Arrays.fill(keys, -1);
    mask = cap - 1;
  }

  void add(int key, long delta) {
    int slot = IntArrays.mix(key) & mask;
    while (true) {
      int k = keys[slot];
      if (k == key) {
        values[slot] += delta;
        return;
      }
      if (k == -1) {
        keys[slot] = key;
        values[slot] = delta;
        if (++size * 2 > keys.length) {
          rehash();
        }
        return;
      }
      slot = (slot + 1) & mask;
    }
  }

  long get(int key) {
    int slot = IntArrays.mix(key) & mask;
    while (true) {
      int k = keys[slot];
      if (k == key) {
        return values[slot];
      }
      if (k == -1) {
        return 0;
      }
      slot = (slot + 1) & mask;
    }
  }

  int size() {
    return size;
  }

  /** Adds every entry of {@code other} into this map. */
  void addAll(IntLongMap other) {
    for (int i = 0; i < other.keys.length; i++) {
      if (other.keys[i] != -1) {
        add(other.keys[i], other.values[i]);
      }
    }
  }

  interface Visitor {
    void visit(int key, long value);
  }

  void forEach(Visitor v) {
    for (int i = 0; i < keys.length; i++) {
      if (keys[i] != -1) {
        v.visit(keys[i], values[i]);
      }
    }
  }

  IntLongMap copy() {
    IntLongMap c = new IntLongMap(4);
    c.keys = keys.clone();
    c.values = values.clone();
    c.size = size;
    c.mask = mask;
    return c;
  }

  private void rehash() {
    int[] oldKeys = keys;
    long[] oldValues = values;
    keys = new int[oldKeys.length * 2];
    values = new long[oldKeys.length * 2];
    Arrays.fill(keys, -1);
    mask = keys.length - 1;
    size = 0;
    for (int i = 0; i < oldKeys.length; i++) {
      if (oldKeys[i] != -1) {
        add(oldKeys[i], oldValues[i]);
      }
    }
  }

  long ramBytesUsed() {
    return keys.length * 12L + 32;
  }
}
