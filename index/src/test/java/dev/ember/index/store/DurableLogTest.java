package dev.ember.index.store;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DurableLogTest {
  @TempDir Path dir;

  private List<String> readAll(Path file) throws Exception {
    List<String> out = new ArrayList<>();
    try (DurableLog log =
        new DurableLog(
            file,
            (offset, record) -> {
              out.add(StandardCharsets.UTF_8.decode(record).toString());
              return true;
            })) {
      return out;
    }
  }

  @Test
  void tornTailIsCutAndAppendsContinue() throws Exception {
    Path file = dir.resolve("log");
    try (DurableLog log = new DurableLog(file, (o, r) -> true)) {
      long a = log.append("first".getBytes(StandardCharsets.UTF_8));
      log.append("second".getBytes(StandardCharsets.UTF_8));
      log.sync(log.size());
      assertThat(StandardCharsets.UTF_8.decode(log.read(a)).toString()).isEqualTo("first");
    }
    long whole = Files.size(file);
    // A crash mid-append: a header promising 100 bytes and only 3 of them.
    ByteBuffer torn = ByteBuffer.allocate(11).order(java.nio.ByteOrder.LITTLE_ENDIAN);
    torn.putInt(100).putInt(0).put(new byte[] {1, 2, 3}).flip();
    try (var ch = Files.newByteChannel(file, StandardOpenOption.APPEND)) {
      ch.write(torn);
    }
    assertThat(readAll(file)).containsExactly("first", "second");
    assertThat(Files.size(file)).isEqualTo(whole);
    try (DurableLog log = new DurableLog(file, (o, r) -> true)) {
      log.append("third".getBytes(StandardCharsets.UTF_8));
      log.sync(log.size());
    }
    assertThat(readAll(file)).containsExactly("first", "second", "third");
  }

  @Test
  void aBatchIsAppendedInOrderWithOneOffsetPerRecord() throws Exception {
    Path file = dir.resolve("log");
    try (DurableLog log = new DurableLog(file, (o, r) -> true)) {
      log.append("zero".getBytes(StandardCharsets.UTF_8));
      List<byte[]> batch = new ArrayList<>();
      for (String s : List.of("one", "", "three")) {
        batch.add(s.getBytes(StandardCharsets.UTF_8));
      }
      long[] offsets = log.append(batch);
      assertThat(offsets).hasSize(3);
      assertThat(StandardCharsets.UTF_8.decode(log.read(offsets[0])).toString()).isEqualTo("one");
      assertThat(log.read(offsets[1]).remaining()).isZero();
      assertThat(StandardCharsets.UTF_8.decode(log.read(offsets[2])).toString()).isEqualTo("three");
      assertThat(log.size()).isEqualTo(offsets[2] + DurableLog.HEADER + 5);
      assertThat(log.append(List.of())).isEmpty();
      log.sync(log.size());
    }
    assertThat(readAll(file)).containsExactly("zero", "one", "", "three");
  }

  @Test
  void corruptRecordStopsTheScan() throws Exception {
    Path file = dir.resolve("log");
    try (DurableLog log = new DurableLog(file, (o, r) -> true)) {
      log.append("one".getBytes(StandardCharsets.UTF_8));
      log.append("two".getBytes(StandardCharsets.UTF_8));
      log.sync(log.size());
    }
    byte[] bytes = Files.readAllBytes(file);
    bytes[bytes.length - 1] ^= 0x40; // flip a bit in the last record's body
    Files.write(file, bytes);
    assertThat(readAll(file)).containsExactly("one");
  }

  @Test
  void concurrentSyncsAllReturnDurableAndShareFsyncs() throws Exception {
    Path file = dir.resolve("log");
    try (DurableLog log = new DurableLog(file, (o, r) -> true)) {
      int threads = 6;
      int each = 200;
      java.util.concurrent.ExecutorService pool =
          java.util.concurrent.Executors.newFixedThreadPool(threads);
      List<java.util.concurrent.Future<?>> futures = new ArrayList<>();
      for (int t = 0; t < threads; t++) {
        int id = t;
        futures.add(
            pool.submit(
                () -> {
                  for (int i = 0; i < each; i++) {
                    long end =
                        log.append(("t" + id + "-" + i).getBytes(StandardCharsets.UTF_8))
                            + DurableLog.HEADER
                            + ("t" + id + "-" + i).length();
                    log.sync(end);
                  }
                  return null;
                }));
      }
      for (var f : futures) {
        f.get(60, java.util.concurrent.TimeUnit.SECONDS);
      }
      pool.shutdown();
    }
    assertThat(readAll(file)).hasSize(6 * 200);
  }
}
