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
  private int[] parent = new int[1024];
  private int[] name = new int[1024];
  private long[] self = new long[1024];
  private long[] total;
  private int size = 1;
  private int[] table = new int[2048];
  private int mask = table.length - 1;

  private String[] names = new String[256];
  private int nameCount = 1;
  private final Map<String, Integer> nameIds = new HashMap<>();

  public FlameTree() {
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

  /** Children lists sorted by name, for rendering: {@code [first child, next sibling]}. */
  int[][] sortedChildren() {
    Integer[] order = new Integer[size - 1];
    for (int i = 0; i < order.length; i++) {
      order[i] = i + 1;
    }
    // Sort by (parent, name) so each parent's children are contiguous and alphabetical.
    Arrays.sort(
        order,
        (a, b) -> {
          int c = Integer.compare(parent[a], parent[b]);
          return c != 0 ? c : names[name[a]].compareTo(names[name[b]]);
        });
    int[] first = new int[size];
    int[] next = new int[size];
    Arrays.fill(first, -1);
    Arrays.fill(next, -1);
    for (int i = order.length - 1; i >= 0; i--) {
      int n = order[i];
      next[n] = first[parent[n]];
      first[parent[n]] = n;
    }
    return new int[][] {first, next};
  }
}
