package dev.ember.index.store;

import java.io.Closeable;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
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
 */
final class TenantStore implements Closeable {
  private static final Logger logger = Logger.getLogger(TenantStore.class.getName());
  private static final Pattern NAME = Pattern.compile("p-(\\d+)-(\\d+)");

  final String tenant;
  private final Path dir;
  private final long partitionNanos;

  /** Start ns to slot; a slot opens its partition lazily. */
  private final ConcurrentSkipListMap<Long, Slot> slots = new ConcurrentSkipListMap<>();

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

    Slot(long start, long end, Path path) {
      this.start = start;
      this.end = end;
      this.path = path;
    }

    synchronized Partition open() throws IOException {
      if (partition == null) {
        partition = Partition.open(start, end, path);
      }
      return partition;
    }

    synchronized Partition openedOrNull() {
      return partition;
    }

    synchronized void close() throws IOException {
      if (partition != null) {
        partition.close();
        partition = null;
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

  @Override
  public void close() throws IOException {
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
