package dev.ember.backend;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ember.index.store.Limits;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

class BackendMainTest {
  @TempDir Path dir;

  static BackendConfig parse(String... args) {
    BackendMain main = new BackendMain();
    new CommandLine(main).parseArgs(args);
    return main.config();
  }

  @Test
  void defaultsAreTheDocumentedOnes() {
    BackendConfig c = parse();
    assertThat(c.grpcPort()).isEqualTo(4317);
    assertThat(c.httpPort()).isEqualTo(4040);
    assertThat(c.partition()).isEqualTo(Duration.ofHours(1));
    assertThat(c.requireTenant()).isFalse();
    assertThat(c.limits().defaults()).isEqualTo(Limits.DEFAULT);
    assertThat(c.limits().defaults().retention()).isEqualTo(Duration.ofDays(30));
    assertThat(c.maxMessageBytes()).isEqualTo(64 << 20);
  }

  @Test
  void optionsAndTheTenantFileSetTheLimits() throws Exception {
    Path file = dir.resolve("tenants.properties");
    Files.writeString(file, "big.max-message-size = 128\nbig.retention = 1w\n");
    BackendConfig c =
        parse(
            "--retention=0",
            "--max-series=7",
            "--max-ingest-rate=2",
            "--max-message-size=16",
            "--require-tenant",
            "--tenant-limits=" + file,
            "--ingest-memory=32");
    assertThat(c.limits().defaults().hasRetention()).isFalse();
    assertThat(c.limits().defaults().maxSeries()).isEqualTo(7);
    assertThat(c.limits().defaults().ingestBytesPerSecond()).isEqualTo(2 << 20);
    assertThat(c.limits().of("big").maxSeries()).isEqualTo(7);
    assertThat(c.limits().of("big").retention()).isEqualTo(Duration.ofDays(7));
    assertThat(c.maxMessageBytes()).isEqualTo(128 << 20);
    assertThat(c.requireTenant()).isTrue();
    assertThat(c.ingestMemoryBytes()).isEqualTo(32 << 20);
  }

  @Test
  void badValuesAreRefusedNamingThem() {
    assertThatThrownBy(() -> parse("--retention=soon"))
        .isInstanceOf(CommandLine.ParameterException.class)
        .hasMessageContaining("invalid duration 'soon'");
    assertThatThrownBy(() -> parse("--max-stack-depth=1"))
        .hasMessageContaining("max-stack-depth must be at least 2");
    assertThatThrownBy(() -> parse("--tenant-limits=" + dir.resolve("missing")))
        .hasMessageContaining("missing");
  }
}
