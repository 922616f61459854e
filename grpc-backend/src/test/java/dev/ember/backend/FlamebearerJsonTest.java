package dev.ember.backend;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.gson.stream.JsonWriter;
import dev.ember.index.query.FlameDiff;
import dev.ember.index.query.FlameGraph;
import dev.ember.index.query.FlameTree;
import dev.ember.index.query.QueryStats;
import dev.ember.index.query.SeriesResult;
import java.io.IOException;
import java.io.InputStream;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Golden files for the flamebearer JSON that Pyroscope clients read: a single graph with its
 * timeline, a truncated graph with "other", and a diff ("double"). The files are checked by hand
 * against Pyroscope's layout: {@code [x_delta, total, self, name]} per node, children after the
 * parent's self, sorted by name; diffs with 7 values per node and leftTicks/rightTicks.
 */
class FlamebearerJsonTest {
  static final String CPU = "process_cpu:cpu:nanoseconds:cpu:nanoseconds";

  static FlameTree tree() {
    FlameTree t = new FlameTree();
    t.addStack(new String[] {"main", "handle", "parse"}, 30);
    t.addStack(new String[] {"main", "handle", "db"}, 10);
    t.addStack(new String[] {"main", "handle"}, 2);
    t.addStack(new String[] {"main", "gc"}, 5);
    return t;
  }

  static String golden(String name) throws IOException {
    try (InputStream in = FlamebearerJsonTest.class.getResourceAsStream("/golden/" + name)) {
      return new String(in.readAllBytes(), StandardCharsets.UTF_8).strip();
    }
  }

  interface Body {
    void write(JsonWriter w) throws IOException;
  }

  static String json(Body body) throws IOException {
    StringWriter s = new StringWriter();
    JsonWriter w = new JsonWriter(s);
    w.setIndent("  ");
    body.write(w);
    w.flush();
    return s.toString();
  }

  @Test
  void singleWithTimeline() throws IOException {
    long from = 1_763_769_600_000_000_000L;
    SeriesResult timeline =
        new SeriesResult(
            CPU,
            from,
            from + 40_000_000_000L,
            10_000_000_000L,
            List.of(
                new SeriesResult.Series(
                    Map.of(), new long[] {45, 0, 2, 0}, new long[] {1, 0, 1, 0})),
            new QueryStats(0, 0, 0, 0, 0));
    String got = json(w -> FlamebearerJson.write(w, FlameGraph.of(tree(), 8192), CPU, timeline));
    assertThat(got).isEqualTo(golden("flamebearer-single.json"));
  }

  @Test
  void truncatedToMaxNodesFoldsIntoOther() throws IOException {
    String got = json(w -> FlamebearerJson.write(w, FlameGraph.of(tree(), 3), CPU));
    assertThat(got).isEqualTo(golden("flamebearer-other.json"));
  }

  @Test
  void diffIsDouble() throws IOException {
    FlameTree right = new FlameTree();
    right.addStack(new String[] {"main", "handle", "parse"}, 8);
    right.addStack(new String[] {"main", "search"}, 12);
    String got = json(w -> FlamebearerJson.writeDiff(w, FlameDiff.of(tree(), right, 8192), CPU));
    assertThat(got).isEqualTo(golden("flamebearer-double.json"));
  }
}
