package dev.ember.examples.bench;

import com.sun.net.httpserver.HttpServer;
import java.io.BufferedReader;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.io.Writer;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.ToDoubleFunction;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The exporter overhead benchmark of issue 3 (a command, not a test; {@code scripts/bench-exporter}
 * builds and runs it). It starts an Ember backend ({@code grpc-backend/target/backend.jar}) behind
 * a byte-counting relay and a stand-in Pyroscope ingest endpoint that counts bytes, then keeps one
 * JVM per configuration running {@link WorkloadControl}:
 *
 * <ul>
 *   <li>{@code bare}: no agent;
 *   <li>{@code agent}: the OpenTelemetry Java agent 2.33.1 alone (spans, no exporters);
 *   <li>{@code agent+ember}: the agent with Ember's extension at defaults, exporting to the
 *       backend;
 *   <li>{@code agent+pyroscope}: the agent with pyroscope-java 2.9.2 (CPU, allocation and lock
 *       profiling, as close as it gets to Ember's defaults), uploading to the stand-in endpoint;
 *   <li>{@code agent+jfr} (only when asked for): the agent with a bare JFR stream of Ember's
 *       default events and settings whose consumer only reads each event and resolves each stack
 *       once ({@link JfrFloor}): the price of capturing with JFR in-process, under any exporter.
 * </ul>
 *
 * <p>{@code -Dbench.configs=agent,agent+jfr,agent+ember,agent+pyroscope} picks the configurations
 * (labels, comma-separated, {@code agent} required; default {@value #DEFAULT_CONFIGS}). {@code
 * agent+ember-b} is agent+ember plus the JVM arguments of {@code -Dbench.variant.args}
 * (space-separated, e.g. {@code -Dotel.profiling.alloc.rate=50}), exporting through its own
 * counting relay: an A/B comparison of one setting or JVM flag in the same run.
 *
 * <p>Why this shape: a 1% difference drowns in the noise of whole-JVM runs on a shared machine (JIT
 * timing, other processes, frequency changes; +-5% per run). Here the four JVMs warm up together
 * once per epoch, then take turns under load in short slots, in a balanced order (each
 * configuration follows every other equally often), so slow and fast moments of the machine hit all
 * four alike; a slot's CPU is compared with the agent's slot of the same round. Each slot puts the
 * open-loop load on one JVM for {@value #LOAD_SECONDS} s ending on a 10 s boundary (Ember's export
 * windows are aligned to those) and keeps measuring for {@value #TAIL_MILLIS} ms after it, so that
 * the delayed work the slot caused (JFR parsing, joining, encoding and sending its window) is
 * counted in it. Bytes sent are counted from the start of the load until {@value #SEND_WAIT_MILLIS}
 * ms after its end (pyroscope's upload timer has its own phase), and reported per minute of load.
 *
 * <p>It prints each slot, then medians with a 95% bootstrap interval and the quartiles of the
 * per-round CPU ratios, the split between application threads and the JVM's own threads, CPU per
 * thread group against the agent alone (from /proc), heap in use after a full GC at the end of each
 * epoch, and bytes sent per profiled minute.
 *
 * <p>Arguments: {@code [epochs=2] [rounds per epoch=4] [warm-up seconds=45] [requests/s=200]}:
 * about 13 minutes at the defaults (a multiple of 4 rounds keeps the order balanced for four
 * configurations; an odd number of configurations needs twice as many rounds as configurations).
 */
public final class OverheadBenchmark {
  private OverheadBenchmark() {}

  static final int LOAD_SECONDS = 15;
  static final long TAIL_MILLIS = 4_500;
  static final long SLOT_MILLIS = 20_000;
  static final long WINDOW_MILLIS = 10_000;

  /** Both profilers send every 10 s; 11 s after the load every sample of it has been sent. */
  static final long SEND_WAIT_MILLIS = 11_000;

  static final java.util.concurrent.ScheduledExecutorService TIMER =
      java.util.concurrent.Executors.newSingleThreadScheduledExecutor(
          r -> {
            Thread t = new Thread(r, "bench-bytes");
            t.setDaemon(true);
            return t;
          });

  /**
   * Slot orders in which each of {@code n} configurations follows every other equally often (a
   * Williams design): {@code n} rows for an even {@code n}, {@code 2n} (each row also reversed) for
   * an odd one. For four: 0 1 3 2, 1 2 0 3, 2 3 1 0, 3 0 2 1.
   */
  static int[][] williams(int n) {
    int[] first = new int[n];
    for (int j = 1; j < n; j++) {
      first[j] = j % 2 == 1 ? (j + 1) / 2 : n - j / 2;
    }
    int[][] rows = new int[n % 2 == 0 ? n : 2 * n][n];
    for (int r = 0; r < n; r++) {
      for (int j = 0; j < n; j++) {
        rows[r][j] = (first[j] + r) % n;
        if (n % 2 == 1) {
          rows[n + r][n - 1 - j] = rows[r][j];
        }
      }
    }
    return rows;
  }

  enum Config {
    BARE("bare"),
    AGENT("agent"),
    JFR("agent+jfr"),
    EMBER("agent+ember"),
    /** agent+ember plus the JVM arguments of {@code -Dbench.variant.args}: an A/B of one change. */
    VARIANT("agent+ember-b"),
    PYROSCOPE("agent+pyroscope");

    final String label;

    Config(String label) {
      this.label = label;
    }
  }

  /** The configurations measured, from {@code -Dbench.configs} (labels, comma-separated). */
  static List<Config> configs(String spec) {
    List<Config> out = new ArrayList<>();
    for (String label : spec.split(",")) {
      Config match = null;
      for (Config c : Config.values()) {
        if (c.label.equals(label.trim())) {
          match = c;
        }
      }
      if (match == null || out.contains(match)) {
        throw new IllegalArgumentException(
            "bench.configs: '"
                + label.trim()
                + "' is unknown or repeated; use labels of "
                + java.util.Arrays.stream(Config.values()).map(c -> c.label).toList());
      }
      out.add(match);
    }
    if (out.contains(Config.VARIANT) && variantArgs().isEmpty()) {
      throw new IllegalArgumentException(
          "bench.configs: agent+ember-b needs its JVM arguments in -Dbench.variant.args"
              + " (EMBER_BENCH_VARIANT_ARGS for scripts/bench-exporter)");
    }
    if (!out.contains(Config.AGENT)) {
      throw new IllegalArgumentException(
          "bench.configs must include 'agent': every ratio is against it");
    }
    return out;
  }

  static final String DEFAULT_CONFIGS = "bare,agent,agent+ember,agent+pyroscope";

  /** The extra JVM arguments of agent+ember-b. */
  static List<String> variantArgs() {
    String spec = System.getProperty("bench.variant.args", "").trim();
    return spec.isEmpty() ? List.of() : List.of(spec.split("\\s+"));
  }

  /** A snapshot of one child's counters. */
  record Mark(
      long nanoTime, long cpuNanos, long requests, Map<Integer, WorkloadCpu.ThreadCpu> threads) {}

  /** One configuration's measured slot. */
  record Slot(
      Config config,
      long cpuNanos,
      long appNanos,
      Map<String, Long> groups,
      long requests,
      AtomicLong sentBytes,
      AtomicLong longCpuNanos,
      double idleCpuMsPerSecond) {
    long jvmNanos() {
      return cpuNanos - appNanos;
    }
  }

  public static void main(String[] args) throws Exception {
    int epochs = args.length > 0 ? Integer.parseInt(args[0]) : 2;
    int rounds = args.length > 1 ? Integer.parseInt(args[1]) : 4;
    int warmup = args.length > 2 ? Integer.parseInt(args[2]) : 45;
    int rate = args.length > 3 ? Integer.parseInt(args[3]) : 200;
    List<Config> active = configs(System.getProperty("bench.configs", DEFAULT_CONFIGS));
    int[][] orders = williams(active.size());
    Path agents = Path.of("examples/target/agents");
    Path otelAgent = agents.resolve("opentelemetry-javaagent.jar");
    Path pyroscope = agents.resolve("pyroscope-agent.jar");
    Path extension = findOne(Path.of("otel-exporter/target"), "-extension.jar");
    Path workload = Path.of("examples/target/workload.jar");
    Path backendJar = Path.of("grpc-backend/target/backend.jar");
    for (Path p : List.of(otelAgent, pyroscope, extension, workload, backendJar)) {
      if (!Files.exists(p)) {
        throw new IllegalStateException(p + " is missing: run scripts/bench-exporter");
      }
    }
    String java = ProcessHandle.current().info().command().orElse("java");
    Path tmp = Files.createTempDirectory("ember-bench");
    int grpcPort = freePort();
    int httpPort = freePort();
    Process backend =
        new ProcessBuilder(
                java,
                "--enable-native-access=ALL-UNNAMED",
                "--add-modules",
                "jdk.incubator.vector",
                "-Xmx1g",
                "-jar",
                backendJar.toString(),
                "--data-dir",
                tmp.resolve("data").toString(),
                "--grpc-port",
                Integer.toString(grpcPort),
                "--http-port",
                Integer.toString(httpPort))
            .redirectErrorStream(true)
            .redirectOutput(tmp.resolve("backend.log").toFile())
            .start();
    AtomicLong pyroscopeBytes = new AtomicLong();
    HttpServer ingest = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    ingest.createContext(
        "/",
        exchange -> {
          try (InputStream in = exchange.getRequestBody()) {
            pyroscopeBytes.addAndGet(in.transferTo(OutputStream.nullOutputStream()));
          }
          exchange.sendResponseHeaders(200, -1);
          exchange.close();
        });
    ingest.start();
    CountingProxy proxy = new CountingProxy(grpcPort);
    CountingProxy variantProxy = new CountingProxy(grpcPort);
    try {
      awaitReady(httpPort);
      System.out.printf(
          "exporter overhead benchmark: %d epoch(s) x %d rounds of %d s slots (%d s load + %.1f s"
              + " tail) after %d s warm-up, %d requests/s, %s, %d cores; logs in %s%n",
          epochs,
          rounds,
          SLOT_MILLIS / 1000,
          LOAD_SECONDS,
          TAIL_MILLIS / 1000.0,
          warmup,
          rate,
          Runtime.version(),
          Runtime.getRuntime().availableProcessors(),
          tmp);
      if (active.contains(Config.VARIANT)) {
        System.out.println("agent+ember-b: agent+ember plus " + variantArgs());
      }
      List<Map<Config, Slot>> allRounds = new ArrayList<>();
      Map<Config, List<Double>> heaps = new EnumMap<>(Config.class);
      for (int epoch = 0; epoch < epochs; epoch++) {
        Map<Config, Child> children = new EnumMap<>(Config.class);
        try {
          for (Config c : active) {
            List<String> cmd =
                command(
                    java,
                    c,
                    otelAgent,
                    pyroscope,
                    extension,
                    workload,
                    (c == Config.VARIANT ? variantProxy : proxy).port(),
                    rate);
            Map<String, String> env = new HashMap<>();
            if (c == Config.PYROSCOPE) {
              env.put("PYROSCOPE_APPLICATION_NAME", "bench");
              env.put(
                  "PYROSCOPE_SERVER_ADDRESS", "http://127.0.0.1:" + ingest.getAddress().getPort());
              env.put("PYROSCOPE_PROFILER_EVENT", "itimer");
              env.put("PYROSCOPE_PROFILER_ALLOC", "512k");
              env.put("PYROSCOPE_PROFILER_LOCK", "10ms");
              env.put("PYROSCOPE_UPLOAD_INTERVAL", "10s");
              env.put("PYROSCOPE_LOG_LEVEL", "warn");
            }
            Path log = tmp.resolve("epoch" + (epoch + 1) + "-" + c.name().toLowerCase() + ".log");
            children.put(c, new Child(c, cmd, env, log));
          }
          for (Child child : children.values()) {
            child.call("start");
          }
          Thread.sleep(TimeUnit.SECONDS.toMillis(warmup));
          for (Child child : children.values()) {
            child.call("stop");
          }
          Map<Config, Mark> lastEnd = new EnumMap<>(Config.class);
          for (int round = 0; round < rounds; round++) {
            int[] order = orders[(epoch * rounds + round) % orders.length];
            Map<Config, Slot> slots = new EnumMap<>(Config.class);
            for (int i : order) {
              Config c = active.get(i);
              Counter bytes =
                  c == Config.EMBER
                      ? proxy::upstreamBytes
                      : c == Config.VARIANT
                          ? variantProxy::upstreamBytes
                          : c == Config.PYROSCOPE ? pyroscopeBytes::get : () -> 0;
              Slot s = slot(children.get(c), lastEnd, bytes);
              slots.put(c, s);
              System.out.printf(
                  "  epoch %d round %d %-16s cpu %6.3f s (app %6.3f, jvm %5.3f)  requests %d"
                      + "  idle %.1f ms/s%n",
                  epoch + 1,
                  round + 1,
                  c.label,
                  s.cpuNanos / 1e9,
                  s.appNanos / 1e9,
                  s.jvmNanos() / 1e9,
                  s.requests,
                  s.idleCpuMsPerSecond);
            }
            allRounds.add(slots);
          }
          // The last slots' byte counts are read SEND_WAIT after their load: before the children
          // exit (their shutdown flush would count).
          sleepUntil(System.currentTimeMillis() + SEND_WAIT_MILLIS + 500);
          for (Config c : active) {
            String heap = children.get(c).call("heap");
            Matcher m = Pattern.compile("used=(\\d+)").matcher(heap);
            if (m.find()) {
              heaps.computeIfAbsent(c, k -> new ArrayList<>()).add(Double.parseDouble(m.group(1)));
            }
          }
        } finally {
          for (Child child : children.values()) {
            child.close();
          }
        }
      }
      report(active, allRounds, heaps);
    } finally {
      proxy.close();
      variantProxy.close();
      ingest.stop(0);
      backend.destroy();
      backend.waitFor(20, TimeUnit.SECONDS);
    }
  }

  interface Counter {
    long get();
  }

  /**
   * Runs one slot: load from 15 s before a 10 s boundary up to it, then the tail. The bytes counted
   * are those sent from the start of the load until {@link #SEND_WAIT_MILLIS} after its end (read
   * later, by a timer): every profile holding the load's samples, whichever phase the profiler's
   * upload timer has (pyroscope's is not aligned to the wall clock), plus an idle profile or two.
   */
  static Slot slot(Child child, Map<Config, Mark> lastEnd, Counter bytes) throws Exception {
    long now = System.currentTimeMillis();
    long boundary = ((now + LOAD_SECONDS * 1000L + 300) / WINDOW_MILLIS + 1) * WINDOW_MILLIS;
    sleepUntil(boundary - LOAD_SECONDS * 1000L);
    Mark start = child.mark();
    long bytes0 = bytes.get();
    AtomicLong sent = new AtomicLong(-1);
    AtomicLong longCpu = new AtomicLong(-1);
    TIMER.schedule(
        () -> {
          sent.set(bytes.get() - bytes0);
          try {
            longCpu.set(child.mark().cpuNanos - start.cpuNanos);
          } catch (Exception e) {
            System.out.println("  " + child.config.label + ": late mark failed: " + e);
          }
        },
        boundary + SEND_WAIT_MILLIS - System.currentTimeMillis(),
        TimeUnit.MILLISECONDS);
    child.call("start");
    // Stop a little early so that the last requests finish inside the window.
    sleepUntil(boundary - 20);
    child.call("stop");
    sleepUntil(boundary + TAIL_MILLIS);
    Mark end = child.mark();
    Mark previous = lastEnd.put(child.config, end);
    double idle =
        previous == null
            ? Double.NaN
            : (start.cpuNanos - previous.cpuNanos)
                / 1e6
                / ((start.nanoTime - previous.nanoTime) / 1e9);
    Map<String, Long> groups = WorkloadCpu.groups(start.threads, end.threads);
    long app = groups.getOrDefault("handler-#", 0L) + groups.getOrDefault("load-#", 0L);
    return new Slot(
        child.config,
        end.cpuNanos - start.cpuNanos,
        app,
        groups,
        end.requests - start.requests,
        sent,
        longCpu,
        idle);
  }

  static void sleepUntil(long epochMillis) throws InterruptedException {
    long left = epochMillis - System.currentTimeMillis();
    if (left > 0) {
      Thread.sleep(left);
    }
  }

  static List<String> command(
      String java,
      Config c,
      Path otelAgent,
      Path pyroscope,
      Path extension,
      Path workload,
      int emberPort,
      int rate) {
    List<String> cmd = new ArrayList<>(List.of(java, "-Xms256m", "-Xmx256m"));
    if (c != Config.BARE) {
      cmd.addAll(
          List.of(
              "-javaagent:" + otelAgent,
              "-Dotel.service.name=bench",
              "-Dotel.traces.exporter=none",
              "-Dotel.metrics.exporter=none",
              "-Dotel.logs.exporter=none"));
    }
    if (c == Config.EMBER || c == Config.VARIANT) {
      cmd.addAll(
          List.of(
              "-Dotel.javaagent.extensions=" + extension,
              "-Dotel.profiling.enabled=true",
              "-Dotel.exporter.otlp.profiles.endpoint=http://127.0.0.1:" + emberPort));
    }
    if (c == Config.VARIANT) {
      cmd.addAll(variantArgs());
    }
    if (c == Config.PYROSCOPE) {
      cmd.add("-javaagent:" + pyroscope);
    }
    if (c == Config.JFR) {
      cmd.add("-Dbench.jfr.floor=true");
    }
    cmd.addAll(
        List.of(
            "-cp", workload.toString(), WorkloadControl.class.getName(), Integer.toString(rate)));
    return cmd;
  }

  /**
   * Per-round values as "median [95% CI]". The JVM-thread share needs its interval most: it is the
   * part of the CPU ratio that the JIT's choices on the application's code do not swing.
   */
  static String withInterval(double[] shares, long seed) {
    double[] ci = BenchStats.medianInterval(shares, 0.95, seed);
    return String.format(
        "%+.2f%% [%+.2f%%, %+.2f%%]", 100 * BenchStats.median(shares), 100 * ci[0], 100 * ci[1]);
  }

  static void report(
      List<Config> active, List<Map<Config, Slot>> rounds, Map<Config, List<Double>> heaps) {
    double agentHeap = BenchStats.median(toArray(heaps.get(Config.AGENT)));
    System.out.println();
    System.out.println(
        "| configuration | CPU s per slot | CPU vs agent: median [95% CI] (IQR) | app threads:"
            + " median [95% CI] | JVM threads: median [95% CI] | heap after GC (MiB)"
            + " | heap vs agent (MiB) | sent per profiled minute | idle CPU (ms/s)"
            + " | CPU incl. deferred work vs agent: median [95% CI] |");
    System.out.println("|---|---|---|---|---|---|---|---|---|---|");
    for (Config c : active) {
      double[] ratio = perRound(rounds, c, s -> s.cpuNanos);
      double[] app = perRound(rounds, c, s -> s.appNanos);
      double[] jvm = perRound(rounds, c, s -> s.jvmNanos());
      double[] ci = BenchStats.medianInterval(ratio, 0.95, 42);
      double heap = BenchStats.median(toArray(heaps.get(c)));
      double perMinute =
          BenchStats.median(
              values(
                  rounds,
                  c,
                  s ->
                      s.sentBytes.get() < 0
                          ? Double.NaN
                          : s.sentBytes.get() * (60.0 / LOAD_SECONDS)));
      double[] longRatio = longRatios(rounds, c);
      System.out.printf(
          "| %s | %.3f | %s | %s | %s | %.1f | %+.1f | %s | %.1f | %s |%n",
          c.label,
          BenchStats.median(values(rounds, c, s -> s.cpuNanos / 1e9)),
          c == Config.AGENT
              ? "0"
              : String.format(
                  "**%+.2f%%** [%+.2f%%, %+.2f%%] (%+.2f%% to %+.2f%%)",
                  100 * BenchStats.median(ratio),
                  100 * ci[0],
                  100 * ci[1],
                  100 * BenchStats.quantile(ratio, 0.25),
                  100 * BenchStats.quantile(ratio, 0.75)),
          c == Config.AGENT ? "0" : withInterval(app, 45),
          c == Config.AGENT ? "0" : withInterval(jvm, 46),
          heap / 1048576.0,
          (heap - agentHeap) / 1048576.0,
          c == Config.EMBER || c == Config.VARIANT || c == Config.PYROSCOPE
              ? String.format("%.1f KiB", perMinute / 1024)
              : "-",
          BenchStats.median(values(rounds, c, s -> s.idleCpuMsPerSecond)),
          c == Config.AGENT ? "0" : withInterval(longRatio, 44));
    }
    System.out.println();
    System.out.println(
        "App threads and JVM threads: each one's CPU minus the agent's, as a share of the agent's"
            + " whole CPU (they add up to the CPU ratio).");
    for (Config c : active) {
      if (c == Config.BARE || c == Config.AGENT) {
        continue;
      }
      StringBuilder b = new StringBuilder();
      for (double r : perRound(rounds, c, s -> s.cpuNanos)) {
        b.append(String.format(" %+.1f%%", 100 * r));
      }
      System.out.println("per-round CPU vs agent, " + c.label + ":" + b);
    }
    versus(active, rounds, Config.EMBER, Config.PYROSCOPE);
    versus(active, rounds, Config.EMBER, Config.JFR);
    versus(active, rounds, Config.VARIANT, Config.EMBER);
    versus(active, rounds, Config.VARIANT, Config.JFR);
    groupTable(active, rounds);
  }

  /** CPU of {@code a} against {@code b}, round by round, when both were measured. */
  static void versus(List<Config> active, List<Map<Config, Slot>> rounds, Config a, Config b) {
    if (!active.contains(a) || !active.contains(b)) {
      return;
    }
    double[] ratio = new double[rounds.size()];
    for (int i = 0; i < ratio.length; i++) {
      ratio[i] = (double) rounds.get(i).get(a).cpuNanos / rounds.get(i).get(b).cpuNanos - 1;
    }
    double[] ci = BenchStats.medianInterval(ratio, 0.95, 43);
    System.out.printf(
        "%s vs %s, per round: median %+.2f%% [95%% CI %+.2f%%, %+.2f%%]%n",
        a.label, b.label, 100 * BenchStats.median(ratio), 100 * ci[0], 100 * ci[1]);
  }

  /** CPU per thread group: the agent's median ms per slot and each configuration's difference. */
  static void groupTable(List<Config> active, List<Map<Config, Slot>> rounds) {
    List<Config> others = active.stream().filter(c -> c != Config.AGENT).toList();
    TreeMap<String, Boolean> names = new TreeMap<>();
    for (Map<Config, Slot> r : rounds) {
      for (Slot s : r.values()) {
        s.groups.keySet().forEach(g -> names.put(g, true));
      }
    }
    Map<String, Map<Config, Double>> deltas = new LinkedHashMap<>();
    Map<String, Double> agentMs = new HashMap<>();
    for (String g : names.keySet()) {
      agentMs.put(g, BenchStats.median(values(rounds, Config.AGENT, s -> ms(s.groups.get(g)))));
      Map<Config, Double> d = new EnumMap<>(Config.class);
      boolean big = false;
      for (Config c : others) {
        double[] diff = new double[rounds.size()];
        for (int i = 0; i < diff.length; i++) {
          diff[i] =
              ms(rounds.get(i).get(c).groups.get(g))
                  - ms(rounds.get(i).get(Config.AGENT).groups.get(g));
        }
        double m = BenchStats.median(diff);
        d.put(c, m);
        big |= Math.abs(m) >= 2;
      }
      if (big || agentMs.get(g) >= 20) {
        deltas.put(g, d);
      }
    }
    System.out.println();
    System.out.println(
        "CPU per thread group (/proc schedstat), ms per slot: the agent's median and the median"
            + " per-round difference of the others");
    StringBuilder header = new StringBuilder("| thread group | agent |");
    others.forEach(c -> header.append(' ').append(c.label).append(" |"));
    System.out.println(header);
    System.out.println("|---|---|" + "---|".repeat(others.size()));
    Config sortBy = others.contains(Config.EMBER) ? Config.EMBER : others.get(others.size() - 1);
    deltas.entrySet().stream()
        .sorted(
            (a, b) ->
                Double.compare(
                    Math.abs(b.getValue().get(sortBy)), Math.abs(a.getValue().get(sortBy))))
        .forEach(
            e -> {
              StringBuilder row =
                  new StringBuilder(
                      String.format("| %s | %.0f |", e.getKey(), agentMs.get(e.getKey())));
              others.forEach(c -> row.append(String.format(" %+.0f |", e.getValue().get(c))));
              System.out.println(row);
            });
  }

  static double ms(Long nanos) {
    return nanos == null ? 0 : nanos / 1e6;
  }

  /**
   * Per round: CPU from the start of the load until {@link #SEND_WAIT_MILLIS} after it (so every
   * profiler's deferred work, such as pyroscope's dump and upload, is in), against the agent's.
   */
  static double[] longRatios(List<Map<Config, Slot>> rounds, Config c) {
    List<Double> out = new ArrayList<>();
    for (Map<Config, Slot> r : rounds) {
      long agent = r.get(Config.AGENT).longCpuNanos.get();
      long mine = r.get(c).longCpuNanos.get();
      if (agent > 0 && mine > 0) {
        out.add((double) mine / agent - 1);
      }
    }
    return toArray(out);
  }

  /** Per round: (config's value minus the agent's) divided by the agent's CPU. */
  static double[] perRound(
      List<Map<Config, Slot>> rounds, Config c, java.util.function.ToLongFunction<Slot> f) {
    double[] out = new double[rounds.size()];
    for (int i = 0; i < out.length; i++) {
      Slot agent = rounds.get(i).get(Config.AGENT);
      Slot s = rounds.get(i).get(c);
      out[i] = (double) (f.applyAsLong(s) - f.applyAsLong(agent)) / agent.cpuNanos;
    }
    return out;
  }

  static double[] values(List<Map<Config, Slot>> rounds, Config c, ToDoubleFunction<Slot> f) {
    return rounds.stream()
        .map(r -> r.get(c))
        .mapToDouble(f)
        .filter(v -> !Double.isNaN(v))
        .toArray();
  }

  static double[] toArray(List<Double> v) {
    return v == null ? new double[0] : v.stream().mapToDouble(Double::doubleValue).toArray();
  }

  /** A child JVM running {@link WorkloadControl}; its output goes to a log file. */
  static final class Child implements AutoCloseable {
    final Config config;
    final Path log;
    private final Process process;
    private final Writer commands;
    private final BlockingQueue<String> replies = new LinkedBlockingQueue<>();

    Child(Config config, List<String> cmd, Map<String, String> env, Path log) throws Exception {
      this.config = config;
      this.log = log;
      ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
      pb.environment().putAll(env);
      this.process = pb.start();
      this.commands =
          new BufferedWriter(
              new java.io.OutputStreamWriter(process.getOutputStream(), StandardCharsets.UTF_8));
      Thread reader =
          new Thread(
              () -> {
                try (BufferedReader in =
                        new BufferedReader(
                            new InputStreamReader(
                                process.getInputStream(), StandardCharsets.UTF_8));
                    Writer out = Files.newBufferedWriter(log)) {
                  for (String line = in.readLine(); line != null; line = in.readLine()) {
                    if (line.startsWith("ctl ")) {
                      replies.add(line.substring(4));
                    } else {
                      out.write(line);
                      out.write('\n');
                      out.flush();
                    }
                  }
                } catch (IOException e) {
                  // the child ended
                }
                replies.add("eof");
              },
              "child-" + config.label);
      reader.setDaemon(true);
      reader.start();
      String ready = replies.poll(120, TimeUnit.SECONDS);
      if (!"ready".equals(ready)) {
        throw new IllegalStateException(
            config.label + " did not start (" + ready + "); see " + log);
      }
    }

    String call(String command) throws Exception {
      commands.write(command + "\n");
      commands.flush();
      String reply = replies.poll(120, TimeUnit.SECONDS);
      if (reply == null || reply.equals("eof") || reply.startsWith("error")) {
        throw new IllegalStateException(
            config.label + ": '" + command + "' failed (" + reply + "); see " + log);
      }
      return reply;
    }

    Mark mark() throws Exception {
      long t = System.nanoTime();
      String reply = call("mark");
      Matcher m = Pattern.compile("cpu_ns=(\\d+) requests=(\\d+) threads=(.*)").matcher(reply);
      if (!m.find()) {
        throw new IllegalStateException(config.label + ": bad mark " + reply);
      }
      Map<Integer, WorkloadCpu.ThreadCpu> threads = new HashMap<>();
      for (String part : m.group(3).split(";")) {
        int colon = part.indexOf(':');
        int eq = part.lastIndexOf('=');
        if (colon > 0 && eq > colon) {
          threads.put(
              Integer.parseInt(part.substring(0, colon)),
              new WorkloadCpu.ThreadCpu(
                  part.substring(colon + 1, eq), Long.parseLong(part.substring(eq + 1))));
        }
      }
      return new Mark(t, Long.parseLong(m.group(1)), Long.parseLong(m.group(2)), threads);
    }

    @Override
    public void close() throws Exception {
      try {
        commands.write("quit\n");
        commands.flush();
      } catch (IOException e) {
        // already gone
      }
      if (!process.waitFor(60, TimeUnit.SECONDS)) {
        process.destroyForcibly();
      }
    }
  }

  static Path findOne(Path dir, String suffix) throws IOException {
    try (var files = Files.list(dir)) {
      return files
          .filter(f -> f.getFileName().toString().endsWith(suffix))
          .findFirst()
          .orElse(dir.resolve("*" + suffix));
    }
  }

  static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0)) {
      return s.getLocalPort();
    }
  }

  static void awaitReady(int httpPort) throws Exception {
    HttpClient http = HttpClient.newHttpClient();
    long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
    while (System.nanoTime() < end) {
      try {
        HttpResponse<Void> r =
            http.send(
                HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + httpPort + "/ready"))
                    .build(),
                HttpResponse.BodyHandlers.discarding());
        if (r.statusCode() == 200) {
          return;
        }
      } catch (IOException e) {
        // not up yet
      }
      Thread.sleep(200);
    }
    throw new IllegalStateException("the backend did not become ready on port " + httpPort);
  }
}
