package dev.ember.index.store;

/**
 * A partition's stack prefix tree in parallel arrays: node {@code n} is the frame ({@code
 * function[n]}, {@code line[n]}) called from node {@code parent[n]}; node 0 is the root. A stack is
 * named by its leaf node, so a stored sample needs one int for its whole stack, and equal call
 * paths from different profiles share nodes. Parents always have smaller ids than their children.
 *
 * <p>Lookup of (parent, function, line) uses an open-addressing table of node ids. Not thread-safe:
 * the owning partition serialises writers and publishes to readers.
 */
final class StackNodes {
  private int[] parent = new int[1024];
  private int[] function = new int[1024];
  private long[] line = new long[1024];
  private int size = 1; // node 0: the root
  private int[] table = new int[2048]; // node ids, 0 = empty slot
  private int mask = table.length - 1;

  // Whole paths already translated, their leaf nodes found by a hash of their frames. A producer
  // resends mostly the same stacks every export window, so one probe and a walk up the parents
  // (the nodes of one path are mostly adjacent) replace a lookup per frame. Only in memory: empty
  // after a restart, filled again by the next requests.
  private final HashedIds paths = new HashedIds();

  int size() {
    return size;
  }

  int parent(int node) {
    return parent[node];
  }

  int function(int node) {
    return function[node];
  }

  long line(int node) {
    return line[node];
  }

  /** Returns the node id, or -1 when absent. */
  int find(int p, int f, long l) {
    int slot = hash(p, f, l) & mask;
    while (true) {
      int n = table[slot];
      if (n == 0) {
        return -1;
      }
      if (parent[n] == p && function[n] == f && line[n] == l) {
        return n;
      }
      slot = (slot + 1) & mask;
    }
  }

  /** Appends a node known to be absent; returns its id. */
  int add(int p, int f, long l) {
    if (p < 0 || p >= size) {
      throw new IllegalArgumentException("stack node parent " + p + " out of range " + size);
    }
    int n = size++;
    parent = IntArrays.grow(parent, size);
    function = IntArrays.grow(function, size);
    line = IntArrays.grow(line, size);
    parent[n] = p;
    function[n] = f;
    line[n] = l;
    if (size * 2 > table.length) {
      rehash();
    } else {
      insert(n);
    }
    return n;
  }

  private void insert(int n) {
    int slot = hash(parent[n], function[n], line[n]) & mask;
    while (table[slot] != 0) {
      slot = (slot + 1) & mask;
    }
    table[slot] = n;
  }

  private void rehash() {
    table = new int[table.length * 2];
    mask = table.length - 1;
    for (int n = 1; n < size; n++) {
      insert(n);
    }
  }

  private static int hash(int p, int f, long l) {
    return IntArrays.mix(((long) p * 0x9E3779B97F4A7C15L) ^ ((long) f << 32) ^ l);
  }

  /**
   * The leaf node of the path whose frames, root first, are {@code fns[0..depth)} and {@code
   * lines[0..depth)}, if it was remembered with {@link #rememberPath}; else -1. {@code hash} is
   * {@link #pathHash} of those frames.
   */
  int findPath(int[] fns, long[] lines, int depth, int hash) {
    return paths.find(hash, leaf -> isPath(leaf, fns, lines, depth));
  }

  /** True when {@code node} is the leaf of exactly these frames under the root. */
  private boolean isPath(int node, int[] fns, long[] lines, int depth) {
    int n = node;
    for (int i = depth - 1; i >= 0; i--) {
      if (n == 0 || function[n] != fns[i] || line[n] != lines[i]) {
        return false;
      }
      n = parent[n];
    }
    return n == 0;
  }

  /** Remembers that {@code leaf} ends the path of {@code hash} (see {@link #findPath}). */
  void rememberPath(int hash, int leaf) {
    if (leaf != 0) {
      paths.add(hash, leaf);
    }
  }

  /** The hash of a path given root first, for {@link #findPath} and {@link #rememberPath}. */
  static int pathHash(int[] fns, long[] lines, int depth) {
    long h = depth;
    for (int i = 0; i < depth; i++) {
      h = (h * 0x9E3779B97F4A7C15L + fns[i]) * 31 + lines[i];
    }
    return IntArrays.mix(h);
  }

  /** The nodes as they are now; the arrays are never written below {@code size}. */
  record View(int[] parent, int[] function, long[] line, int size) {}

  View view() {
    return new View(parent, function, line, size);
  }

  long ramBytesUsed() {
    return (long) parent.length * 4
        + function.length * 4L
        + line.length * 8L
        + table.length * 4L
        + paths.ramBytesUsed();
  }
}
