package dev.ember.wire;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.ByteString;
import com.google.protobuf.UnknownFieldSet;
import io.opentelemetry.proto.collector.profiles.v1development.ExportProfilesServiceRequest;
import io.opentelemetry.proto.profiles.v1development.KeyValueAndUnit;
import io.opentelemetry.proto.profiles.v1development.Link;
import io.opentelemetry.proto.profiles.v1development.Location;
import io.opentelemetry.proto.profiles.v1development.Sample;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ProfilesValidatorTest {
  static final long T0 = 1_763_769_600_000_000_000L;

  static ExportProfilesServiceRequest valid() {
    return ProfileRequests.request()
        .service("checkout")
        .cpuProfile(T0)
        .sample(10, "main", "handle", "work")
        .sample(5, new byte[16], new byte[8], Map.of("thread.name", "worker-1"), "main", "idle")
        .build();
  }

  static ExportProfilesServiceRequest.Builder mutable() {
    return valid().toBuilder();
  }

  @Test
  void validRequestPasses() {
    ValidationReport report = ProfilesValidator.validate(valid());
    assertThat(report.isValid()).as(report.toString()).isTrue();
    assertThat(report.profileCount()).isEqualTo(1);
  }

  @Test
  void stackIndexOutOfRangeRejectsOnlyThatProfile() {
    ExportProfilesServiceRequest.Builder b = mutable();
    b.getResourceProfilesBuilder(0)
        .getScopeProfilesBuilder(0)
        .getProfilesBuilder(0)
        .getSamplesBuilder(0)
        .setStackIndex(99);
    ValidationReport report = ProfilesValidator.validate(b.build());
    assertThat(report.isRequestInvalid()).isFalse();
    assertThat(report.isRejected(new ProfileRef(0, 0, 0))).isTrue();
    assertThat(report.profileSummary())
        .contains("resource_profiles[0].scope_profiles[0].profiles[0].samples[0].stack_index=99")
        .contains("out of range for stack_table");
  }

  @Test
  void negativeLinkIndexIsNamed() {
    ExportProfilesServiceRequest.Builder b = mutable();
    b.getResourceProfilesBuilder(0)
        .getScopeProfilesBuilder(0)
        .getProfilesBuilder(0)
        .getSamplesBuilder(1)
        .setLinkIndex(-3);
    assertThat(ProfilesValidator.validate(b.build()).profileSummary())
        .contains("samples[1].link_index=-3");
  }

  @Test
  void nonEmptyFirstStringInvalidatesRequest() {
    ExportProfilesServiceRequest.Builder b = mutable();
    b.getDictionaryBuilder().setStringTable(0, "oops");
    ValidationReport report = ProfilesValidator.validate(b.build());
    assertThat(report.isRequestInvalid()).isTrue();
    assertThat(report.requestSummary()).contains("string_table[0]");
  }

  @Test
  void missingDictionaryInvalidatesRequest() {
    ValidationReport report = ProfilesValidator.validate(mutable().clearDictionary().build());
    assertThat(report.isRequestInvalid()).isTrue();
    assertThat(report.requestSummary()).contains("string_table");
  }

  @Test
  void nonZeroFirstLocationInvalidatesRequest() {
    ExportProfilesServiceRequest.Builder b = mutable();
    b.getDictionaryBuilder().setLocationTable(0, Location.newBuilder().setAddress(7));
    assertThat(ProfilesValidator.validate(b.build()).requestSummary())
        .contains("location_table[0] must be the zero value");
  }

  @Test
  void stackPointingOutsideLocationsInvalidatesRequest() {
    ExportProfilesServiceRequest.Builder b = mutable();
    b.getDictionaryBuilder().getStackTableBuilder(1).addLocationIndices(1000);
    assertThat(ProfilesValidator.validate(b.build()).requestSummary())
        .contains("dictionary.stack_table[1].location_indices[3]=1000");
  }

  @Test
  void shortLinkIdsInvalidateRequest() {
    ExportProfilesServiceRequest.Builder b = mutable();
    b.getDictionaryBuilder()
        .addLinkTable(
            Link.newBuilder()
                .setTraceId(ByteString.copyFrom(new byte[15]))
                .setSpanId(ByteString.copyFrom(new byte[8])));
    assertThat(ProfilesValidator.validate(b.build()).requestSummary())
        .contains("trace_id must have 16 bytes");
  }

  @Test
  void repeatedAttributeKeyInSampleRejectsProfile() {
    ExportProfilesServiceRequest.Builder b = mutable();
    int key = b.getDictionary().getStringTableList().indexOf("thread.name");
    b.getDictionaryBuilder()
        .addAttributeTable(
            KeyValueAndUnit.newBuilder()
                .setKeyStrindex(key)
                .setValue(
                    io.opentelemetry.proto.common.v1.AnyValue.newBuilder().setStringValue("x")));
    int second = b.getDictionary().getAttributeTableCount() - 1;
    b.getResourceProfilesBuilder(0)
        .getScopeProfilesBuilder(0)
        .getProfilesBuilder(0)
        .getSamplesBuilder(1)
        .addAttributeIndices(second);
    assertThat(ProfilesValidator.validate(b.build()).profileSummary())
        .contains("samples[1].attribute_indices repeats the attribute key");
  }

  @Test
  void sampleWithoutValuesRejectsProfile() {
    ExportProfilesServiceRequest.Builder b = mutable();
    b.getResourceProfilesBuilder(0)
        .getScopeProfilesBuilder(0)
        .getProfilesBuilder(0)
        .getSamplesBuilder(0)
        .clearValues();
    assertThat(ProfilesValidator.validate(b.build()).profileSummary())
        .contains("samples[0] has neither values nor timestamps_unix_nano");
  }

  @Test
  void timestampOutsideWindowRejectsProfile() {
    ExportProfilesServiceRequest.Builder b = mutable();
    b.getResourceProfilesBuilder(0)
        .getScopeProfilesBuilder(0)
        .getProfilesBuilder(0)
        .getSamplesBuilder(0)
        .clearValues()
        .addTimestampsUnixNano(T0 - 1);
    assertThat(ProfilesValidator.validate(b.build()).profileSummary())
        .contains("lies outside the profile window");
  }

  @Test
  void unknownFieldsAreReportedAsVersionSkew() {
    ExportProfilesServiceRequest.Builder b = mutable();
    Sample.Builder s =
        b.getResourceProfilesBuilder(0)
            .getScopeProfilesBuilder(0)
            .getProfilesBuilder(0)
            .getSamplesBuilder(0);
    s.setUnknownFields(
        UnknownFieldSet.newBuilder()
            .addField(9, UnknownFieldSet.Field.newBuilder().addVarint(3).build())
            .build());
    ValidationReport report = ProfilesValidator.validate(b.build());
    assertThat(report.isRequestInvalid()).isTrue();
    assertThat(report.requestSummary())
        .contains("version skew")
        .contains("resource_profiles[0].scope_profiles[0].profiles[0].samples[0]")
        .contains("field 9");
  }

  @Test
  void reparsedBytesStayValid() throws Exception {
    ExportProfilesServiceRequest parsed =
        ExportProfilesServiceRequest.parseFrom(valid().toByteArray());
    assertThat(ProfilesValidator.validate(parsed).isValid()).isTrue();
  }
}
