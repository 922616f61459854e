package dev.ember.index.store;

import dev.ember.index.query.FlameTree;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/** Test helper: a merged tree as folded stacks ("root;child;leaf" to self value). */
public final class Folded {
  private Folded() {}

  public static Map<String, Long> of(FlameTree tree) {
    Map<String, Long> out = new TreeMap<>();
    for (int n = 1; n < tree.size(); n++) {
      long self = tree.self(n);
      if (self == 0) {
        continue;
      }
      List<String> path = new ArrayList<>();
      for (int p = n; p != 0; p = tree.parent(p)) {
        path.add(tree.name(p));
      }
      Collections.reverse(path);
      out.merge(String.join(";", path), self, Long::sum);
    }
    return out;
  }
}
