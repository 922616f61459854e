package dev.ember.index.store;

import java.util.Arrays;

/** A growable list of ints without boxing. Not thread-safe. */
final class IntList {
  private int[] items = new int[16];
  private int size;

  void add(int v) {
    if (size == items.length) {
      items = Arrays.copyOf(items, size * 2);
    }
    items[size++] = v;
  }

  int size() {
    return size;
  }

  int get(int i) {
    return items[i];
  }

  int[] toArray() {
    return Arrays.copyOf(items, size);
  }
}
