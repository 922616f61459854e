package dev.ember.exporter;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ember.wire.ProfilesValidator;
import dev.ember.wire.ValidationReport;
import io.opentelemetry.proto.collector.profiles.v1development.ExportProfilesServiceRequest;
import io.opentelemetry.proto.profiles.v1development.Profile;
import io.opentelemetry.proto.profiles.v1development.ProfilesDictionary;
import java.util.Map;
import org.junit.jupiter.api.Test;

class OtlpEncoderTest {
  static final long T0 = 1_763_769_600_000_000_000L;

  static WindowAggregator window() {
    WindowAggregator w = new WindowAggregator(T0, T0 + 10_000_000_000L);
    int main =
        w.frameId(
            new Frame("app/Main.main", "app/Main.main([Ljava/lang/String;)V", "app/Main.java", 3));
    int work = w.frameId(new Frame("app/Main.work", "app/Main.work()V", "app/Main.java", 10));
    w.add(cpu(new int[] {work, main}, "worker"), 10_000_000, 0);
    w.add(cpu(new int[] {work, main}, "worker"), 10_000_000, 0);
    w.add(cpu(new int[] {main}, "main"), 10_000_000, 0);
    w.setPeriod(SampleKind.CPU, 10_000_000);
    return w;
  }

  static WindowAggregator.Key cpu(int[] stack, String thread) {
    return new WindowAggregator.Key(ProfileType.CPU, stack, thread, SpanIds.NONE, null, "");
  }

  @Test
  void encodesAValidRequestThatParsesWithoutUnknownFields() throws Exception {
    ExportProfilesServiceRequest req =
        ExportProfilesServiceRequest.parseFrom(
            new OtlpEncoder(Map.of("service.name", "svc"), "test").encode(window()));
    ValidationReport report = ProfilesValidator.validate(req);
    assertThat(report.isValid()).as(report.toString()).isTrue();
    assertThat(req.toByteArray())
        .as("written as the generated code would")
        .isEqualTo(new OtlpEncoder(Map.of("service.name", "svc"), "test").encode(window()));

    ProfilesDictionary d = req.getDictionary();
    assertThat(d.getStringTable(0)).isEmpty();
    Profile p = req.getResourceProfiles(0).getScopeProfiles(0).getProfiles(0);
    assertThat(d.getStringTable(p.getSampleType().getTypeStrindex())).isEqualTo("cpu");
    assertThat(d.getStringTable(p.getPeriodType().getTypeStrindex())).isEqualTo("cpu");
    assertThat(p.getPeriod()).isEqualTo(10_000_000);
    assertThat(p.getTimeUnixNano()).isEqualTo(T0);
    assertThat(p.getSamplesList()).hasSize(2);
    long total = p.getSamplesList().stream().mapToLong(s -> s.getValues(0)).sum();
    assertThat(total).isEqualTo(30_000_000);
    // The two-frame stack is leaf first, with the JVM frame type on its locations.
    var sample =
        p.getSamplesList().stream().filter(s -> s.getValues(0) == 20_000_000).findFirst().get();
    var stack = d.getStackTable(sample.getStackIndex());
    var leaf = d.getLocationTable(stack.getLocationIndices(0));
    assertThat(
            d.getStringTable(
                d.getFunctionTable(leaf.getLines(0).getFunctionIndex()).getNameStrindex()))
        .isEqualTo("app/Main.work");
    assertThat(leaf.getLines(0).getLine()).isEqualTo(10);
    var attr = d.getAttributeTable(leaf.getAttributeIndices(0));
    assertThat(d.getStringTable(attr.getKeyStrindex())).isEqualTo("profile.frame.type");
    assertThat(attr.getValue().getStringValue()).isEqualTo("jvm");
  }
}
