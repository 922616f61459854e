package dev.ember.examples.demo;

/** Pretend search: hashing strings, a second distinct hot path. */
final class Search {
  private Search() {}

  static volatile int sink;

  static void scan(int n) {
    int hits = 0;
    StringBuilder b = new StringBuilder();
    for (int i = 0; i < n; i++) {
      b.setLength(0);
      b.append("doc-").append(i);
      if ((b.toString().hashCode() & 7) == 0) {
        hits++;
      }
    }
    sink = hits;
  }
}
