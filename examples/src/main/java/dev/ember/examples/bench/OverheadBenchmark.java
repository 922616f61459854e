package dev.ember.examples.bench;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The exporter overhead benchmark of issue 3 (a command, not a test; {@code scripts/bench-exporter}
 * builds and runs it). It starts an Ember backend ({@code grpc-backend/target/backend.jar}) and a
 * stand-in Pyroscope ingest endpoint that counts bytes, then runs {@link Workload} in child JVMs,
 * one configuration after the other, in rotated order per round:
 *
 * <ul>
 *   <li>{@code bare}: no agent;
 *   <li>{@code agent}: the OpenTelemetry Java agent 2.33.1 alone (spans, no exporters);
 *   <li>{@code agent+ember}: the agent with Ember's extension at defaults, exporting to the
 *       backend;
 *   <li>{@code agent+pyroscope}: the agent with pyroscope-java 2.9.2 (CPU, allocation and lock
 *       profiling, as close as it gets to Ember's defaults), uploading to the stand-in endpoint.
 * </ul>
 *
 * <p>The workload is open-loop, so every run does the same work and overhead is CPU time. It prints
 * the medians: process CPU seconds of the measured period, its ratio to the agent alone, heap in
 * use after a full GC at the end, and bytes sent per profiled minute.
 *
 * <p>Arguments: {@code [rounds=5] [seconds=40] [warmup=15] [requests/s=200]}.
 */
public final class OverheadBenchmark {
  private OverheadBenchmark() {}

  enum Config {
    BARE("bare"),
    AGENT("agent"),
    EMBER("agent+ember"),
    PYROSCOPE("agent+pyroscope");

    final String label;

    Config(String label) {
      this.label = label;
    }
  }

  record Run(long cpuNanos, long heapUsed, long wallNanos, long bytesSent, long requests) {}

  static final Pattern RESULT =
      Pattern.compile("workload: cpu_ns=(\\d+) wall_ns=(\\d+) heap_used=(\\d+) requests=(\\d+)");
  static final Pattern EMBER_BYTES = Pattern.compile("requests sent \\(([\\d,.\u00a0 ]+) bytes on");

  public static void main(String[] args) throws Exception {
    int rounds = args.length > 0 ? Integer.parseInt(args[0]) : 5;
    int seconds = args.length > 1 ? Integer.parseInt(args[1]) : 40;
    int warmup = args.length > 2 ? Integer.parseInt(args[2]) : 15;
    int rate = args.length > 3 ? Integer.parseInt(args[3]) : 200;
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
    try {
      awaitReady(httpPort);
      System.out.printf(
          "exporter overhead benchmark: %d rounds x %d s measured (+%d s warm-up), %d requests/s,"
              + " %s, %d cores%n",
          rounds,
          seconds,
          warmup,
          rate,
          Runtime.version(),
          Runtime.getRuntime().availableProcessors());
      Map<Config, List<Run>> runs = new EnumMap<>(Config.class);
      Config[] order = Config.values();
      for (int round = 0; round < rounds; round++) {
        for (int i = 0; i < order.length; i++) {
          Config c = order[(i + round) % order.length];
          List<String> cmd = new ArrayList<>(List.of(java, "-Xms256m", "-Xmx256m"));
          Map<String, String> env = new java.util.HashMap<>();
          if (c != Config.BARE) {
            cmd.addAll(
                List.of(
                    "-javaagent:" + otelAgent,
                    "-Dotel.service.name=bench",
                    "-Dotel.traces.exporter=none",
                    "-Dotel.metrics.exporter=none",
                    "-Dotel.logs.exporter=none"));
          }
          if (c == Config.EMBER) {
            cmd.addAll(
                List.of(
                    "-Dotel.javaagent.extensions=" + extension,
                    "-Dotel.profiling.enabled=true",
                    "-Dotel.exporter.otlp.profiles.endpoint=http://127.0.0.1:" + grpcPort));
          }
          if (c == Config.PYROSCOPE) {
            cmd.add("-javaagent:" + pyroscope);
            env.put("PYROSCOPE_APPLICATION_NAME", "bench");
            env.put(
                "PYROSCOPE_SERVER_ADDRESS", "http://127.0.0.1:" + ingest.getAddress().getPort());
            env.put("PYROSCOPE_PROFILER_EVENT", "itimer");
            env.put("PYROSCOPE_PROFILER_ALLOC", "512k");
            env.put("PYROSCOPE_PROFILER_LOCK", "10ms");
            env.put("PYROSCOPE_UPLOAD_INTERVAL", "10s");
            env.put("PYROSCOPE_LOG_LEVEL", "warn");
          }
          cmd.addAll(
              List.of(
                  "-jar",
                  workload.toString(),
                  Integer.toString(seconds),
                  Integer.toString(warmup),
                  Integer.toString(rate)));
          pyroscopeBytes.set(0);
          Run r = runOnce(cmd, env, tmp.resolve("run.log"), c, pyroscopeBytes);
          runs.computeIfAbsent(c, k -> new ArrayList<>()).add(r);
          System.out.printf(
              "  round %d %-16s cpu %6.2f s  heap %6.1f MiB  sent %8.1f KiB/min  requests %d%n",
              round + 1,
              c.label,
              r.cpuNanos / 1e9,
              r.heapUsed / 1048576.0,
              r.bytesSent / 1024.0 / (r.wallNanos / 60e9),
              r.requests);
        }
      }
      report(runs);
    } finally {
      ingest.stop(0);
      backend.destroy();
      backend.waitFor(20, TimeUnit.SECONDS);
    }
  }

  static Run runOnce(
      List<String> cmd, Map<String, String> env, Path log, Config c, AtomicLong pyroscopeBytes)
      throws IOException, InterruptedException {
    ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
    pb.environment().putAll(env);
    pb.redirectOutput(log.toFile());
    long t0 = System.nanoTime();
    Process p = pb.start();
    if (!p.waitFor(15, TimeUnit.MINUTES)) {
      p.destroyForcibly();
      throw new IllegalStateException(c.label + " run did not finish");
    }
    long wall = System.nanoTime() - t0;
    String out = Files.readString(log);
    Matcher m = RESULT.matcher(out);
    if (p.exitValue() != 0 || !m.find()) {
      throw new IllegalStateException(c.label + " run failed:\n" + out);
    }
    long bytes = 0;
    if (c == Config.EMBER) {
      Matcher b = EMBER_BYTES.matcher(out);
      if (b.find()) {
        bytes = Long.parseLong(b.group(1).replaceAll("[^0-9]", ""));
      }
    } else if (c == Config.PYROSCOPE) {
      bytes = pyroscopeBytes.get();
    }
    return new Run(
        Long.parseLong(m.group(1)),
        Long.parseLong(m.group(3)),
        wall,
        bytes,
        Long.parseLong(m.group(4)));
  }

  static void report(Map<Config, List<Run>> runs) {
    double agentCpu = median(runs.get(Config.AGENT), Run::cpuNanos);
    double agentHeap = median(runs.get(Config.AGENT), Run::heapUsed);
    System.out.println();
    System.out.println(
        "| configuration | CPU s (median) | CPU vs agent alone | heap after GC (MiB) | heap vs"
            + " agent (MiB) | sent per profiled minute |");
    System.out.println("|---|---|---|---|---|---|");
    for (Config c : Config.values()) {
      List<Run> rs = runs.get(c);
      double cpu = median(rs, Run::cpuNanos);
      double heap = median(rs, Run::heapUsed);
      double perMinute = median(rs, r -> (long) (r.bytesSent / (r.wallNanos / 60e9)));
      System.out.printf(
          "| %s | %.2f | %+.1f%% | %.1f | %+.1f | %s |%n",
          c.label,
          cpu / 1e9,
          100 * (cpu / agentCpu - 1),
          heap / 1048576.0,
          (heap - agentHeap) / 1048576.0,
          c == Config.EMBER || c == Config.PYROSCOPE
              ? String.format("%.1f KiB", perMinute / 1024)
              : "-");
    }
    // Ratios per round (runs of one round ran back to back) are less noisy than ratios of medians.
    double[] ember = perRoundRatio(runs, Config.EMBER);
    double[] pyro = perRoundRatio(runs, Config.PYROSCOPE);
    System.out.printf(
        "%nper-round CPU ratio to agent alone, median: agent+ember %+.1f%%, agent+pyroscope"
            + " %+.1f%%%n",
        100 * (medianOf(ember) - 1), 100 * (medianOf(pyro) - 1));
  }

  static double[] perRoundRatio(Map<Config, List<Run>> runs, Config c) {
    List<Run> a = runs.get(Config.AGENT);
    List<Run> b = runs.get(c);
    double[] out = new double[Math.min(a.size(), b.size())];
    for (int i = 0; i < out.length; i++) {
      out[i] = (double) b.get(i).cpuNanos / a.get(i).cpuNanos;
    }
    return out;
  }

  static double median(List<Run> rs, java.util.function.ToLongFunction<Run> f) {
    return medianOf(rs.stream().mapToDouble(r -> f.applyAsLong(r)).toArray());
  }

  static double medianOf(double[] v) {
    double[] s = v.clone();
    Arrays.sort(s);
    int n = s.length;
    return n == 0 ? Double.NaN : n % 2 == 1 ? s[n / 2] : (s[n / 2 - 1] + s[n / 2]) / 2;
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
