package dev.ember.backend.cli;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import dev.ember.index.query.Units;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * A flame graph as an indented call tree for a terminal: flamebearer levels decoded back into nodes
 * (a node's parent is the node of the row above whose span contains it), printed depth first,
 * heaviest child first, skipping nodes below a share of the total.
 */
final class FlameText {
  private FlameText() {}

  private static final class Node {
    final String name;
    final long total;
    final long self;
    final List<Node> children = new ArrayList<>();

    Node(String name, long total, long self) {
      this.name = name;
      this.total = total;
      this.self = self;
    }
  }

  static void print(
      PrintWriter out, JsonObject flamebearer, String unit, double minShare, int maxDepth) {
    JsonArray names = flamebearer.getAsJsonArray("names");
    JsonArray levels = flamebearer.getAsJsonArray("levels");
    long grand = flamebearer.get("numTicks").getAsLong();
    List<long[]> prevX = new ArrayList<>();
    List<Node> prevNodes = new ArrayList<>();
    Node root = null;
    for (int d = 0; d < levels.size(); d++) {
      JsonArray row = levels.get(d).getAsJsonArray();
      List<long[]> xs = new ArrayList<>();
      List<Node> nodes = new ArrayList<>();
      long cursor = 0;
      for (int i = 0; i + 3 < row.size(); i += 4) {
        long x = cursor + row.get(i).getAsLong();
        long total = row.get(i + 1).getAsLong();
        cursor = x + total;
        Node n =
            new Node(
                names.get(row.get(i + 3).getAsInt()).getAsString(),
                total,
                row.get(i + 2).getAsLong());
        if (d == 0) {
          root = n;
        } else {
          for (int j = 0; j < prevX.size(); j++) {
            long[] p = prevX.get(j);
            if (p[0] <= x && x < p[0] + p[1]) {
              prevNodes.get(j).children.add(n);
              break;
            }
          }
        }
        xs.add(new long[] {x, total});
        nodes.add(n);
      }
      prevX = xs;
      prevNodes = nodes;
    }
    if (root == null || grand == 0) {
      out.println("(no samples)");
      out.flush();
      return;
    }
    Table t = new Table("TOTAL", "SHARE", "SELF", "FRAME").numeric(0, 1, 2);
    // Depth-first, heaviest child first, without recursion.
    List<Object[]> stack = new ArrayList<>();
    stack.add(new Object[] {root, 0});
    int hidden = 0;
    while (!stack.isEmpty()) {
      Object[] top = stack.remove(stack.size() - 1);
      Node n = (Node) top[0];
      int depth = (Integer) top[1];
      t.row(
          Units.format(n.total, unit),
          String.format(Locale.ROOT, "%.1f%%", 100.0 * n.total / grand),
          n.self == 0 ? "" : Units.format(n.self, unit),
          "  ".repeat(depth) + n.name);
      List<Node> kids = new ArrayList<>(n.children);
      kids.sort((a, b) -> Long.compare(a.total, b.total)); // lightest pushed first, popped last
      for (Node c : kids) {
        if ((double) c.total / grand < minShare || depth + 1 > maxDepth) {
          hidden++;
          continue;
        }
        stack.add(new Object[] {c, depth + 1});
      }
    }
    t.print(out);
    if (hidden > 0) {
      out.printf(
          Locale.ROOT,
          "(%d smaller or deeper nodes hidden; see --min-share, --max-depth, or --output folded)%n",
          hidden);
    }
    out.flush();
  }
}
