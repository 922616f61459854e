package dev.ember.index.store;

import java.io.Closeable;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.DirectoryStream;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.logging.Level;
import java.util.logging.Logger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The partitions of one tenant, each in a directory {@code p-<start seconds>-<duration seconds>}.
 * Existing partitions are listed at start and opened on first use, so start-up costs nothing per
 * partition. Thread-safe.
 *
 * <p>Maintenance ({@link #maintain}) drops partitions past retention, compacts sealed ones and
 * closes idle ones. A dropped partition leaves the map at once, so no new reader finds it, and is
 * closed and deleted one maintenance round later, so readers that already hold it can finish.
 */
final class TenantStore implements Closeable {
  private static final Logger logger = Logger.getLogger(TenantStore.class.getName());
  private static final Pattern NAME = Pattern.compile("p-(\\d+)-(\\d+)");

  /**
   * A sealed partition is compacted once no profile was appended to it for this long (or the idle
   * time, if shorter).
   */
  static final long QUIET_NANOS = 30_000_000_000L;

  final String tenant;
  private final Path dir;
  private final long partitionNanos;

  /** Start ns to slot; a slot opens its partition lazily. */
  private final ConcurrentSkipListMap<Long, Slot> slots = new ConcurrentSkipListMap<>();

  /** Dropped slots waiting for their grace round before they are closed and deleted. */
  private final List<Slot> retired = new ArrayList<>();

  TenantStore(String tenant, Path dir, long partitionNanos) throws IOException {
    this.tenant = tenant;
    this.dir = dir;
    this.partitionNanos = partitionNanos;
    if (Files.isDirectory(dir)) {
      try (DirectoryStream<Path> ds = Files.newDirectoryStream(dir, "p-*")) {
        for (Path p : ds) {
          Matcher m = NAME.matcher(p.getFileName().toString());
          if (m.matches()) {
            long start = Long.parseLong(m.group(1)) * 1_000_000_000L;
            long duration = Long.parseLong(m.group(2)) * 1_000_000_000L;
            slots.put(start, new Slot(start, start + duration, p));
          }
        }
      }
    }
  }

  /** A partition directory and, once opened, its partition. */
  static final class Slot {
    final long start;
    final long end;
    final Path path;
    private Partition partition;
    private long lastUsed = System.nanoTime();

    Slot(long start, long end, Path path) {
      this.start = start;
      this.end = end;
      this.path = path;
    }

    synchronized Partition open() throws IOException {
      lastUsed = System.nanoTime();
      if (partition != null && partition.isBroken()) {
        logger.warning("reopening " + path + " after a failed write");
        Partition p = partition;
        partition = null;
        p.close();
      }
      if (partition == null) {
        partition = Partition.open(start, end, path);
      }
      return partition;
    }

    synchronized Partition openedOrNull() {
      return partition;
    }

    synchronized long idleNanos() {
      return System.nanoTime() - lastUsed;
    }

    synchronized void close() throws IOException {
      if (partition != null) {
        Partition p = partition;
        partition = null;
        p.close();
      }
    }
  }

  /** The partition holding time {@code t}, created if needed. */
  Partition partitionFor(long t) throws IOException {
    Map.Entry<Long, Slot> e = slots.floorEntry(t);
    if (e != null && t < e.getValue().end) {
      return e.getValue().open();
    }
    long start = Math.floorDiv(t, partitionNanos) * partitionNanos;
    long seconds = start / 1_000_000_000L;
    Path path = dir.resolve("p-" + seconds + "-" + partitionNanos / 1_000_000_000L);
    Slot slot = slots.computeIfAbsent(start, s -> new Slot(s, s + partitionNanos, path));
    return slot.open();
  }

  /** Partitions overlapping [from, until), oldest first, opened. */
  List<Partition> overlapping(long from, long until) throws IOException {
    List<Partition> out = new ArrayList<>();
    Long first = slots.floorKey(from);
    Map<Long, Slot> range =
        slots.subMap(first == null ? Long.MIN_VALUE : first, true, until, false);
    for (Slot s : range.values()) {
      if (s.end > from && s.start < until) {
        out.add(s.open());
      }
    }
    return out;
  }

  /** Commits every open partition's index. */
  void commit() {
    for (Slot s : slots.values()) {
      Partition p = s.openedOrNull();
      if (p != null) {
        try {
          p.commit();
        } catch (IOException | UncheckedIOException e) {
          logger.log(Level.WARNING, "commit of " + s.path + " failed; the log still holds it", e);
        }
      }
    }
  }

  /** What one maintenance round did. */
  record Maintained(int dropped, int compacted, int closed) {}

  /**
   * One maintenance round: retires partitions that ended before {@code retainFrom} (none when it is
   * {@link Long#MIN_VALUE}), deletes those retired in the previous round, compacts open partitions
   * that ended before {@code sealedBefore} and closes the sealed ones idle for longer than {@code
   * idleNanos}.
   */
  Maintained maintain(long retainFrom, long sealedBefore, long idleNanos) {
    List<Slot> deleteNow;
    synchronized (retired) {
      deleteNow = new ArrayList<>(retired);
      retired.clear();
    }
    for (Slot s : deleteNow) {
      delete(s);
    }
    int dropped = 0;
    int compacted = 0;
    int closed = 0;
    for (Slot s : slots.values()) {
      if (s.end <= retainFrom) {
        if (slots.remove(s.start, s)) {
          synchronized (retired) {
            retired.add(s);
          }
          dropped++;
        }
        continue;
      }
      if (s.end > sealedBefore) {
        continue; // still written to
      }
      try {
        Partition p = s.openedOrNull();
        boolean openedHere = false;
        if (p == null) {
          // Closed partitions left with several segments (a crash, a restart) are compacted
          // once; counting segment files costs a directory listing, not an open.
          if (segmentFiles(s.path) <= 1) {
            continue;
          }
          p = s.open();
          openedHere = true;
        }
        // Late data still trickling in would be merged again and again: wait until it stops.
        boolean quiet = p.quietFor(Math.min(QUIET_NANOS, idleNanos));
        if (quiet && p.segmentCount() > 1) {
          p.compact();
          compacted++;
        }
        if (openedHere || s.idleNanos() > idleNanos) {
          s.close();
          closed++;
        }
      } catch (IOException | RuntimeException e) {
        logger.log(Level.WARNING, "maintenance of " + s.path + " failed; retrying later", e);
      }
    }
    return new Maintained(dropped, compacted, closed);
  }

  /** Lucene segments on disk (one {@code .si} file each) without opening the index. */
  static long segmentFiles(Path partition) throws IOException {
    Path lucene = partition.resolve(Partition.LUCENE);
    if (!Files.isDirectory(lucene)) {
      return 0;
    }
    try (DirectoryStream<Path> files = Files.newDirectoryStream(lucene, "*.si")) {
      long n = 0;
      for (Path ignored : files) {
        n++;
      }
      return n;
    }
  }

  /** Drops every retired partition at once (for shutdown and explicit retention runs). */
  void deleteRetiredNow() {
    List<Slot> deleteNow;
    synchronized (retired) {
      deleteNow = new ArrayList<>(retired);
      retired.clear();
    }
    for (Slot s : deleteNow) {
      delete(s);
    }
  }

  private void delete(Slot s) {
    try {
      s.close();
      deleteTree(s.path);
      logger.info("retention: dropped partition " + s.path);
    } catch (IOException | RuntimeException e) {
      logger.log(Level.WARNING, "could not delete retired partition " + s.path, e);
    }
  }

  static void deleteTree(Path root) throws IOException {
    if (!Files.exists(root)) {
      return;
    }
    Files.walkFileTree(
        root,
        new SimpleFileVisitor<>() {
          @Override
          public FileVisitResult visitFile(Path file, BasicFileAttributes attrs)
              throws IOException {
            Files.deleteIfExists(file);
            return FileVisitResult.CONTINUE;
          }

          @Override
          public FileVisitResult postVisitDirectory(Path d, IOException e) throws IOException {
            if (e != null) {
              throw e;
            }
            Files.deleteIfExists(d);
            return FileVisitResult.CONTINUE;
          }
        });
  }

  /** Partitions and bytes on disk (log, Lucene files), without opening any partition. */
  TenantStats stats() {
    long bytes = 0;
    int partitions = 0;
    for (Slot s : slots.values()) {
      partitions++;
      bytes += treeSize(s.path);
    }
    return new TenantStats(partitions, bytes);
  }

  private static long treeSize(Path root) {
    long[] total = {0};
    try {
      Files.walkFileTree(
          root,
          new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) {
              total[0] += attrs.size();
              return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult visitFileFailed(Path file, IOException e) {
              return FileVisitResult.CONTINUE; // a file Lucene merged away meanwhile
            }
          });
    } catch (NoSuchFileException e) {
      return 0;
    } catch (IOException e) {
      logger.log(Level.FINE, "could not size " + root, e);
    }
    return total[0];
  }

  @Override
  public void close() throws IOException {
    deleteRetiredNow();
    IOException first = null;
    for (Slot s : slots.values()) {
      try {
        s.close();
      } catch (IOException e) {
        first = first == null ? e : first;
      }
    }
    if (first != null) {
      throw first;
    }
  }
}
