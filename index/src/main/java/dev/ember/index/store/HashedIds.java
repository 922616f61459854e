package dev.ember.index.store;

import java.util.function.IntPredicate;

/**
 * Positive ids found by a 32-bit hash of content their owner keeps elsewhere: an open-addressing
 * table of {@code hash << 32 | id} entries (0 marks an empty slot). Equal hashes may hold several
 * ids, so {@link #find} asks the owner to compare each candidate's content. Not thread-safe.
 */
final class HashedIds {
  private long[] entries = new long[256];
  private int size;

  /** The first id under {@code hash} whose content {@code matches}, or -1. */
  int find(int hash, IntPredicate matches) {
    int mask = entries.length - 1;
    for (int slot = IntArrays.mix(hash) & mask; entries[slot] != 0; slot = (slot + 1) & mask) {
      long e = entries[slot];
      if ((int) (e >>> 32) == hash && matches.test((int) e)) {
        return (int) e;
      }
    }
    return -1;
  }

  /** Adds {@code id} (positive) under {@code hash}. */
  void add(int hash, int id) {
    if (id <= 0) {
      throw new IllegalArgumentException("id " + id + " is not positive");
    }
    if (++size * 2 > entries.length) {
      long[] old = entries;
      entries = new long[old.length * 2];
      for (long e : old) {
        if (e != 0) {
          put(e);
        }
      }
    }
    put((long) hash << 32 | id);
  }

  private void put(long e) {
    int mask = entries.length - 1;
    int slot = IntArrays.mix((int) (e >>> 32)) & mask;
    while (entries[slot] != 0) {
      slot = (slot + 1) & mask;
    }
    entries[slot] = e;
  }

  long ramBytesUsed() {
    return entries.length * 8L;
  }
}
