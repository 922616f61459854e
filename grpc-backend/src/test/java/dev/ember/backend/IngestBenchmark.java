package dev.ember.backend;

import com.google.protobuf.ByteString;
import io.grpc.CallOptions;
import io.grpc.Channel;
import io.grpc.ClientInterceptors;
import io.grpc.Compressor;
import io.grpc.CompressorRegistry;
import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.MethodDescriptor;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.protobuf.ProtoUtils;
import io.grpc.stub.ClientCalls;
import io.grpc.stub.MetadataUtils;
import io.opentelemetry.proto.collector.profiles.v1development.ExportProfilesServiceRequest;
import io.opentelemetry.proto.collector.profiles.v1development.ExportProfilesServiceResponse;
import io.opentelemetry.proto.collector.profiles.v1development.ProfilesServiceGrpc;
import io.opentelemetry.proto.profiles.v1development.Link;
import io.opentelemetry.proto.profiles.v1development.Profile;
import io.opentelemetry.proto.profiles.v1development.ResourceProfiles;
import io.opentelemetry.proto.profiles.v1development.Sample;
import io.opentelemetry.proto.profiles.v1development.ScopeProfiles;
import java.io.BufferedReader;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import java.util.zip.GZIPOutputStream;

/**
 * The ingest benchmark (a command, not a test): replays a corpus of real exporter requests ({@code
 * RecordCorpus} output, {@code NNNNNN.pb}) into a running backend process ({@code backend.jar})
 * over real gRPC with several concurrent clients, and in the same run times plain protobuf parsing
 * of the same bytes with as many threads. Parse-only and ingest rounds alternate; medians are
 * printed with their ratio, and bytes on disk per profile against the gzip'd input.
 *
 * <p>The corpus is replayed several times, each copy shifted back in time by the corpus's span, so
 * the store sees a continuous stream from the same services (new profiles, mostly known stacks), as
 * in production. Each ingest round uses a fresh backend and data directory; warm-up passes as large
 * as the measured replay, each into a tenant of its own, run first (for at least {@code
 * ember.bench.warmupSeconds}, 20) so both sides are measured with warm JITs. Clients send the
 * requests gzip'd once up front (see {@link #PREGZIPPED}), so that they do not spend the shared
 * cores compressing; besides the totals, the backend's CPU per thread group is printed (Linux).
 *
 * <pre>
 * java -cp grpc-backend/target/backend.jar:grpc-backend/target/test-classes \
 *   dev.ember.backend.IngestBenchmark corpus-dir [clients=4] [rounds=3] [replays=20] [gzip|none]
 * </pre>
 *
 * {@code scripts/bench-ingest} records a corpus and runs this.
 */
public final class IngestBenchmark {
  private static final Pattern LISTENING =
      Pattern.compile("OTLP gRPC :(\\d+), HTTP http://localhost:(\\d+)/");
  private static final String TENANT = "bench";
  private static final long WARMUP_NANOS =
      Long.getLong("ember.bench.warmupSeconds", 20) * 1_000_000_000L;
  private static final MethodDescriptor<byte[], ExportProfilesServiceResponse> RAW_EXPORT =
      ProfilesServiceGrpc.getExportMethod().toBuilder(
              new OtlpGrpcReceiver.RawBytes(),
              ProtoUtils.marshaller(ExportProfilesServiceResponse.getDefaultInstance()))
          .build();

  private static final java.lang.management.ThreadMXBean THREADS =
      java.lang.management.ManagementFactory.getThreadMXBean();

  private IngestBenchmark() {}

  /**
   * Requests as protobuf bytes and gzip'd once up front ({@code gzipped}, what goes on the wire);
   * sizes summed over all of them.
   */
  record Corpus(
      List<byte[]> requests,
      List<byte[]> gzipped,
      long profiles,
      long samples,
      long bytes,
      long gzipBytes) {}

  public static void main(String[] args) throws Exception {
    Path dir = Path.of(args.length > 0 ? args[0] : "target/bench/corpus");
    int clients = args.length > 1 ? Integer.parseInt(args[1]) : 4;
    int rounds = args.length > 2 ? Integer.parseInt(args[2]) : 3;
    int replays = args.length > 3 ? Integer.parseInt(args[3]) : 20;
    boolean gzip = args.length <= 4 || !args[4].equals("none");
    Path jar = Path.of(System.getProperty("ember.backend.jar", "grpc-backend/target/backend.jar"));

    List<ExportProfilesServiceRequest> recorded = load(dir);
    Corpus corpus = replay(recorded, replays, 0);
    // The warm-up replays as much as the measured run (other copies), so that the JIT also sees
    // what only larger partitions do (Lucene flushes and merges of bigger segments).
    Corpus warmup = replay(recorded, replays, replays);
    System.out.printf(
        Locale.ROOT,
        "corpus: %d recorded requests from %s, replayed %d times: %d requests, %d profiles, %d"
            + " samples, %.1f MiB (%.1f MiB gzip'd); %d clients, %s%n",
        recorded.size(),
        dir,
        replays,
        corpus.requests().size(),
        corpus.profiles(),
        corpus.samples(),
        corpus.bytes() / 1048576.0,
        corpus.gzipBytes() / 1048576.0,
        clients,
        gzip ? "gzip on the wire" : "no compression");

    // JIT warm-up of the parse path, as long as the backend's (C2 keeps compiling for a while).
    for (long until = System.nanoTime() + WARMUP_NANOS; System.nanoTime() < until; ) {
      parse(corpus, clients);
    }
    List<double[]> parse = new ArrayList<>();
    List<double[]> ingest = new ArrayList<>();
    List<Long> disk = new ArrayList<>();
    List<double[]> cpu = new ArrayList<>(); // parse CPU us/profile, server CPU us/profile
    for (int r = 0; r < rounds; r++) {
      double parseSeconds = parse(corpus, clients);
      parse.add(rates(corpus, parseSeconds));
      Path data = Files.createTempDirectory("ember-bench-");
      try {
        long[] result = ingest(jar, data, corpus, warmup, clients, gzip);
        double seconds = result[0] / 1e9;
        ingest.add(rates(corpus, seconds));
        disk.add(result[1]);
        cpu.add(
            new double[] {
              PARSE_CPU.get() / 1e3 / corpus.profiles(), result[2] / 1e3 / corpus.profiles()
            });
        System.out.printf(
            Locale.ROOT,
            "round %d: parse-only %.0f profiles/s, %.0f samples/s | ingest %.0f profiles/s, %.0f"
                + " samples/s | CPU per profile: parse %.0f us, backend %.0f us | %d bytes on disk%n",
            r + 1,
            parse.get(r)[0],
            parse.get(r)[1],
            ingest.get(r)[0],
            ingest.get(r)[1],
            cpu.get(r)[0],
            cpu.get(r)[1],
            result[1]);
      } finally {
        if (Boolean.getBoolean("ember.bench.keep")) {
          System.out.println("kept the data of round " + (r + 1) + " in " + data);
        } else {
          deleteTree(data);
        }
      }
    }
    double parseProfiles = median(parse, 0);
    double ingestProfiles = median(ingest, 0);
    long diskBytes = disk.stream().sorted().toList().get(disk.size() / 2);
    System.out.printf(
        Locale.ROOT,
        "%nmedian of %d rounds:%n"
            + "  parse only        %10.0f profiles/s %12.0f samples/s %8.1f MiB/s%n"
            + "  ingest (durable)  %10.0f profiles/s %12.0f samples/s %8.1f MiB/s%n"
            + "  ingest / parse    %10.2f   (goal >= 0.5; wall clock, clients on the same cores)%n"
            + "  CPU per profile   %10.0f us parsing, %.0f us in the backend (whole process):"
            + " %.2f%n"
            + "  bytes on disk     %10.0f per profile, %.3f of the gzip'd input (goal <= 0.2)%n",
        rounds,
        parseProfiles,
        median(parse, 1),
        median(parse, 2),
        ingestProfiles,
        median(ingest, 1),
        median(ingest, 2),
        ingestProfiles / parseProfiles,
        median(cpu, 0),
        median(cpu, 1),
        median(cpu, 0) / median(cpu, 1),
        diskBytes / (double) corpus.profiles(),
        diskBytes / (double) corpus.gzipBytes());
  }

  static double[] rates(Corpus c, double seconds) {
    return new double[] {
      c.profiles() / seconds, c.samples() / seconds, c.bytes() / 1048576.0 / seconds
    };
  }

  static double median(List<double[]> rows, int column) {
    double[] v = rows.stream().mapToDouble(r -> r[column]).sorted().toArray();
    return v[v.length / 2];
  }

  static List<ExportProfilesServiceRequest> load(Path dir) throws IOException {
    List<ExportProfilesServiceRequest> out = new ArrayList<>();
    try (Stream<Path> files = Files.list(dir)) {
      for (Path f : files.filter(p -> p.toString().endsWith(".pb")).sorted().toList()) {
        out.add(ExportProfilesServiceRequest.parseFrom(Files.readAllBytes(f)));
      }
    }
    if (out.isEmpty()) {
      throw new IllegalArgumentException("no .pb requests in " + dir);
    }
    return out;
  }

  /**
   * The corpus {@code times} times, copy {@code k} shifted back by {@code (first + k + 1)} corpus
   * spans, oldest copy first.
   */
  static Corpus replay(List<ExportProfilesServiceRequest> recorded, int times, int first)
      throws IOException {
    long min = Long.MAX_VALUE;
    long max = Long.MIN_VALUE;
    for (ExportProfilesServiceRequest r : recorded) {
      for (ResourceProfiles rp : r.getResourceProfilesList()) {
        for (ScopeProfiles sp : rp.getScopeProfilesList()) {
          for (Profile p : sp.getProfilesList()) {
            min = Math.min(min, p.getTimeUnixNano());
            max = Math.max(max, p.getTimeUnixNano() + p.getDurationNano());
          }
        }
      }
    }
    long span = Math.max(1_000_000_000L, max - min);
    List<byte[]> requests = new ArrayList<>();
    List<byte[]> gzipped = new ArrayList<>();
    long profiles = 0;
    long samples = 0;
    long bytes = 0;
    long gzipBytes = 0;
    for (int k = times - 1; k >= 0; k--) {
      // Two hours back: the data lands in sealed partitions, compacted as they are in steady
      // state (the live partition is a sliver of 30 days of retention).
      long shift = -(first + k + 1) * span - 7_200_000_000_000L;
      for (ExportProfilesServiceRequest r : recorded) {
        ExportProfilesServiceRequest.Builder b = r.toBuilder();
        uniqueLinks(b, first + k + 1);
        for (ResourceProfiles.Builder rp : b.getResourceProfilesBuilderList()) {
          for (ScopeProfiles.Builder sp : rp.getScopeProfilesBuilderList()) {
            for (Profile.Builder p : sp.getProfilesBuilderList()) {
              p.setTimeUnixNano(p.getTimeUnixNano() + shift);
              profiles++;
              samples += p.getSamplesCount();
              for (Sample.Builder s : p.getSamplesBuilderList()) {
                for (int i = 0; i < s.getTimestampsUnixNanoCount(); i++) {
                  s.setTimestampsUnixNano(i, s.getTimestampsUnixNano(i) + shift);
                }
              }
            }
          }
        }
        byte[] out = b.build().toByteArray();
        byte[] zipped = gzip(out);
        requests.add(out);
        gzipped.add(zipped);
        bytes += out.length;
        gzipBytes += zipped.length;
      }
    }
    return new Corpus(requests, gzipped, profiles, samples, bytes, gzipBytes);
  }

  /**
   * Makes every span link of a copy its own: a replayed copy stands for other requests of other
   * traces, so its trace and span ids must not repeat those of the recording (repeated ids would be
   * deduplicated by the store and flatter its bytes on disk). The ids stay random bytes, as the
   * OTel SDK makes them; only their last four bytes are mixed with the copy number.
   */
  static void uniqueLinks(ExportProfilesServiceRequest.Builder b, int copy) {
    var dict = b.getDictionaryBuilder();
    for (int l = 1; l < dict.getLinkTableCount(); l++) {
      Link link = dict.getLinkTable(l);
      dict.setLinkTable(
          l,
          Link.newBuilder()
              .setTraceId(mix(link.getTraceId(), copy))
              .setSpanId(mix(link.getSpanId(), copy)));
    }
  }

  private static ByteString mix(ByteString id, int copy) {
    if (id.size() < 4) {
      return id;
    }
    byte[] b = id.toByteArray();
    ByteBuffer buf = ByteBuffer.wrap(b);
    int at = b.length - 4;
    buf.putInt(at, buf.getInt(at) ^ (copy * 0x9E3779B9));
    return ByteString.copyFrom(b);
  }

  static byte[] gzip(byte[] b) throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try (GZIPOutputStream g = new GZIPOutputStream(out)) {
      g.write(b);
    }
    return out.toByteArray();
  }

  /** CPU nanoseconds the last parse run's threads used. */
  static final java.util.concurrent.atomic.AtomicLong PARSE_CPU =
      new java.util.concurrent.atomic.AtomicLong();

  /** Parses every request once with {@code threads} threads; returns seconds. */
  static double parse(Corpus c, int threads) throws Exception {
    AtomicInteger next = new AtomicInteger();
    long[] sink = new long[threads];
    PARSE_CPU.set(0);
    List<Thread> workers = new ArrayList<>();
    long start = System.nanoTime();
    for (int t = 0; t < threads; t++) {
      int id = t;
      Thread w =
          new Thread(
              () -> {
                long cpu0 = THREADS.getCurrentThreadCpuTime();
                for (int i; (i = next.getAndIncrement()) < c.requests().size(); ) {
                  try {
                    sink[id] +=
                        ExportProfilesServiceRequest.parseFrom(c.requests().get(i))
                            .getResourceProfilesCount();
                  } catch (IOException e) {
                    throw new IllegalStateException(e);
                  }
                }
                PARSE_CPU.addAndGet(THREADS.getCurrentThreadCpuTime() - cpu0);
              });
      w.start();
      workers.add(w);
    }
    for (Thread w : workers) {
      w.join();
    }
    long elapsed = System.nanoTime() - start;
    if (Arrays.stream(sink).sum() == 0) {
      throw new IllegalStateException("nothing parsed");
    }
    return elapsed / 1e9;
  }

  /**
   * Starts a backend on a fresh directory, warms it up, replays the corpus with {@code clients}
   * threads, stops it gracefully; returns {nanoseconds of the replay, bytes on disk of the tenant}.
   */
  static long[] ingest(Path jar, Path data, Corpus corpus, Corpus warmup, int clients, boolean gzip)
      throws Exception {
    String java = ProcessHandle.current().info().command().orElse("java");
    List<String> command =
        new ArrayList<>(
            List.of(
                java,
                "-Xmx2g",
                "--enable-native-access=ALL-UNNAMED",
                "--add-modules",
                "jdk.incubator.vector"));
    String extra = System.getProperty("ember.bench.jvm", "");
    if (!extra.isBlank()) {
      command.addAll(List.of(extra.trim().split("\\s+")));
    }
    command.addAll(
        List.of(
            "-jar",
            jar.toString(),
            "--data-dir=" + data,
            "--bind=127.0.0.1",
            "--grpc-port=0",
            "--http-port=0",
            "--maintenance-interval=1s"));
    Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
    try {
      int port = awaitListening(p);
      List<ManagedChannel> channels = new ArrayList<>();
      for (int i = 0; i < clients; i++) {
        channels.add(
            NettyChannelBuilder.forAddress("127.0.0.1", port)
                .usePlaintext()
                .compressorRegistry(PREGZIPPED)
                .maxInboundMessageSize(64 << 20)
                .build());
      }
      try {
        // Warm-up into other tenants until the JIT settles (C2 keeps compiling for a while). Each
        // pass goes to a tenant of its own, so that it creates partitions and interns symbols as
        // the measured replay does: a JIT trained only on known symbols recompiles when it sees
        // new ones.
        long warmUntil = System.nanoTime() + WARMUP_NANOS;
        for (int pass = 0; pass < 2 || System.nanoTime() < warmUntil; pass++) {
          send(channels, warmup, "warmup-" + pass, gzip);
        }
        long cpu0 = cpuNanos(p);
        Map<String, Long> threads0 = threadCpu(p.pid());
        long start = System.nanoTime();
        send(channels, corpus, TENANT, gzip);
        long elapsed = System.nanoTime() - start;
        long serverCpu = cpuNanos(p) - cpu0;
        printThreadCpu(threads0, threadCpu(p.pid()), corpus.profiles());
        for (ManagedChannel c : channels) {
          c.shutdownNow();
        }
        stop(p); // SIGTERM: graceful shutdown commits the indexes
        // Steady state on disk: a restarted backend compacts the sealed partitions it finds.
        Process again = new ProcessBuilder(command).redirectErrorStream(true).start();
        try {
          awaitListening(again);
          Thread.sleep(4000); // a few 1 s maintenance rounds
          stop(again);
        } finally {
          again.destroyForcibly();
        }
        return new long[] {elapsed, treeSize(data.resolve("tenants").resolve(TENANT)), serverCpu};
      } finally {
        for (ManagedChannel c : channels) {
          c.shutdownNow();
        }
      }
    } finally {
      p.destroyForcibly();
    }
  }

  /**
   * CPU time per thread group of a process (threads named alike, digits dropped: "GC Thread#0" and
   * "GC Thread#1" are one group), in nanoseconds, from Linux's /proc; empty elsewhere.
   */
  static Map<String, Long> threadCpu(long pid) {
    Map<String, Long> out = new TreeMap<>();
    Path tasks = Path.of("/proc", Long.toString(pid), "task");
    if (!Files.isDirectory(tasks)) {
      return out;
    }
    try (Stream<Path> ts = Files.list(tasks)) {
      for (Path t : ts.toList()) {
        try {
          String name = Files.readString(t.resolve("comm")).trim().replaceAll("[0-9]+", "N");
          String stat = Files.readString(t.resolve("stat"));
          // Fields after the parenthesised name: state is field 3, utime 14, stime 15 (ticks).
          String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
          long ticks = Long.parseLong(f[11]) + Long.parseLong(f[12]);
          out.merge(name, ticks * 10_000_000L, Long::sum); // USER_HZ is 100 on Linux
        } catch (IOException | RuntimeException e) {
          // the thread ended meanwhile
        }
      }
    } catch (IOException e) {
      return out;
    }
    return out;
  }

  /** Prints where the backend's CPU went between two {@link #threadCpu} readings. */
  static void printThreadCpu(Map<String, Long> before, Map<String, Long> after, long profiles) {
    if (after.isEmpty()) {
      return;
    }
    StringBuilder b = new StringBuilder("  backend CPU per profile by thread group:");
    after.entrySet().stream()
        .map(e -> Map.entry(e.getKey(), e.getValue() - before.getOrDefault(e.getKey(), 0L)))
        .filter(e -> e.getValue() > 0)
        .sorted((x, y) -> Long.compare(y.getValue(), x.getValue()))
        .forEach(
            e ->
                b.append(
                    String.format(
                        Locale.ROOT, " %s %.0f us,", e.getKey(), e.getValue() / 1e3 / profiles)));
    b.setLength(b.length() - 1);
    System.out.println(b);
  }

  /** CPU time the process used so far (all threads), from /proc or the OS. */
  static long cpuNanos(Process p) {
    return p.toHandle().info().totalCpuDuration().map(java.time.Duration::toNanos).orElse(0L);
  }

  static void stop(Process p) throws InterruptedException {
    p.destroy();
    if (!p.waitFor(60, TimeUnit.SECONDS)) {
      throw new IllegalStateException("the backend did not stop");
    }
  }

  /**
   * The clients' compressors: "gzip" writes the message through unchanged, because the benchmark
   * hands it bytes gzip'd once up front. The wire carries exactly what a gzip client sends (the
   * grpc-encoding header, the compressed flag, a gzip stream), and the backend inflates it as
   * usual; but the clients, which share the machine's cores with the backend, do not compress the
   * same bytes again on every replay (exporters compress on their own machines).
   */
  static final CompressorRegistry PREGZIPPED = CompressorRegistry.newEmptyInstance();

  static {
    PREGZIPPED.register(
        new Compressor() {
          @Override
          public String getMessageEncoding() {
            return "gzip";
          }

          @Override
          public OutputStream compress(OutputStream os) {
            return os;
          }
        });
  }

  static void send(List<ManagedChannel> channels, Corpus corpus, String tenant, boolean gzip)
      throws Exception {
    Metadata md = new Metadata();
    md.put(TenantInterceptor.HEADER, tenant);
    AtomicInteger next = new AtomicInteger();
    List<Thread> workers = new ArrayList<>();
    List<Throwable> errors = new java.util.concurrent.CopyOnWriteArrayList<>();
    for (ManagedChannel channel : channels) {
      Thread w =
          new Thread(
              () -> {
                // The prepared bytes go out as they are: the client spends no CPU re-encoding.
                Channel intercepted =
                    ClientInterceptors.intercept(
                        channel, MetadataUtils.newAttachHeadersInterceptor(md));
                try {
                  for (int i; (i = next.getAndIncrement()) < corpus.requests().size(); ) {
                    CallOptions options =
                        CallOptions.DEFAULT.withDeadlineAfter(60, TimeUnit.SECONDS);
                    if (gzip) {
                      options = options.withCompression("gzip");
                    }
                    ExportProfilesServiceResponse r =
                        ClientCalls.blockingUnaryCall(
                            intercepted,
                            RAW_EXPORT,
                            options,
                            gzip ? corpus.gzipped().get(i) : corpus.requests().get(i));
                    if (r.hasPartialSuccess()) {
                      throw new IllegalStateException(r.getPartialSuccess().getErrorMessage());
                    }
                  }
                } catch (Throwable t) {
                  errors.add(t);
                }
              });
      w.start();
      workers.add(w);
    }
    for (Thread w : workers) {
      w.join();
    }
    if (!errors.isEmpty()) {
      throw new IllegalStateException("ingest failed: " + errors.get(0), errors.get(0));
    }
  }

  static int awaitListening(Process p) throws IOException {
    BufferedReader out =
        new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
    String line;
    while ((line = out.readLine()) != null) {
      Matcher m = LISTENING.matcher(line);
      if (m.find()) {
        Thread drain =
            new Thread(
                () -> {
                  try {
                    for (String l; (l = out.readLine()) != null; ) {
                      if (l.contains("WARNING") || l.contains("SEVERE")) {
                        System.err.println("backend: " + l);
                      }
                    }
                  } catch (IOException e) {
                    // gone
                  }
                });
        drain.setDaemon(true);
        drain.start();
        return Integer.parseInt(m.group(1));
      }
    }
    throw new IllegalStateException("the backend exited before listening");
  }

  static long treeSize(Path root) throws IOException {
    if (!Files.exists(root)) {
      return 0;
    }
    try (Stream<Path> files = Files.walk(root)) {
      return files.filter(Files::isRegularFile).mapToLong(f -> f.toFile().length()).sum();
    }
  }

  static void deleteTree(Path root) throws IOException {
    if (!Files.exists(root)) {
      return;
    }
    try (Stream<Path> files = Files.walk(root)) {
      for (Path f : files.sorted(java.util.Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(f);
      }
    }
  }
}
