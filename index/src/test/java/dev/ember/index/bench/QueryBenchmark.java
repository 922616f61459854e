package dev.ember.index.bench;

import dev.ember.index.query.FlameQL;
import dev.ember.index.query.FlameTree;
import dev.ember.index.query.FoldedStacks;
import dev.ember.index.query.QueryContext;
import dev.ember.index.query.Selection;
import dev.ember.index.store.LuceneProfileStore;
import dev.ember.index.store.ProfileQueries;
import dev.ember.index.store.StoreConfig;
import dev.ember.proto.pprof.PprofProfile;
import io.opentelemetry.proto.collector.profiles.v1development.ExportProfilesServiceRequest;
import io.opentelemetry.proto.profiles.v1development.Link;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.zip.GZIPInputStream;

/**
 * The query benchmark (a command, not a test): stores one day of one service at a 10 s cadence
 * (8,640 profiles built from real exporter output, see {@link BenchCorpus}) in the embedded store
 * and times, in the same run with the runs interleaved: the 1-day merge, 1-hour merges, a diff of
 * two 1-hour windows, a span lookup and a trace lookup over the day, and label values; beside them
 * the same merge done by {@code go tool pprof -proto} over the profiles as pprof files (where Go is
 * installed) and by a brute-force decode-and-merge in Java. A run of a query repeats it for at
 * least 200 ms and keeps the mean; the slow baselines run once per run. It checks that all three
 * merges give identical folded stacks and prints medians and ratios. Run it with {@code
 * scripts/bench-query}.
 *
 * <p>Arguments: {@code --corpus DIR} (recorded requests, required), {@code --work DIR} (default
 * {@code target/bench/work}), {@code --profiles N} (8640), {@code --runs N} (7), {@code
 * --pprof-runs N} (2).
 */
public final class QueryBenchmark {
  static final long HOUR = 3_600_000_000_000L;
  static final long T0 = 1_763_683_200_000_000_000L; // a day boundary (2025-11-21)
  static final String SERVICE = "bench";
  static final String SELECTOR =
      "process_cpu:cpu:nanoseconds:cpu:nanoseconds{service_name=\"bench\"}";

  private QueryBenchmark() {}

  public static void main(String[] args) throws Exception {
    Map<String, String> opts = new LinkedHashMap<>();
    for (int i = 0; i + 1 < args.length; i += 2) {
      opts.put(args[i].replaceFirst("^--", ""), args[i + 1]);
    }
    Path corpus = Path.of(required(opts, "corpus"));
    Path work = Path.of(opts.getOrDefault("work", "target/bench/work"));
    int profiles = Integer.parseInt(opts.getOrDefault("profiles", "8640"));
    int runs = Integer.parseInt(opts.getOrDefault("runs", "7"));
    int pprofRuns = Integer.parseInt(opts.getOrDefault("pprof-runs", "2"));

    List<ExportProfilesServiceRequest> recorded = BenchCorpus.load(corpus);
    System.out.printf(
        Locale.ROOT,
        "corpus: %d recorded CPU profiles from %s; building %d profiles at a 10 s cadence%n",
        recorded.size(),
        corpus,
        profiles);
    List<byte[]> requests = new ArrayList<>(profiles);
    long samples = 0;
    for (int i = 0; i < profiles; i++) {
      ExportProfilesServiceRequest r = BenchCorpus.copy(recorded, i, T0, SERVICE);
      samples += BenchCorpus.cpuProfile(r).getSamplesCount();
      requests.add(r.toByteArray());
    }
    System.out.printf(
        Locale.ROOT, "  %d samples, %.1f MB of OTLP%n", samples, bytes(requests) / 1e6);

    Path storeDir = work.resolve("store");
    StoreConfig config = new StoreConfig(storeDir, Duration.ofHours(1), Duration.ofSeconds(10));
    Map<String, List<Double>> times = new LinkedHashMap<>();
    boolean reuse = Boolean.parseBoolean(opts.getOrDefault("reuse-store", "false"));
    if (!reuse) {
      deleteRecursively(work);
    }
    try (LuceneProfileStore store = new LuceneProfileStore(config)) {
      long start = System.nanoTime();
      for (byte[] r : reuse ? List.<byte[]>of() : requests) {
        store.ingest("t", ExportProfilesServiceRequest.parseFrom(r), ref -> true);
      }
      double ingestSeconds = (System.nanoTime() - start) / 1e9;
      System.out.printf(
          Locale.ROOT,
          "ingest: %d profiles in %.1f s (%.0f profiles/s, one fsync each)%n",
          profiles,
          ingestSeconds,
          profiles / ingestSeconds);
    }
    // Reopen, so that queries read settled partitions (Lucene segments merged, as past hours of a
    // long-running server are) and the first queries pay for opening them, as after a restart.
    try (LuceneProfileStore store = new LuceneProfileStore(config);
        ProfileQueries q = store.queries(Runtime.getRuntime().availableProcessors())) {
      long opened = System.nanoTime();
      q.merge("t", sel(SELECTOR, T0, T0 + 24 * HOUR), ctx());
      System.out.printf(
          Locale.ROOT,
          "first 1-day merge after reopening (opens 24 partitions, replays their logs): %.0f ms%n",
          (System.nanoTime() - opened) / 1e6);
      // A span and a trace of a profile in the middle of the day: the first linked sample's.
      Link link = BenchCorpus.firstLink(BenchCorpus.copy(recorded, profiles / 2 + 3, T0, SERVICE));
      String span = HexFormat.of().formatHex(link.getSpanId().toByteArray());
      String trace = HexFormat.of().formatHex(link.getTraceId().toByteArray());
      long dayEnd = T0 + 24 * HOUR;
      Map<String, Query> queries = new LinkedHashMap<>();
      queries.put("1-day merge", () -> q.merge("t", sel(SELECTOR, T0, dayEnd), ctx()).tree());
      // The same merge made to read every profile: thread_name=~".*" accepts every sample, but a
      // per-sample matcher rules out the partitions' pre-aggregated totals.
      queries.put(
          "1-day merge reading all 8,640 profiles (no pre-aggregates)",
          () ->
              q.merge("t", sel(SELECTOR.replace("}", ",thread_name=~\".*\"}"), T0, dayEnd), ctx())
                  .tree());
      queries.put(
          "1-hour merge (aligned)",
          () -> q.merge("t", sel(SELECTOR, T0 + 12 * HOUR, T0 + 13 * HOUR), ctx()).tree());
      queries.put(
          "1-hour merge (unaligned, :30 to :30)",
          () ->
              q.merge(
                      "t",
                      sel(SELECTOR, T0 + 12 * HOUR + HOUR / 2, T0 + 13 * HOUR + HOUR / 2),
                      ctx())
                  .tree());
      queries.put(
          "diff of two 1-hour windows",
          () ->
              q.diff(
                      "t",
                      sel(SELECTOR, T0 + 9 * HOUR, T0 + 10 * HOUR),
                      sel(SELECTOR, T0 + 15 * HOUR + HOUR / 4, T0 + 16 * HOUR + HOUR / 4),
                      ctx())
                  .right()
                  .tree());
      queries.put(
          "span lookup over the day",
          () ->
              q.merge(
                      "t",
                      sel(SELECTOR.replace("}", ",span_id=\"" + span + "\"}"), T0, dayEnd),
                      ctx())
                  .tree());
      queries.put(
          "trace lookup over the day", () -> q.trace("t", trace, "", "", T0, dayEnd, ctx()).tree());
      queries.put(
          "label values (service_name, day)",
          () -> {
            q.labelValues("t", "service_name", null, T0, dayEnd, 1000, ctx());
            return null;
          });

      // Warm up: the JIT compiles the query paths (on a busy 2-core machine its threads get little
      // CPU, so give it time), then interleave the timed runs.
      for (int w = 0; w < 3; w++) {
        for (Query query : queries.values()) {
          long t = System.nanoTime();
          while (System.nanoTime() - t < 700_000_000L) {
            query.run();
          }
        }
      }
      FlameTree day = q.merge("t", sel(SELECTOR, T0, dayEnd), ctx()).tree();
      FlameTree spanTree = queries.get("span lookup over the day").run();
      System.out.printf(
          Locale.ROOT,
          "span %s: %d samples' worth (%d ns)%n",
          span,
          spanTree.size() - 1,
          spanTree.grandTotal());
      // A run of a query repeats it for at least 200 ms and keeps the mean; runs interleave.
      for (int r = 0; r < runs; r++) {
        for (Map.Entry<String, Query> e : queries.entrySet()) {
          long t = System.nanoTime();
          int n = 0;
          long elapsed;
          do {
            e.getValue().run();
            n++;
            elapsed = System.nanoTime() - t;
          } while (elapsed < 200_000_000L);
          times.computeIfAbsent(e.getKey(), k -> new ArrayList<>()).add(elapsed / 1e6 / n);
        }
      }

      Map<String, Long> engineFolded =
          new TreeMap<>(FoldedStacks.parse(FoldedStacks.toString(day)));
      Map<String, Long> brute = null;
      for (int r = 0; r < Math.max(1, Math.min(runs, 3)); r++) {
        long t = System.nanoTime();
        brute = BruteForce.merge(requests);
        times
            .computeIfAbsent("brute-force decode-and-merge (Java)", k -> new ArrayList<>())
            .add((System.nanoTime() - t) / 1e6);
      }
      boolean bruteSame = engineFolded.equals(new TreeMap<>(brute));

      Boolean pprofSame = null;
      if (goInstalled() && pprofRuns > 0) {
        Path dir = work.resolve("pprof");
        Files.createDirectories(dir);
        List<String> cmd =
            new ArrayList<>(
                List.of(
                    "go",
                    "tool",
                    "pprof",
                    "-symbolize=none",
                    "-proto",
                    "-output=" + work.resolve("merged.pb.gz")));
        for (int i = 0; i < requests.size(); i++) {
          Path f = dir.resolve(String.format(Locale.ROOT, "%06d.pb.gz", i));
          Files.write(
              f, OtlpToPprof.convert(ExportProfilesServiceRequest.parseFrom(requests.get(i))));
          cmd.add(f.toString());
        }
        for (int r = 0; r < pprofRuns; r++) {
          long t = System.nanoTime();
          runGo(cmd, work);
          times
              .computeIfAbsent(
                  "go tool pprof -proto merge (profefe's merge)", k -> new ArrayList<>())
              .add((System.nanoTime() - t) / 1e6);
        }
        PprofProfile merged =
            PprofProfile.parseFrom(
                new GZIPInputStream(
                        new ByteArrayInputStream(Files.readAllBytes(work.resolve("merged.pb.gz"))))
                    .readAllBytes());
        pprofSame = engineFolded.equals(new TreeMap<>(OtlpToPprof.folded(merged)));
      } else {
        System.out.println("go not installed: skipping the go tool pprof baseline");
      }

      System.out.println();
      System.out.printf(
          Locale.ROOT, "| Operation | median ms | min ms | max ms |%n|---|---:|---:|---:|%n");
      for (Map.Entry<String, List<Double>> e : times.entrySet()) {
        double[] v = e.getValue().stream().mapToDouble(Double::doubleValue).sorted().toArray();
        System.out.printf(
            Locale.ROOT,
            "| %s | %.3f | %.3f | %.3f |%n",
            e.getKey(),
            median(v),
            v[0],
            v[v.length - 1]);
      }
      double dayMs = median(times.get("1-day merge"));
      System.out.println();
      if (times.containsKey("go tool pprof -proto merge (profefe's merge)")) {
        System.out.printf(
            Locale.ROOT,
            "1-day merge vs go tool pprof merge: %.0fx faster (goal >= 50x)%n",
            median(times.get("go tool pprof -proto merge (profefe's merge)")) / dayMs);
      }
      System.out.printf(
          Locale.ROOT,
          "1-day merge vs brute-force Java merge: %.0fx faster%n",
          median(times.get("brute-force decode-and-merge (Java)")) / dayMs);
      double spanMs = median(times.get("span lookup over the day"));
      System.out.printf(
          Locale.ROOT, "span lookup vs 1-day merge: %.1fx faster (goal >= 20x)%n", dayMs / spanMs);
      System.out.printf(
          Locale.ROOT,
          "span lookup vs 1-day merge reading every profile: %.0fx faster%n",
          median(times.get("1-day merge reading all 8,640 profiles (no pre-aggregates)")) / spanMs);
      System.out.printf(
          Locale.ROOT,
          "folded stacks identical: engine vs brute force %s, engine vs go tool pprof %s (%d stacks, total %d)%n",
          bruteSame ? "yes" : "NO",
          pprofSame == null ? "n/a" : pprofSame ? "yes" : "NO",
          engineFolded.size(),
          day.grandTotal());
      if (!bruteSame || Boolean.FALSE.equals(pprofSame)) {
        System.exit(1);
      }
    }
  }

  interface Query {
    FlameTree run() throws IOException;
  }

  static QueryContext ctx() {
    return QueryContext.defaults();
  }

  static Selection sel(String query, long from, long until) {
    return new Selection(FlameQL.parse(query), from, until);
  }

  static double median(List<Double> v) {
    return median(v.stream().mapToDouble(Double::doubleValue).sorted().toArray());
  }

  static double median(double[] sorted) {
    double[] s = sorted.clone();
    Arrays.sort(s);
    int n = s.length;
    return n % 2 == 1 ? s[n / 2] : (s[n / 2 - 1] + s[n / 2]) / 2;
  }

  static long bytes(List<byte[]> list) {
    long n = 0;
    for (byte[] b : list) {
      n += b.length;
    }
    return n;
  }

  static String required(Map<String, String> opts, String name) {
    String v = opts.get(name);
    if (v == null) {
      throw new IllegalArgumentException("--" + name + " is required");
    }
    return v;
  }

  static boolean goInstalled() {
    try {
      Process p = new ProcessBuilder("go", "version").redirectErrorStream(true).start();
      p.getInputStream().readAllBytes();
      return p.waitFor(30, TimeUnit.SECONDS) && p.exitValue() == 0;
    } catch (IOException | InterruptedException e) {
      return false;
    }
  }

  static void runGo(List<String> cmd, Path work) throws Exception {
    ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
    pb.environment().put("HOME", work.toAbsolutePath().toString());
    pb.environment().put("PPROF_TMPDIR", work.toAbsolutePath().toString());
    Process p = pb.start();
    String out =
        new String(p.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
    if (!p.waitFor(30, TimeUnit.MINUTES) || p.exitValue() != 0) {
      throw new IOException("go tool pprof failed: " + out);
    }
  }

  static void deleteRecursively(Path dir) throws IOException {
    if (!Files.exists(dir)) {
      return;
    }
    try (var walk = Files.walk(dir)) {
      for (Path p : walk.sorted(java.util.Comparator.reverseOrder()).toList()) {
        Files.delete(p);
      }
    }
  }
}
