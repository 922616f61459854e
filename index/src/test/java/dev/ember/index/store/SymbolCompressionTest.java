package dev.ember.index.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.protobuf.ByteString;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class SymbolCompressionTest {
  @Test
  void roundTripsAndShrinksJvmNames() throws Exception {
    StringBuilder b = new StringBuilder();
    for (int i = 0; i < 200; i++) {
      b.append("java/util/concurrent/ThreadPoolExecutor$Worker.run").append(i).append('\n');
    }
    byte[] plain = b.toString().getBytes(StandardCharsets.UTF_8);
    ByteString deflated = SymbolCompression.deflate(plain);
    assertThat(deflated.size()).isLessThan(plain.length / 4);
    assertThat(SymbolCompression.inflate(deflated)).isEqualTo(plain);
  }

  @Test
  void corruptOrTruncatedInputIsAnIOException() {
    ByteString deflated = SymbolCompression.deflate(new byte[5000]);
    assertThatThrownBy(() -> SymbolCompression.inflate(deflated.substring(0, deflated.size() / 2)))
        .hasMessageContaining("truncated");
    assertThatThrownBy(
            () -> SymbolCompression.inflate(ByteString.copyFrom(new byte[] {-1, -1, -1})))
        .hasMessageContaining("corrupt");
  }
}
