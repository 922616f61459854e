package dev.ember.index.query;

import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;

/**
 * A merged call tree keyed by frame names, in parallel arrays: node {@code n} has a parent, a name
 * id and a self value; totals are computed once, after all values are in. Node 0 is the root
 * ("total"). A child is found by (parent, name) in an open-addressing table, so merging a stack is
 * one probe per frame and no object is allocated per node. Parents always precede children.
 *
 * <p>Not thread-safe: build one per query (or per partition and {@link #mergeFrom} them).
 */
public final class FlameTree {
  private final int maxNodes;
  // Small to start: a span's tree has a handful of nodes, and a tree per partition is built.
  private int[] parent = new int[64];
  private int[] name = new int[64];
  private long[] self = new long[64];
  private long[] total;
  private int size = 1;
  private int[] table = new int[128];
  private int mask = table.length - 1;

  private String[] names = new String[32];
  private int nameCount = 1;
  private final Map<String, Integer> nameIds = new HashMap<>();

  /** A tree without a node limit (for tests and tools). */
  public FlameTree() {
    this(Integer.MAX_VALUE);
  }

  /**
   * A tree that refuses to grow beyond {@code maxNodes} nodes with a {@link QueryLimitException},
   * so that a query over very many distinct stacks fails clearly instead of exhausting memory.
   */
  public FlameTree(int maxNodes) {
    this.maxNodes = maxNodes;
    names[0] = "total";
  }

  /** Number of nodes including the root. */
  public int size() {
    return size;
  }

  public int parent(int node) {
    return parent[node];
  }

  public String name(int node) {
    return names[name[node]];
  }

  public int nameId(int node) {
    return name[node];
  }

  public String nameOf(int nameId) {
    return names[nameId];
  }

  public int nameCount() {
    return nameCount;
  }

  public long self(int node) {
    return self[node];
  }

  /** Total of the node and its descendants; valid after {@link #computeTotals()}. */
  public long total(int node) {
    return total[node];
  }

  /** Interns a frame name and returns its id. */
  public int nameId(String frameName) {
    Integer id = nameIds.get(frameName);
    if (id == null) {
      id = nameCount++;
      if (id >= names.length) {
        names = Arrays.copyOf(names, names.length * 2);
      }
      names[id] = frameName;
      nameIds.put(frameName, id);
    }
    return id;
  }

  /** Returns the child of {@code p} named {@code nameId}, creating it if absent. */
  public int child(int p, int nameId) {
    int slot = hash(p, nameId) & mask;
    while (true) {
      int n = table[slot];
      if (n == 0) {
        break;
      }
      if (parent[n] == p && name[n] == nameId) {
        return n;
      }
      slot = (slot + 1) & mask;
    }
    if (size >= maxNodes) {
      throw new QueryLimitException(
          "the merged call tree exceeds the limit of "
              + maxNodes
              + " nodes; narrow the time range or the selector",
          "--query-max-tree-nodes");
    }
    int n = size++;
    if (size > parent.length) {
      int cap = parent.length * 2;
      parent = Arrays.copyOf(parent, cap);
      name = Arrays.copyOf(name, cap);
      self = Arrays.copyOf(self, cap);
    }
    parent[n] = p;
    name[n] = nameId;
    if (size * 2 > table.length) {
      rehash();
    } else {
      table[slot] = n;
    }
    total = null;
    return n;
  }

  private void rehash() {
    table = new int[table.length * 2];
    mask = table.length - 1;
    for (int n = 1; n < size; n++) {
      int slot = hash(parent[n], name[n]) & mask;
      while (table[slot] != 0) {
        slot = (slot + 1) & mask;
      }
      table[slot] = n;
    }
  }

  private static int hash(int p, int nameId) {
    long h = ((long) p << 32) ^ nameId;
    h *= 0x9E3779B97F4A7C15L;
    return (int) (h ^ (h >>> 29));
  }

  /** Adds a stack given root first; returns its leaf node. */
  public int addStack(String[] rootFirst, long value) {
    int node = 0;
    for (String frame : rootFirst) {
      node = child(node, nameId(frame));
    }
    addSelf(node, value);
    return node;
  }

  public void addSelf(int node, long value) {
    self[node] += value;
    total = null;
  }

  /** Sums self values into totals; parents precede children, so one reverse pass suffices. */
  public void computeTotals() {
    long[] t = Arrays.copyOf(self, size);
    for (int n = size - 1; n > 0; n--) {
      t[parent[n]] += t[n];
    }
    total = t;
  }

  /** Root total: the sum of every value in the tree. */
  public long grandTotal() {
    if (total == null) {
      computeTotals();
    }
    return total[0];
  }

  /** Adds every node of {@code other} into this tree (by names), non-recursively. */
  public void mergeFrom(FlameTree other) {
    int[] map = new int[other.size];
    int[] nameMap = new int[other.nameCount];
    Arrays.fill(nameMap, -1);
    for (int n = 1; n < other.size; n++) {
      int nid = other.name[n];
      if (nameMap[nid] < 0) {
        nameMap[nid] = nameId(other.names[nid]);
      }
      map[n] = child(map[other.parent[n]], nameMap[nid]);
      addSelf(map[n], other.self[n]);
    }
    addSelf(0, other.self[0]);
  }

  /** Depth of a node: 0 for the root. */
  public int depth(int node) {
    int d = 0;
    for (int n = node; n != 0; n = parent[n]) {
      d++;
    }
    return d;
  }

  /** Frame names from the root's child down to {@code node}. */
  public String[] path(int node) {
    String[] out = new String[depth(node)];
    int i = out.length;
    for (int n = node; n != 0; n = parent[n]) {
      out[--i] = names[name[n]];
    }
    return out;
  }

  /**
   * Nodes in depth-first order with children sorted by name (the order every renderer uses),
   * computed without recursion. The root comes first.
   */
  public int[] depthFirstOrder() {
    int[][] children = sortedChildren();
    int[] first = children[0];
    int[] next = children[1];
    int[] order = new int[size];
    int[] stack = new int[Math.max(16, size)];
    int sp = 0;
    int k = 0;
    stack[sp++] = 0;
    while (sp > 0) {
      int n = stack[--sp];
      order[k++] = n;
      // Push children in reverse so the first (by name) is visited first.
      int count = 0;
      for (int c = first[n]; c >= 0; c = next[c]) {
        count++;
      }
      int at = sp + count;
      for (int c = first[n]; c >= 0; c = next[c]) {
        stack[--at] = c;
      }
      sp += count;
    }
    return order;
  }

  /** Children lists sorted by name, for rendering: {@code [first child, next sibling]}. */
  int[][] sortedChildren() {
    // Rank names alphabetically once, then sort (parent, rank) keys as primitives: (parent, name)
    // is unique per node, so each key leads back to its node through the lookup table.
    Integer[] byName = new Integer[nameCount];
    for (int i = 0; i < nameCount; i++) {
      byName[i] = i;
    }
    Arrays.sort(byName, (a, b) -> names[a].compareTo(names[b]));
    int[] rank = new int[nameCount];
    int[] nameOfRank = new int[nameCount];
    for (int r = 0; r < nameCount; r++) {
      rank[byName[r]] = r;
      nameOfRank[r] = byName[r];
    }
    long[] keys = new long[size - 1];
    for (int n = 1; n < size; n++) {
      keys[n - 1] = ((long) parent[n] << 32) | rank[name[n]];
    }
    Arrays.sort(keys);
    int[] first = new int[size];
    int[] next = new int[size];
    Arrays.fill(first, -1);
    Arrays.fill(next, -1);
    for (int i = keys.length - 1; i >= 0; i--) {
      int p = (int) (keys[i] >>> 32);
      int n = find(p, nameOfRank[(int) keys[i]]);
      next[n] = first[p];
      first[p] = n;
    }
    return new int[][] {first, next};
  }

  /** The child of {@code p} named {@code nameId}, or -1. */
  public int find(int p, int nameId) {
    int slot = hash(p, nameId) & mask;
    while (true) {
      int n = table[slot];
      if (n == 0) {
        return -1;
      }
      if (parent[n] == p && name[n] == nameId) {
        return n;
      }
      slot = (slot + 1) & mask;
    }
  }
}
