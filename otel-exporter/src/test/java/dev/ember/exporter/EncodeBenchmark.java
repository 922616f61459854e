package dev.ember.exporter;

import java.io.IOException;
import java.io.OutputStream;
import java.lang.management.ManagementFactory;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.zip.GZIPOutputStream;

/**
 * Micro benchmark of the exporter's own work per window, in thread CPU and bytes allocated, on the
 * windows of a real recording ({@link JfrReplay}); far steadier than whole-JVM runs. A command, not
 * a test: {@code scripts/bench-encode [recording.jfr] [rounds]}.
 *
 * <p>Measured on this thread, per window (median over rounds; variants take turns in a rotating
 * order): {@code replay} (JFR parsing of the file plus Ember's callbacks: convert, join,
 * aggregate), {@code builder+serialize} (the generated-message encoder, {@link
 * ReferenceOtlpEncoder}, and {@code toByteArray}, which the sender thread used to do), {@code
 * direct} ({@link OtlpEncoder}: the bytes written directly), {@code gzip-N} (compressing the
 * request at level N, as gRPC's gzip does at 6).
 */
public final class EncodeBenchmark {
  private static final com.sun.management.ThreadMXBean THREADS =
      (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
  private static final Map<String, String> RESOURCE =
      Map.of("service.name", "bench", "host.name", "bench-host", "process.pid", "4242");

  private EncodeBenchmark() {}

  interface Work {
    long run() throws IOException; // returns a number to keep the work alive (and to print)
  }

  public static void main(String[] args) throws Exception {
    Path file = Path.of(args.length > 0 ? args[0] : "target/encode-bench.jfr");
    int rounds = args.length > 1 ? Integer.parseInt(args[1]) : 30;
    int warmup = Math.max(3, rounds / 3);
    List<WindowAggregator> windows = JfrReplay.windows(file);
    int replayed = windows.size();
    // The first and last windows of a recording are partial: encode only the full ones.
    if (windows.size() > 2) {
      windows = new ArrayList<>(windows.subList(1, windows.size() - 1));
    }
    List<WindowAggregator> ws = windows;
    int n = ws.size();
    long samples = ws.stream().mapToLong(WindowAggregator::sampleCount).sum();
    long keys = ws.stream().mapToLong(w -> w.sums().size()).sum();
    byte[][] direct = new byte[n][];
    for (int i = 0; i < n; i++) {
      direct[i] = new OtlpEncoder(RESOURCE, "bench").encode(ws.get(i));
    }
    long raw = Arrays.stream(direct).mapToLong(b -> b.length).sum();
    System.out.printf(
        "%s: %d full windows, %.0f samples and %.0f sample keys per window, %.0f bytes per request"
            + " uncompressed; %s, %d rounds after %d warm-up rounds%n",
        file,
        n,
        samples / (double) n,
        keys / (double) n,
        raw / (double) n,
        Runtime.version(),
        rounds,
        warmup);

    Map<String, Work> variants = new LinkedHashMap<>();
    variants.put(
        "replay (JFR parse + convert, join, aggregate)", () -> JfrReplay.windows(file).size());
    variants.put("JFR parse only (same events, no Ember work)", () -> JfrReplay.parseOnly(file));
    variants.put(
        "builder+serialize (before)",
        () -> {
          long s = 0;
          for (WindowAggregator w : ws) {
            s += new ReferenceOtlpEncoder(RESOURCE, "bench").encode(w).toByteArray().length;
          }
          return s;
        });
    variants.put(
        "direct (after)",
        () -> {
          long s = 0;
          for (WindowAggregator w : ws) {
            s += new OtlpEncoder(RESOURCE, "bench").encode(w).length;
          }
          return s;
        });
    for (int level : new int[] {6, 1}) {
      variants.put(
          "gzip-" + level,
          () -> {
            long s = 0;
            for (byte[] b : direct) {
              s += gzip(b, level);
            }
            return s;
          });
    }
    // -Dbench.only=replay (a prefix of the variant names) runs only those variants.
    String only = System.getProperty("bench.only", "");
    List<String> names = new ArrayList<>();
    for (String name : variants.keySet()) {
      if (name.startsWith(only)) {
        names.add(name);
      }
    }
    Map<String, List<double[]>> results = new LinkedHashMap<>();
    Map<String, Long> outputs = new LinkedHashMap<>();
    for (int round = 0; round < warmup + rounds; round++) {
      for (int k = 0; k < names.size(); k++) {
        String name = names.get((k + round) % names.size());
        long cpu0 = THREADS.getCurrentThreadCpuTime();
        long alloc0 = THREADS.getThreadAllocatedBytes(Thread.currentThread().getId());
        long out = variants.get(name).run();
        long cpu = THREADS.getCurrentThreadCpuTime() - cpu0;
        long alloc = THREADS.getThreadAllocatedBytes(Thread.currentThread().getId()) - alloc0;
        outputs.put(name, out);
        if (round >= warmup) {
          int per =
              name.startsWith("replay") || name.startsWith("JFR")
                  ? replayed
                  : n; // the replay makes every window
          results
              .computeIfAbsent(name, x -> new ArrayList<>())
              .add(new double[] {cpu / 1e6 / per, alloc / 1024.0 / per});
        }
      }
    }
    System.out.println();
    System.out.println("| per window | CPU ms: median (IQR) | allocated KiB: median | output |");
    System.out.println("|---|---|---|---|");
    for (String name : names) {
      List<double[]> r = results.get(name);
      double[] cpu = r.stream().mapToDouble(x -> x[0]).sorted().toArray();
      double[] alloc = r.stream().mapToDouble(x -> x[1]).sorted().toArray();
      String output =
          name.startsWith("replay") || name.startsWith("JFR")
              ? replayed + " windows"
              : String.format("%.0f bytes", outputs.get(name) / (double) n);
      System.out.printf(
          "| %s | %.2f (%.2f to %.2f) | %.0f | %s |%n",
          name,
          quantile(cpu, 0.5),
          quantile(cpu, 0.25),
          quantile(cpu, 0.75),
          quantile(alloc, 0.5),
          output);
    }
  }

  static long gzip(byte[] b, int level) throws IOException {
    CountingStream count = new CountingStream();
    try (GZIPOutputStream gz =
        new GZIPOutputStream(count) {
          {
            def.setLevel(level);
          }
        }) {
      gz.write(b);
    }
    return count.bytes;
  }

  private static final class CountingStream extends OutputStream {
    long bytes;

    @Override
    public void write(int b) {
      bytes++;
    }

    @Override
    public void write(byte[] b, int off, int len) {
      bytes += len;
    }
  }

  static double quantile(double[] sorted, double q) {
    double pos = q * (sorted.length - 1);
    int lo = (int) Math.floor(pos);
    int hi = Math.min(lo + 1, sorted.length - 1);
    return sorted[lo] + (sorted[hi] - sorted[lo]) * (pos - lo);
  }
}
