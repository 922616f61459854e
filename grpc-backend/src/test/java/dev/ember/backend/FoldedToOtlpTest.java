package dev.ember.backend;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ember.wire.ProfilesValidator;
import io.opentelemetry.proto.collector.profiles.v1development.ExportProfilesServiceRequest;
import io.opentelemetry.proto.profiles.v1development.Profile;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class FoldedToOtlpTest {
  static final long T = 1_763_769_600_000_000_000L;

  static ExportProfilesServiceRequest convert(String body, boolean lines, String units) {
    return FoldedToOtlp.convert(
        body.getBytes(StandardCharsets.UTF_8),
        lines,
        IngestName.parse("app{k=v}"),
        null,
        units,
        100,
        T,
        T + 10_000_000_000L);
  }

  @Test
  void foldedLinesBecomeSamplesOfCpuTimeAtTheSampleRate() {
    ExportProfilesServiceRequest r =
        convert("foo;bar 100\n foo;baz 200\n\nfoo;bar 1\n", false, null);
    assertThat(ProfilesValidator.validate(r).isValid()).isTrue();
    Profile p = r.getResourceProfiles(0).getScopeProfiles(0).getProfiles(0);
    var d = r.getDictionary();
    assertThat(d.getStringTable(p.getSampleType().getTypeStrindex())).isEqualTo("samples");
    assertThat(d.getStringTable(p.getPeriodType().getTypeStrindex())).isEqualTo("cpu");
    assertThat(p.getPeriod()).isEqualTo(10_000_000);
    assertThat(p.getSamplesList()).extracting(s -> s.getValues(0)).containsExactly(101L, 200L);
    assertThat(p.getDurationNano()).isEqualTo(10_000_000_000L);
  }

  @Test
  void linesCountOnePerLineAndUnitsPickTheType() {
    ExportProfilesServiceRequest r = convert("a;b\na;b\na;c\n", true, "bytes");
    Profile p = r.getResourceProfiles(0).getScopeProfiles(0).getProfiles(0);
    assertThat(r.getDictionary().getStringTable(p.getSampleType().getTypeStrindex()))
        .isEqualTo("alloc_space");
    assertThat(p.getSamplesList()).extracting(s -> s.getValues(0)).containsExactly(2L, 1L);
  }

  @Test
  void badLinesAreNamed() {
    assertThatThrownBy(() -> convert("a;b 1\nnocount\n", false, null))
        .hasMessageContaining("line 2 of the folded body has no count");
    assertThatThrownBy(() -> convert("a;b x\n", false, null)).hasMessageContaining("ends with 'x'");
    assertThatThrownBy(() -> convert("a 1", false, "furlongs"))
        .hasMessageContaining("units 'furlongs'");
  }
}
