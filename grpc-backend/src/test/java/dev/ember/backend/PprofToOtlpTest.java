package dev.ember.backend;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ember.proto.pprof.PprofFunction;
import dev.ember.proto.pprof.PprofLabel;
import dev.ember.proto.pprof.PprofLine;
import dev.ember.proto.pprof.PprofLocation;
import dev.ember.proto.pprof.PprofMapping;
import dev.ember.proto.pprof.PprofProfile;
import dev.ember.proto.pprof.PprofSample;
import dev.ember.proto.pprof.PprofValueType;
import dev.ember.wire.ProfilesValidator;
import io.opentelemetry.proto.collector.profiles.v1development.ExportProfilesServiceRequest;
import io.opentelemetry.proto.profiles.v1development.Profile;
import io.opentelemetry.proto.profiles.v1development.ProfilesDictionary;
import io.opentelemetry.proto.profiles.v1development.Sample;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class PprofToOtlpTest {
  static final long T = 1_763_769_600_000_000_000L;

  /** A Go-style CPU profile: samples/count and cpu/nanoseconds, period cpu/nanoseconds. */
  static PprofProfile goCpu() {
    List<String> s = new ArrayList<>(List.of("", "samples", "count", "cpu", "nanoseconds"));
    s.addAll(List.of("main.main", "main.go", "main.work", "/bin/app", "span_id", "trace_id"));
    s.addAll(List.of("0123456789abcdef", "1122aabbccddeeff0000000000000000", "thread", "w1"));
    s.addAll(List.of("bytes", "size"));
    return PprofProfile.newBuilder()
        .addAllStringTable(s)
        .addSampleType(PprofValueType.newBuilder().setTypeStr(1).setUnitStr(2))
        .addSampleType(PprofValueType.newBuilder().setTypeStr(3).setUnitStr(4))
        .setPeriodType(PprofValueType.newBuilder().setTypeStr(3).setUnitStr(4))
        .setPeriod(10_000_000)
        .setTimeNanos(T)
        .setDurationNanos(10_000_000_000L)
        .addMapping(
            PprofMapping.newBuilder()
                .setId(1)
                .setFilenameStr(8)
                .setMemoryStart(4096)
                .setMemoryLimit(8192))
        .addFunction(PprofFunction.newBuilder().setId(1).setNameStr(5).setFilenameStr(6))
        .addFunction(PprofFunction.newBuilder().setId(2).setNameStr(7).setFilenameStr(6))
        .addLocation(
            PprofLocation.newBuilder()
                .setId(10)
                .setMappingId(1)
                .addLine(PprofLine.newBuilder().setFunctionId(1).setLine(3)))
        .addLocation(
            PprofLocation.newBuilder()
                .setId(11)
                .setMappingId(1)
                .addLine(PprofLine.newBuilder().setFunctionId(2).setLine(9)))
        .addSample(
            PprofSample.newBuilder()
                .addLocationId(11)
                .addLocationId(10)
                .addValue(3)
                .addValue(30_000_000)
                .addLabel(PprofLabel.newBuilder().setKeyStr(9).setStrStr(11))
                .addLabel(PprofLabel.newBuilder().setKeyStr(10).setStrStr(12))
                .addLabel(PprofLabel.newBuilder().setKeyStr(13).setStrStr(14))
                .addLabel(PprofLabel.newBuilder().setKeyStr(16).setNum(512).setNumUnitStr(15)))
        .addSample(PprofSample.newBuilder().addLocationId(10).addValue(1).addValue(10_000_000))
        .addSample(PprofSample.newBuilder().addLocationId(10).addValue(0).addValue(0))
        .build();
  }

  @Test
  void convertsEachSampleTypeIntoAProfileWithLinksAndAttributes() {
    ExportProfilesServiceRequest r =
        PprofToOtlp.convert(goCpu(), IngestName.parse("app{env=prod}"), "gospy", T - 5, T + 5);
    assertThat(ProfilesValidator.validate(r).isValid())
        .as(ProfilesValidator.validate(r).toString())
        .isTrue();
    ProfilesDictionary d = r.getDictionary();
    assertThat(r.getResourceProfiles(0).getResource().getAttributesList())
        .extracting(kv -> kv.getKey() + "=" + kv.getValue().getStringValue())
        .containsExactly("service.name=app", "env=prod", "pyroscope.spy=gospy");
    // samples/count is dropped: with the CPU period it would double the CPU time.
    List<Profile> profiles = r.getResourceProfiles(0).getScopeProfiles(0).getProfilesList();
    assertThat(profiles).hasSize(1);
    Profile cpu = profiles.get(0);
    assertThat(d.getStringTable(cpu.getSampleType().getTypeStrindex())).isEqualTo("cpu");
    assertThat(cpu.getTimeUnixNano()).isEqualTo(T);
    assertThat(cpu.getDurationNano()).isEqualTo(10_000_000_000L);
    assertThat(cpu.getSamplesList()).hasSize(2); // the all-zero sample is left out
    Sample s = cpu.getSamples(0);
    assertThat(s.getValuesList()).containsExactly(30_000_000L);
    var link = d.getLinkTable(s.getLinkIndex());
    assertThat(HexFormat.of().formatHex(link.getSpanId().toByteArray()))
        .isEqualTo("0123456789abcdef");
    assertThat(HexFormat.of().formatHex(link.getTraceId().toByteArray()))
        .isEqualTo("1122aabbccddeeff0000000000000000");
    assertThat(s.getAttributeIndicesList())
        .extracting(i -> d.getStringTable(d.getAttributeTable(i).getKeyStrindex()))
        .containsExactly("thread", "size");
    // Stack: leaf first, main.work then main.main, both in /bin/app.
    var stack = d.getStackTable(s.getStackIndex());
    assertThat(stack.getLocationIndicesList())
        .extracting(
            l ->
                d.getStringTable(
                    d.getFunctionTable(d.getLocationTable(l).getLines(0).getFunctionIndex())
                        .getNameStrindex()))
        .containsExactly("main.work", "main.main");
    assertThat(
            d.getStringTable(
                d.getMappingTable(d.getLocationTable(stack.getLocationIndices(0)).getMappingIndex())
                    .getFilenameStrindex()))
        .isEqualTo("/bin/app");
  }

  @Test
  void keepsEveryTypeOfAHeapProfileAndFallsBackToTheRequestTimes() {
    PprofProfile heap =
        PprofProfile.newBuilder()
            .addAllStringTable(
                List.of("", "alloc_objects", "count", "alloc_space", "bytes", "space", "f"))
            .addSampleType(PprofValueType.newBuilder().setTypeStr(1).setUnitStr(2))
            .addSampleType(PprofValueType.newBuilder().setTypeStr(3).setUnitStr(4))
            .setPeriodType(PprofValueType.newBuilder().setTypeStr(5).setUnitStr(4))
            .setPeriod(524288)
            .addFunction(PprofFunction.newBuilder().setId(1).setNameStr(6))
            .addLocation(
                PprofLocation.newBuilder()
                    .setId(1)
                    .addLine(PprofLine.newBuilder().setFunctionId(1)))
            .addSample(PprofSample.newBuilder().addLocationId(1).addValue(2).addValue(2048))
            .build();
    ExportProfilesServiceRequest r =
        PprofToOtlp.convert(heap, IngestName.parse("h"), null, T, T + 15_000_000_000L);
    List<Profile> profiles = r.getResourceProfiles(0).getScopeProfiles(0).getProfilesList();
    assertThat(profiles).hasSize(2);
    assertThat(profiles.get(1).getSamples(0).getValues(0)).isEqualTo(2048);
    assertThat(profiles.get(0).getTimeUnixNano()).isEqualTo(T);
    assertThat(profiles.get(0).getDurationNano()).isEqualTo(15_000_000_000L);
    assertThat(ProfilesValidator.validate(r).isValid()).isTrue();
  }

  @Test
  void brokenReferencesAreRefusedNamingTheField() {
    PprofProfile good = goCpu();
    Map<String, PprofProfile> bad =
        Map.ofEntries(
            Map.entry(
                "sample[0].location_id[0]=99 has no location",
                good.toBuilder()
                    .setSample(0, good.getSample(0).toBuilder().setLocationId(0, 99))
                    .build()),
            Map.entry(
                "location[0].line[0].function_id=7 has no function",
                good.toBuilder()
                    .setLocation(
                        0,
                        good.getLocation(0).toBuilder()
                            .setLine(0, PprofLine.newBuilder().setFunctionId(7)))
                    .build()),
            Map.entry(
                "sample[1] has 1 values but the profile has 2 sample types",
                good.toBuilder()
                    .setSample(1, good.getSample(1).toBuilder().clearValue().addValue(1))
                    .build()),
            Map.entry(
                "sample_type[0].type_str=500 is out of range for string_table of size 17",
                good.toBuilder()
                    .setSampleType(0, PprofValueType.newBuilder().setTypeStr(500))
                    .build()),
            Map.entry(
                "string_table must start with \"\"",
                good.toBuilder().setStringTable(0, "x").build()),
            Map.entry(
                "location[0].mapping_id=4 has no mapping",
                good.toBuilder()
                    .setLocation(0, good.getLocation(0).toBuilder().setMappingId(4))
                    .build()),
            Map.entry(
                "function[1].id=1 is zero or repeated",
                good.toBuilder().setFunction(1, good.getFunction(1).toBuilder().setId(1)).build()),
            Map.entry("no sample_type", good.toBuilder().clearSampleType().build()),
            Map.entry(
                "mapping id 1 has memory_start 4096 above memory_limit 0",
                good.toBuilder()
                    .setMapping(0, good.getMapping(0).toBuilder().setMemoryLimit(0))
                    .build()));
    bad.forEach(
        (message, p) ->
            assertThatThrownBy(() -> PprofToOtlp.convert(p, IngestName.parse("a"), null, T, T))
                .as(message)
                .isInstanceOf(IngestException.class)
                .hasMessageContaining("invalid pprof: " + message));
  }
}
