package dev.ember.index.query;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.TextFormat;
import dev.ember.proto.pprof.PprofProfile;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.zip.GZIPInputStream;
import org.junit.jupiter.api.Test;

/**
 * Golden file for the pprof export, as protobuf text: string table with "" first, sample and period
 * types from the profile type ID, one function and location per frame name (ids from 1, in
 * depth-first order), one sample per node with a self value, locations leaf first. The
 * gzip-compressed bytes read back to the same profile.
 */
class PprofExportTest {
  static final String CPU = "process_cpu:cpu:nanoseconds:cpu:nanoseconds";

  @Test
  void matchesTheGoldenFile() throws IOException {
    FlameTree t = new FlameTree();
    t.addStack(new String[] {"main", "handle", "parse"}, 30);
    t.addStack(new String[] {"main", "handle", "db"}, 10);
    t.addStack(new String[] {"main", "gc"}, 5);
    PprofProfile p =
        PprofExport.toProfile(t, CPU, 1_763_769_600_000_000_000L, 1_763_773_200_000_000_000L);
    String golden;
    try (InputStream in = PprofExportTest.class.getResourceAsStream("/golden/merged.pprof.txt")) {
      golden = new String(in.readAllBytes(), StandardCharsets.UTF_8);
    }
    assertThat(TextFormat.printer().printToString(p)).isEqualTo(golden);

    ByteArrayOutputStream out = new ByteArrayOutputStream();
    PprofExport.write(t, CPU, 1_763_769_600_000_000_000L, 1_763_773_200_000_000_000L, out);
    byte[] raw = new GZIPInputStream(new ByteArrayInputStream(out.toByteArray())).readAllBytes();
    assertThat(PprofProfile.parseFrom(raw)).isEqualTo(p);
  }
}
