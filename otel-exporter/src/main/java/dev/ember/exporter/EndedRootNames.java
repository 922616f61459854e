package dev.ember.exporter;

import java.util.concurrent.ConcurrentHashMap;

/**
 * The names of recently ended local root spans by span id, in a fixed-size table where a newer root
 * takes the slot of an older one. The sampler asks for a root's name a few seconds after its
 * samples were taken, when the root has often ended.
 *
 * <p>Why only primitives in the slots: the table lives as long as the application (in the old
 * generation of the heap) and is written once per request. When it held one small new object per
 * ended root, each lived until its slot was reused (over a minute at 200 requests/s), so every
 * young collection found thousands of references from the table to young objects and copied those
 * objects again; and any reference written into it marks a card the collector scans. Now a slot
 * holds the span id and the number of its name in a table of distinct names, up to {@code maxNames}
 * of them (span names are an application's endpoints). Beyond the cap a name is kept as it comes in
 * a slot of its own, which is correct, only less kind to the collector.
 *
 * <p>Thread-safe: a slot is written and read under one of a few locks, so a reader never pairs one
 * root's id with another's name.
 */
final class EndedRootNames {
  private static final int STRIPES = 64;

  private final long[] ids;
  private final int[] nameNumbers;
  private final String[] uncounted;
  private final Object[] locks = new Object[STRIPES];
  private final ConcurrentHashMap<String, Integer> numbers = new ConcurrentHashMap<>();
  private volatile String[] names = new String[16];
  private final int maxNames;

  /** {@code slots} must be a power of two. */
  EndedRootNames(int slots, int maxNames) {
    if (Integer.bitCount(slots) != 1) {
      throw new IllegalArgumentException("slots must be a power of two: " + slots);
    }
    this.ids = new long[slots];
    this.nameNumbers = new int[slots];
    this.uncounted = new String[slots];
    this.maxNames = maxNames;
    for (int i = 0; i < STRIPES; i++) {
      locks[i] = new Object();
    }
  }

  /** Remembers the name of an ended root; span id 0 is "none" and is ignored. */
  void put(long spanId, String name) {
    if (spanId == 0 || name == null) {
      return;
    }
    int number = number(name);
    int slot = slot(spanId);
    synchronized (locks[slot & (STRIPES - 1)]) {
      ids[slot] = spanId;
      nameNumbers[slot] = number;
      if (number < 0) {
        uncounted[slot] = name;
      } else if (uncounted[slot] != null) {
        uncounted[slot] = null;
      }
    }
  }

  /** The name of an ended root, or null when unknown or its slot was taken by a newer root. */
  String get(long spanId) {
    if (spanId == 0) {
      return null;
    }
    int slot = slot(spanId);
    synchronized (locks[slot & (STRIPES - 1)]) {
      if (ids[slot] != spanId) {
        return null;
      }
      int number = nameNumbers[slot];
      return number < 0 ? uncounted[slot] : names[number];
    }
  }

  /** The first string seen with this content, while fewer than {@code maxNames} are known. */
  String canonical(String name) {
    int number = number(name);
    return number < 0 ? name : names[number];
  }

  /** The number of a name in {@link #names}; -1 once {@code maxNames} are taken. */
  private int number(String name) {
    Integer known = numbers.get(name);
    if (known != null) {
      return known;
    }
    synchronized (numbers) {
      known = numbers.get(name);
      if (known != null) {
        return known;
      }
      int n = numbers.size();
      if (n >= maxNames) {
        return -1;
      }
      String[] table = names;
      if (n == table.length) {
        table = java.util.Arrays.copyOf(table, n * 2);
      }
      table[n] = name;
      names = table; // published before the number can be read from the map
      numbers.put(name, n);
      return n;
    }
  }

  int slot(long id) {
    return (int) (id ^ (id >>> 32)) & (ids.length - 1);
  }
}
