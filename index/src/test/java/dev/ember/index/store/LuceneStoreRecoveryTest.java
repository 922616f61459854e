package dev.ember.index.store;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.ByteString;
import dev.ember.index.query.FlameQL;
import dev.ember.index.query.QueryContext;
import dev.ember.index.query.QueryLimits;
import dev.ember.index.query.Selection;
import dev.ember.index.query.TraceResult;
import dev.ember.proto.store.v1.Attribute;
import dev.ember.proto.store.v1.AttributeSet;
import dev.ember.proto.store.v1.Function;
import dev.ember.proto.store.v1.Link;
import dev.ember.proto.store.v1.LogRecord;
import dev.ember.proto.store.v1.ProfileType;
import dev.ember.proto.store.v1.Series;
import dev.ember.proto.store.v1.StackNode;
import dev.ember.proto.store.v1.StoredProfile;
import dev.ember.proto.store.v1.SymbolBatch;
import dev.ember.proto.store.v1.SymbolEntry;
import dev.ember.wire.ProfileRequests;
import io.opentelemetry.proto.collector.profiles.v1development.ExportProfilesServiceRequest;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.apache.lucene.index.IndexWriter;
import org.apache.lucene.index.IndexWriterConfig;
import org.apache.lucene.store.FSDirectory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What the embedded store does with its own files: the log is the truth and the Lucene index is
 * rebuilt from it whenever it is behind, missing or ahead; sealed partitions are compacted to one
 * segment; idle ones are closed and reopen on use.
 */
class LuceneStoreRecoveryTest {
  static final long HOUR = 3_600_000_000_000L;
  static final long T0 = 1_763_769_600_000_000_000L;
  static final String CPU = "process_cpu:cpu:nanoseconds:cpu:nanoseconds";

  @TempDir Path dir;
  final MutableClock clock = MutableClock.atNanos(T0 + HOUR / 2);

  LuceneProfileStore open(Path data) throws IOException {
    return new LuceneProfileStore(StoreConfig.of(data), clock);
  }

  static ExportProfilesServiceRequest request(String service, long time, long value) {
    return ProfileRequests.request()
        .service(service)
        .cpuProfile(time)
        .sample(value, "main", "work", service)
        .build();
  }

  static Map<String, Long> folded(LuceneProfileStore s, String query, long from, long until)
      throws IOException {
    return Folded.of(s.merge("t", new Selection(FlameQL.parse(query), from, until)));
  }

  Path partitionDir(Path data) throws IOException {
    try (Stream<Path> p = Files.list(data.resolve("tenants").resolve("t"))) {
      return p.findFirst().orElseThrow();
    }
  }

  @Test
  void aTornLogTailIsCutAndEverythingBeforeItRemains() throws Exception {
    try (LuceneProfileStore s = open(dir)) {
      for (int i = 0; i < 5; i++) {
        s.ingest("t", request("svc", T0 + i, 10), r -> true);
      }
    }
    Path log = partitionDir(dir).resolve(Partition.LOG);
    long size = Files.size(log);
    try (FileChannel ch = FileChannel.open(log, StandardOpenOption.APPEND)) {
      ch.write(java.nio.ByteBuffer.wrap(new byte[] {42, 0, 0, 0, 1, 2, 3, 4, 5, 6}));
    }
    try (LuceneProfileStore s = open(dir)) {
      assertThat(folded(s, CPU + "{}", T0, T0 + HOUR)).isEqualTo(Map.of("main;work;svc", 50L));
      assertThat(Files.size(log)).isEqualTo(size); // cut when the partition opened
      s.ingest("t", request("svc", T0 + 9, 1), r -> true);
      assertThat(folded(s, CPU + "{}", T0 + 1, T0 + HOUR)).isEqualTo(Map.of("main;work;svc", 41L));
    }
  }

  @Test
  void aMissingIndexIsRebuiltFromTheLog() throws Exception {
    try (LuceneProfileStore s = open(dir)) {
      s.ingest("t", request("a", T0 + 1, 3), r -> true);
      s.ingest("t", request("b", T0 + 2, 4), r -> true);
    }
    TenantStore.deleteTree(partitionDir(dir).resolve(Partition.LUCENE));
    try (LuceneProfileStore s = open(dir)) {
      // A partial range reads profiles through Lucene: it must find both again.
      assertThat(folded(s, CPU + "{}", T0 + 1, T0 + HOUR))
          .isEqualTo(Map.of("main;work;a", 3L, "main;work;b", 4L));
      assertThat(folded(s, CPU + "{service_name=\"b\"}", T0 + 1, T0 + HOUR))
          .isEqualTo(Map.of("main;work;b", 4L));
    }
  }

  @Test
  void profilesLoggedAfterTheLastIndexCommitAreReindexed() throws Exception {
    // Copying the directory while the store runs is what a crash leaves: the log holds every
    // acknowledged profile, the index only what its last commit covered (here: nothing).
    Path copy = dir.resolve("copy");
    Path data = dir.resolve("data");
    try (LuceneProfileStore s = open(data)) {
      for (int i = 0; i < 20; i++) {
        s.ingest("t", request("svc-" + (i % 2), T0 + i, 1), r -> true);
      }
      copyTree(data, copy);
    }
    try (LuceneProfileStore s = open(copy)) {
      assertThat(folded(s, CPU + "{service_name=\"svc-1\"}", T0 + 1, T0 + HOUR))
          .isEqualTo(Map.of("main;work;svc-1", 10L));
      assertThat(folded(s, CPU + "{}", T0, T0 + HOUR))
          .isEqualTo(Map.of("main;work;svc-0", 10L, "main;work;svc-1", 10L));
    }
  }

  @Test
  void anIndexAheadOfItsLogIsRebuilt() throws Exception {
    Path data = dir.resolve("data");
    try (LuceneProfileStore s = open(data)) {
      s.ingest("t", request("a", T0 + 1, 3), r -> true);
    }
    Path logCopy = dir.resolve("log-copy");
    Files.copy(partitionDir(data).resolve(Partition.LOG), logCopy);
    try (LuceneProfileStore s = open(data)) {
      s.ingest("t", request("b", T0 + 2, 4), r -> true);
    }
    // The log loses its tail (a disk that lied about fsync); the index committed beyond it.
    Files.copy(
        logCopy, partitionDir(data).resolve(Partition.LOG), StandardCopyOption.REPLACE_EXISTING);
    try (LuceneProfileStore s = open(data)) {
      assertThat(folded(s, CPU + "{}", T0 + 1, T0 + HOUR)).isEqualTo(Map.of("main;work;a", 3L));
    }
  }

  @Test
  void sealedPartitionsAreCompactedToOneSegmentAndIdleOnesClosed() throws Exception {
    StoreConfig config =
        StoreConfig.of(dir)
            .withCommitInterval(Duration.ofHours(1))
            .withMaintenance(Duration.ofHours(1), Duration.ofMillis(1));
    try (LuceneProfileStore s = new LuceneProfileStore(config, clock)) {
      Partition p = null;
      for (int i = 0; i < 6; i++) {
        s.ingest("t", request("svc-" + i, T0 + i, 1), r -> true);
        // Each commit writes a segment, as the periodic commit does while data arrives.
        p = s.tenantForTests("t").partitionFor(T0);
        p.commit();
      }
      assertThat(p.segmentCount()).isGreaterThan(1);
      s.enforceRetention(); // one maintenance round: not sealed yet, nothing happens
      assertThat(p.segmentCount()).isGreaterThan(1);

      clock.advance(Duration.ofHours(1)); // the partition ended 40 minutes ago: sealed
      Thread.sleep(5);
      s.enforceRetention();
      assertThat(segmentsOnDisk(partitionDir(dir))).isEqualTo(1);
      // It was idle, so it is closed now; the next query reopens it with all its data.
      assertThat(folded(s, CPU + "{service_name=~\"svc-[0-2]\"}", T0, T0 + HOUR)).hasSize(3);
      assertThat(folded(s, CPU + "{}", T0 + 1, T0 + HOUR)).hasSize(5);
    }
  }

  @Test
  void closedPartitionsLeftWithManySegmentsAreCompactedOnce() throws Exception {
    StoreConfig config =
        StoreConfig.of(dir)
            .withCommitInterval(Duration.ofHours(1))
            .withMaintenance(Duration.ofHours(1), Duration.ofMillis(1));
    try (LuceneProfileStore s = new LuceneProfileStore(config, clock)) {
      for (int i = 0; i < 4; i++) {
        s.ingest("t", request("svc-" + i, T0 + i, 1), r -> true);
        s.tenantForTests("t").partitionFor(T0).commit();
      }
    }
    assertThat(segmentsOnDisk(partitionDir(dir))).isGreaterThan(1);
    clock.advance(Duration.ofHours(1));
    try (LuceneProfileStore s = new LuceneProfileStore(config, clock)) {
      s.enforceRetention(); // a maintenance round, with the partition not open
      assertThat(segmentsOnDisk(partitionDir(dir))).isEqualTo(1);
      assertThat(folded(s, CPU + "{}", T0, T0 + HOUR)).hasSize(4);
    }
  }

  @Test
  void logsOfTheEarlierFormatReplayAndIndexesOfAnEarlierLayoutAreRebuilt() throws Exception {
    // A partition as the first format wrote it: links as symbol entries, samples as parallel
    // arrays, and an index of the first layout (trace and span ids as terms) that claims to
    // cover the whole log. Opening must rebuild that index from the log.
    Path partition = dir.resolve("tenants/t/p-" + T0 / 1_000_000_000L + "-3600");
    Files.createDirectories(partition);
    byte[] trace = HexFormat.of().parseHex("4bf92f3577b34da6a3ce929d0e0e4736");
    byte[] span = HexFormat.of().parseHex("00f067aa0ba902b7");
    SymbolBatch.Builder symbols = SymbolBatch.newBuilder();
    for (String str :
        List.of(
            "service_name",
            "svc",
            "process_cpu",
            "cpu",
            "nanoseconds",
            "main",
            "work",
            "span_name",
            "GET /orders")) {
      symbols.addEntries(SymbolEntry.newBuilder().setString(str));
    }
    symbols
        .addEntries(SymbolEntry.newBuilder().setFunction(Function.newBuilder().setName(6)))
        .addEntries(SymbolEntry.newBuilder().setFunction(Function.newBuilder().setName(7)))
        .addEntries(SymbolEntry.newBuilder().setStackNode(StackNode.newBuilder().setFunction(1)))
        .addEntries(
            SymbolEntry.newBuilder()
                .setStackNode(StackNode.newBuilder().setParent(1).setFunction(2)))
        .addEntries(
            SymbolEntry.newBuilder().setSeries(Series.newBuilder().addNames(1).addValues(2)))
        .addEntries(
            SymbolEntry.newBuilder()
                .setLink(
                    Link.newBuilder()
                        .setTraceId(ByteString.copyFrom(trace))
                        .setSpanId(ByteString.copyFrom(span))))
        .addEntries(
            SymbolEntry.newBuilder()
                .setLink(
                    Link.newBuilder()
                        .setTraceId(ByteString.copyFrom(new byte[16]))
                        .setSpanId(ByteString.copyFrom(new byte[] {0, 0, 0, 0, 0, 0, 0, 9}))))
        .addEntries(
            SymbolEntry.newBuilder().setAttribute(Attribute.newBuilder().setKey(8).setValue(9)))
        .addEntries(
            SymbolEntry.newBuilder().setAttributeSet(AttributeSet.newBuilder().addAttributes(1)))
        .addEntries(
            SymbolEntry.newBuilder()
                .setProfileType(
                    ProfileType.newBuilder()
                        .setName(3)
                        .setSampleType(4)
                        .setSampleUnit(5)
                        .setPeriodType(4)
                        .setPeriodUnit(5)));
    StoredProfile profile =
        StoredProfile.newBuilder()
            .setId(ByteString.copyFrom(new byte[] {1, 2, 3, 4, 5, 6, 7, 8, 9, 1, 2, 3, 4, 5, 6, 7}))
            .setTimeUnixNano(T0 + 5)
            .setDurationNano(10_000_000_000L)
            .setSeries(1)
            .setProfileType(1)
            .addAllStacks(List.of(2, 1))
            .addAllValues(List.of(30L, 12L))
            .addAllLinks(List.of(1, 2))
            .addAllAttributeSets(List.of(1, 0))
            .setTotal(42)
            .build();
    long logSize;
    try (DurableLog log = new DurableLog(partition.resolve(Partition.LOG), (o, r) -> true)) {
      log.append(LogRecord.newBuilder().setSymbols(symbols).build().toByteArray());
      log.append(LogRecord.newBuilder().setProfile(profile).build().toByteArray());
      log.sync(log.size());
      logSize = log.size();
    }
    try (FSDirectory d = FSDirectory.open(partition.resolve(Partition.LUCENE));
        IndexWriter w = new IndexWriter(d, new IndexWriterConfig())) {
      w.setLiveCommitData(Map.of(Partition.COMMITTED_OFFSET, Long.toString(logSize)).entrySet());
      w.commit();
    }

    try (LuceneProfileStore s = open(dir);
        ProfileQueries q = s.queries(1)) {
      assertThat(folded(s, CPU + "{}", T0, T0 + HOUR))
          .isEqualTo(Map.of("main;work", 30L, "main", 12L));
      // Partial ranges and span lookups go through the rebuilt index.
      assertThat(folded(s, CPU + "{service_name=\"svc\"}", T0 + 1, T0 + HOUR))
          .isEqualTo(Map.of("main;work", 30L, "main", 12L));
      assertThat(folded(s, CPU + "{span_id=\"00f067aa0ba902b7\"}", T0 + 1, T0 + HOUR))
          .isEqualTo(Map.of("main;work", 30L));
      assertThat(folded(s, CPU + "{span_id=\"0000000000000009\"}", T0, T0 + HOUR))
          .isEqualTo(Map.of("main", 12L));
      TraceResult t = q.trace("t", HexFormat.of().formatHex(trace), "", "", T0, T0 + HOUR, ctx());
      assertThat(t.spans()).hasSize(1);
      assertThat(t.spans().get(0).spanName()).isEqualTo("GET /orders");
      assertThat(t.spans().get(0).total()).isEqualTo(30);
      assertThat(q.labelValues("t", "span_id", null, T0, T0 + HOUR, 10, ctx()).values())
          .containsExactly("0000000000000009", "00f067aa0ba902b7");
      // New records of the current format follow in the same log.
      s.ingest("t", request("svc", T0 + 9, 5), r -> true);
    }
    try (LuceneProfileStore s = open(dir)) {
      assertThat(folded(s, CPU + "{}", T0 + 1, T0 + HOUR))
          .isEqualTo(Map.of("main;work", 30L, "main", 12L, "main;work;svc", 5L));
    }
  }

  static QueryContext ctx() {
    return QueryContext.of(QueryLimits.UNBOUNDED);
  }

  static long segmentsOnDisk(Path partition) throws IOException {
    try (Stream<Path> files = Files.list(partition.resolve(Partition.LUCENE))) {
      return files.filter(f -> f.getFileName().toString().endsWith(".si")).count();
    }
  }

  static void copyTree(Path from, Path to) throws IOException {
    try (Stream<Path> paths = Files.walk(from)) {
      for (Path p : paths.toList()) {
        Path target = to.resolve(from.relativize(p).toString());
        if (Files.isDirectory(p)) {
          Files.createDirectories(target);
        } else if (!p.getFileName().toString().equals("write.lock")) {
          Files.copy(p, target);
        }
      }
    }
  }
}
