package dev.ember.index.store;

import com.google.protobuf.ByteString;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.zip.DataFormatException;
import java.util.zip.Deflater;
import java.util.zip.Inflater;

/**
 * Raw DEFLATE for symbol batches in the partition log. Symbol names (JVM class and method names,
 * file names) share long prefixes and are most of a partition's log; deflated they take about a
 * fifth of the space. Profiles stay uncompressed: they are small, mostly varints, and read on the
 * query path.
 */
final class SymbolCompression {
  private SymbolCompression() {}

  static ByteString deflate(byte[] plain) {
    Deflater d = new Deflater(Deflater.DEFAULT_COMPRESSION, true);
    try {
      d.setInput(plain);
      d.finish();
      ByteArrayOutputStream out = new ByteArrayOutputStream(plain.length / 3 + 64);
      byte[] buf = new byte[8192];
      while (!d.finished()) {
        out.write(buf, 0, d.deflate(buf));
      }
      return ByteString.copyFrom(out.toByteArray());
    } finally {
      d.end();
    }
  }

  /** Inflates, refusing more than {@link DurableLog#MAX_RECORD} bytes (a corrupt record). */
  static byte[] inflate(ByteString deflated) throws IOException {
    Inflater i = new Inflater(true);
    try {
      i.setInput(deflated.toByteArray());
      ByteArrayOutputStream out = new ByteArrayOutputStream(deflated.size() * 4 + 64);
      byte[] buf = new byte[8192];
      while (!i.finished()) {
        int n = i.inflate(buf);
        if (n == 0 && (i.needsInput() || i.needsDictionary())) {
          throw new IOException("truncated deflated symbol batch");
        }
        out.write(buf, 0, n);
        if (out.size() > DurableLog.MAX_RECORD) {
          throw new IOException("deflated symbol batch inflates beyond " + DurableLog.MAX_RECORD);
        }
      }
      return out.toByteArray();
    } catch (DataFormatException e) {
      throw new IOException("corrupt deflated symbol batch: " + e.getMessage(), e);
    } finally {
      i.end();
    }
  }
}
