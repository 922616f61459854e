package dev.ember.backend;

import dev.ember.index.store.LuceneProfileStore;
import dev.ember.index.store.StoreConfig;
import dev.ember.wire.ProfilesValidator;
import dev.ember.wire.ValidationReport;
import io.opentelemetry.proto.collector.profiles.v1development.ExportProfilesServiceRequest;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.zip.GZIPInputStream;

/**
 * Where the ingest path's CPU goes (a command, not a test): takes {@link IngestBenchmark}'s corpus
 * copies (gzip'd, links made unique per copy) and runs, on one thread and in order, the phases a
 * backend executor thread runs for a request: gunzip, parse, validation, and the store (rewrite,
 * log append and {@code fsync}, Lucene document, aggregates). Prints the thread CPU per profile of
 * each phase, per pass of {@code replays} copies into a fresh store; the first passes warm the JIT.
 *
 * <pre>
 * flock /tmp/ember-bench.lock java -cp grpc-backend/target/backend.jar:grpc-backend/target/test-classes \
 *   dev.ember.backend.IngestPhases corpus-dir [passes=6] [replays=20]
 * </pre>
 */
public final class IngestPhases {
  private IngestPhases() {}

  public static void main(String[] args) throws Exception {
    Path dir = Path.of(args.length > 0 ? args[0] : "target/bench/corpus-3svc-90s-10s-100rps");
    int passes = args.length > 1 ? Integer.parseInt(args[1]) : 6;
    int replays = args.length > 2 ? Integer.parseInt(args[2]) : 20;
    List<ExportProfilesServiceRequest> recorded = IngestBenchmark.load(dir);
    ThreadMXBean threads = ManagementFactory.getThreadMXBean();
    for (int pass = 0; pass < passes; pass++) {
      IngestBenchmark.Corpus corpus = IngestBenchmark.replay(recorded, replays, pass * replays);
      Path data = Files.createTempDirectory("ember-phases-");
      long[] cpu = new long[4];
      try (LuceneProfileStore store =
          new LuceneProfileStore(
              new StoreConfig(data, Duration.ofHours(1), Duration.ofSeconds(10)))) {
        for (byte[] zipped : corpus.gzipped()) {
          long t0 = threads.getCurrentThreadCpuTime();
          byte[] raw = gunzip(zipped);
          long t1 = threads.getCurrentThreadCpuTime();
          ExportProfilesServiceRequest request = ExportProfilesServiceRequest.parseFrom(raw);
          long t2 = threads.getCurrentThreadCpuTime();
          ValidationReport report = ProfilesValidator.validate(request);
          long t3 = threads.getCurrentThreadCpuTime();
          store.ingest("bench", request, ref -> !report.isRejected(ref));
          long t4 = threads.getCurrentThreadCpuTime();
          cpu[0] += t1 - t0;
          cpu[1] += t2 - t1;
          cpu[2] += t3 - t2;
          cpu[3] += t4 - t3;
        }
      } finally {
        IngestBenchmark.deleteTree(data);
      }
      double us = corpus.profiles() * 1e3;
      System.out.printf(
          Locale.ROOT,
          "pass %d: CPU per profile: gunzip %.0f us, parse %.0f us, validate %.0f us, store %.0f"
              + " us%n",
          pass + 1,
          cpu[0] / us,
          cpu[1] / us,
          cpu[2] / us,
          cpu[3] / us);
    }
  }

  private static byte[] gunzip(byte[] zipped) throws IOException {
    try (GZIPInputStream in = new GZIPInputStream(new ByteArrayInputStream(zipped))) {
      return in.readAllBytes();
    }
  }
}
