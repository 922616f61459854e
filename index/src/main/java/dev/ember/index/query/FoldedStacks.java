package dev.ember.index.query;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Folded stacks, the text format of Brendan Gregg's flamegraph.pl and many other tools: one line
 * per distinct stack, {@code root;caller;...;leaf value}, for every node with a self value, in
 * depth-first order with callees sorted by name. A {@code ;} or line break inside a frame name is
 * written as {@code :} or a space so that lines stay parseable.
 */
public final class FoldedStacks {
  private FoldedStacks() {}

  public static void write(FlameTree tree, Appendable out) {
    try {
      String[] path = new String[64];
      int[] depth = new int[tree.size()];
      StringBuilder line = new StringBuilder();
      for (int n : tree.depthFirstOrder()) {
        if (n == 0) {
          continue;
        }
        int d = depth[tree.parent(n)] + 1;
        depth[n] = d;
        if (d > path.length) {
          path = java.util.Arrays.copyOf(path, path.length * 2);
        }
        path[d - 1] = clean(tree.name(n));
        long self = tree.self(n);
        if (self == 0) {
          continue;
        }
        line.setLength(0);
        for (int i = 0; i < d; i++) {
          if (i > 0) {
            line.append(';');
          }
          line.append(path[i]);
        }
        line.append(' ').append(self).append('\n');
        out.append(line);
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  public static String toString(FlameTree tree) {
    StringBuilder b = new StringBuilder();
    write(tree, b);
    return b.toString();
  }

  /** Parses folded text back into stack to value (summing repeated stacks), for tools and tests. */
  public static Map<String, Long> parse(String text) {
    Map<String, Long> out = new LinkedHashMap<>();
    for (String line : text.split("\n")) {
      String l = line.strip();
      if (l.isEmpty()) {
        continue;
      }
      int sp = l.lastIndexOf(' ');
      if (sp <= 0) {
        throw new IllegalArgumentException("not a folded stack line: '" + line + "'");
      }
      out.merge(l.substring(0, sp), Long.parseLong(l.substring(sp + 1)), Long::sum);
    }
    return out;
  }

  static String clean(String name) {
    if (name.indexOf(';') < 0 && name.indexOf('\n') < 0 && name.indexOf('\r') < 0) {
      return name;
    }
    return name.replace(';', ':').replace('\n', ' ').replace('\r', ' ');
  }
}
