package dev.ember.index.store;

import java.io.Closeable;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.zip.CRC32C;

/**
 * An append-only file of framed records: {@code [int length][int crc32c][bytes]}, little endian.
 * Appends go to the OS immediately; {@link #sync} makes everything up to a position durable with
 * group commit: concurrent callers share one {@code fsync}. On open, a torn or corrupt tail (a
 * crash mid-append) is detected by length and checksum and cut off, so the file always ends on a
 * whole record.
 *
 * <p>Thread-safe: appends are serialised by the caller's partition lock or by this object.
 */
final class DurableLog implements Closeable {
  static final int HEADER = 8;

  /** Larger records are refused: no single profile or symbol comes near this. */
  static final int MAX_RECORD = 64 << 20;

  private final Path path;
  private final FileChannel channel;
  private long written;
  private volatile long durable;
  private final ReentrantLock syncLock = new ReentrantLock();
  private final Condition synced = syncLock.newCondition();
  private boolean syncing; // guarded by syncLock

  /** Opens or creates the log, cutting any torn tail; {@code reader} sees every whole record. */
  DurableLog(Path path, RecordReader reader) throws IOException {
    this.path = path;
    this.channel =
        FileChannel.open(
            path, StandardOpenOption.CREATE, StandardOpenOption.READ, StandardOpenOption.WRITE);
    long end = scan(reader);
    if (end < channel.size()) {
      channel.truncate(end);
      channel.force(true);
    }
    channel.position(end);
    this.written = end;
    this.durable = end;
  }

  /** Receives each whole record while the log is opened; returns false to stop (and cut) there. */
  interface RecordReader {
    boolean read(long offset, ByteBuffer record) throws IOException;
  }

  private long scan(RecordReader reader) throws IOException {
    long size = channel.size();
    long pos = 0;
    ByteBuffer header = ByteBuffer.allocate(HEADER).order(ByteOrder.LITTLE_ENDIAN);
    CRC32C crc = new CRC32C();
    while (pos + HEADER <= size) {
      header.clear();
      readFully(header, pos);
      header.flip();
      int length = header.getInt();
      int checksum = header.getInt();
      if (length < 0 || length > MAX_RECORD || pos + HEADER + length > size) {
        break;
      }
      ByteBuffer body = ByteBuffer.allocate(length);
      readFully(body, pos + HEADER);
      body.flip();
      crc.reset();
      crc.update(body.duplicate());
      if ((int) crc.getValue() != checksum) {
        break;
      }
      if (!reader.read(pos, body)) {
        break;
      }
      pos += HEADER + length;
    }
    return pos;
  }

  private void readFully(ByteBuffer buf, long pos) throws IOException {
    while (buf.hasRemaining()) {
      int n = channel.read(buf, pos + buf.position());
      if (n < 0) {
        throw new IOException("unexpected end of " + path);
      }
    }
  }

  /** Appends one record and returns its offset; not yet durable until {@link #sync}. */
  long append(byte[] record) throws IOException {
    return append(List.of(record))[0];
  }

  /**
   * Appends records in order with one write and returns their offsets; not yet durable until {@link
   * #sync}.
   */
  synchronized long[] append(List<byte[]> records) throws IOException {
    long total = 0;
    for (byte[] r : records) {
      if (r.length > MAX_RECORD) {
        throw new IOException("record of " + r.length + " bytes exceeds " + MAX_RECORD);
      }
      total += HEADER + r.length;
    }
    if (total > Integer.MAX_VALUE - 64) {
      throw new IOException("a batch of " + total + " bytes is too large for one write");
    }
    ByteBuffer buf = ByteBuffer.allocate((int) total).order(ByteOrder.LITTLE_ENDIAN);
    long[] offsets = new long[records.size()];
    CRC32C crc = new CRC32C();
    for (int i = 0; i < records.size(); i++) {
      byte[] r = records.get(i);
      crc.reset();
      crc.update(r);
      offsets[i] = written + buf.position();
      buf.putInt(r.length).putInt((int) crc.getValue()).put(r);
    }
    buf.flip();
    while (buf.hasRemaining()) {
      channel.write(buf, written + buf.position());
    }
    written += total;
    return offsets;
  }

  /** Bytes appended so far (the end offset). */
  synchronized long size() {
    return written;
  }

  /**
   * Returns once every byte before {@code position} is on disk. Group commit: one caller (the
   * leader) runs {@code fsync} for everything appended so far while later callers wait on a
   * condition, not spinning on a monitor; when it finishes, every waiter it covered returns and the
   * next one still uncovered leads the next {@code fsync}. A failed {@code fsync} is thrown to its
   * leader; waiters then try for themselves.
   */
  void sync(long position) throws IOException {
    if (durable >= position) {
      return;
    }
    syncLock.lock();
    try {
      while (durable < position) {
        if (syncing) {
          synced.awaitUninterruptibly();
          continue;
        }
        syncing = true;
        long target = size();
        syncLock.unlock();
        boolean ok = false;
        try {
          channel.force(false);
          ok = true;
        } finally {
          syncLock.lock();
          syncing = false;
          if (ok && target > durable) {
            durable = target;
          }
          synced.signalAll();
        }
      }
    } finally {
      syncLock.unlock();
    }
  }

  /** Reads the record at {@code offset} (as returned by {@link #append}). */
  ByteBuffer read(long offset) throws IOException {
    ByteBuffer header = ByteBuffer.allocate(HEADER).order(ByteOrder.LITTLE_ENDIAN);
    readFully(header, offset);
    header.flip();
    int length = header.getInt();
    if (length < 0 || length > MAX_RECORD) {
      throw new IOException("corrupt record header at " + offset + " in " + path);
    }
    ByteBuffer body = ByteBuffer.allocate(length);
    readFully(body, offset + HEADER);
    body.flip();
    return body;
  }

  FileChannel channel() {
    return channel;
  }

  @Override
  public void close() throws IOException {
    channel.close();
  }
}
