package dev.ember.index.store;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ember.index.query.FlameQL;
import dev.ember.index.query.Selection;
import dev.ember.wire.ProfileRequests;
import io.opentelemetry.proto.collector.profiles.v1development.ExportProfilesServiceRequest;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.Map;
import java.util.stream.Stream;
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
