package dev.ember.exporter;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class EndedRootNamesTest {

  /**
   * Random puts and gets against a brute-force model of the table: each slot remembers the last
   * (id, name) put into it. Few slots and ids drawn from a small range make slot collisions common.
   */
  @Test
  void agreesWithABruteForceModelOnRandomOperations() {
    long seed = Long.getLong("tests.seed", System.nanoTime());
    System.out.println(
        "EndedRootNamesTest seed: " + seed + " (replay with -Dtests.seed=" + seed + ")");
    Random random = new Random(seed);
    EndedRootNames table = new EndedRootNames(64, 5);
    Map<Integer, Object[]> model = new HashMap<>();
    for (int op = 0; op < 50_000; op++) {
      long id = random.nextInt(4) == 0 ? random.nextLong() : random.nextInt(500);
      if (random.nextBoolean()) {
        // a new String each time, as instrumentations build names per request
        String name = new String("GET /r" + random.nextInt(8));
        table.put(id, name);
        if (id != 0) {
          model.put(table.slot(id), new Object[] {id, name});
        }
      } else {
        Object[] e = model.get(table.slot(id));
        String expected = id != 0 && e != null && (long) e[0] == id ? (String) e[1] : null;
        assertThat(table.get(id)).as("seed %d, op %d, id %d", seed, op, id).isEqualTo(expected);
      }
    }
  }

  @Test
  void namesAreSharedUpToTheCapThenKeptAsGiven() {
    EndedRootNames table = new EndedRootNames(1024, 2);
    String a1 = new String("GET /a");
    String a2 = new String("GET /a");
    table.put(1, a1);
    table.put(2, a2);
    assertThat(table.get(2)).isSameAs(a1);
    table.put(3, new String("GET /b"));
    String c = new String("GET /c"); // a third name: over the cap
    table.put(4, c);
    assertThat(table.get(4)).isSameAs(c);
    assertThat(table.canonical(new String("GET /b"))).isEqualTo("GET /b");
    assertThat(table.canonical(new String("GET /c"))).isNotSameAs(c).isEqualTo("GET /c");
  }

  @Test
  void zeroIdAndNullNameAreIgnored() {
    EndedRootNames table = new EndedRootNames(16, 10);
    table.put(0, "GET /zero");
    table.put(7, null);
    assertThat(table.get(0)).isNull();
    assertThat(table.get(7)).isNull();
    assertThatThrownBy(() -> new EndedRootNames(100, 10))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("power of two");
  }

  /**
   * Writers on several threads fill colliding slots while readers look up: a reader sees either
   * null or the name that belongs to the id it asked for, never another root's name.
   */
  @Test
  void concurrentWritersNeverPairAnIdWithAnotherRootsName() throws Exception {
    EndedRootNames table = new EndedRootNames(8, 100);
    int threads = 4;
    CountDownLatch done = new CountDownLatch(threads * 2);
    ConcurrentLinkedQueue<String> wrong = new ConcurrentLinkedQueue<>();
    List<Thread> all = new java.util.ArrayList<>();
    for (int t = 0; t < threads; t++) {
      int base = t;
      all.add(
          new Thread(
              () -> {
                for (int i = 1; i < 200_000; i++) {
                  long id = i * 4L + base;
                  table.put(id, "root-" + (id % 50));
                }
                done.countDown();
              }));
      all.add(
          new Thread(
              () -> {
                Random r = new Random(base);
                for (int i = 0; i < 200_000; i++) {
                  long id = 1 + r.nextInt(800_000);
                  String name = table.get(id);
                  if (name != null && !name.equals("root-" + (id % 50))) {
                    wrong.add(id + " -> " + name);
                  }
                }
                done.countDown();
              }));
    }
    all.forEach(Thread::start);
    assertThat(done.await(60, TimeUnit.SECONDS)).isTrue();
    assertThat(wrong).isEmpty();
  }
}
