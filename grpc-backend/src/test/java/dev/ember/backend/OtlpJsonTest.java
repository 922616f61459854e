package dev.ember.backend;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ember.wire.ProfileRequests;
import io.opentelemetry.proto.collector.profiles.v1development.ExportProfilesServiceRequest;
import java.nio.charset.StandardCharsets;
import java.util.HexFormat;
import java.util.Map;
import org.junit.jupiter.api.Test;

class OtlpJsonTest {
  static final byte[] TRACE = HexFormat.of().parseHex("1122aabbccddeeff0000000000000000");
  static final byte[] SPAN = HexFormat.of().parseHex("ff01020304050607");

  static ExportProfilesServiceRequest request() {
    return ProfileRequests.request()
        .service("json-svc")
        .cpuProfile(1_763_769_600_000_000_123L)
        .sample(7, TRACE, SPAN, Map.of("thread.name", "main"), "main", "work")
        .sample(3, "main", "idle")
        .build();
  }

  static ExportProfilesServiceRequest parse(String json) {
    return OtlpJson.parse(json.getBytes(StandardCharsets.UTF_8));
  }

  @Test
  void readsTheOtlpJsonMappingWithHexIdsAndStringInt64s() throws Exception {
    String json = OtlpJsonWriter.write(request());
    assertThat(json)
        .contains("\"traceId\":\"1122aabbccddeeff0000000000000000\"")
        .contains("\"spanId\":\"ff01020304050607\"")
        .contains("\"timeUnixNano\":\"1763769600000000123\"")
        .contains("\"resourceProfiles\"");
    assertThat(parse(json)).isEqualTo(request());
  }

  @Test
  void acceptsSnakeCaseAndNumbersForInt64() {
    String json =
        "{\"resource_profiles\":[{\"scope_profiles\":[{\"profiles\":[{\"time_unix_nano\":5,"
            + "\"duration_nano\":\"10\"}]}]}],\"dictionary\":{\"string_table\":[\"\"],"
            + "\"link_table\":[{\"trace_id\":\"\",\"span_id\":\"\"}]}}";
    ExportProfilesServiceRequest r = parse(json);
    assertThat(r.getResourceProfiles(0).getScopeProfiles(0).getProfiles(0).getDurationNano())
        .isEqualTo(10);
    assertThat(r.getDictionary().getLinkTable(0).getTraceId().size()).isZero();
  }

  @Test
  void unknownFieldsAreRefusedAsVersionSkew() {
    // proto 1.8 and earlier called the samples list "sample".
    String json = "{\"resourceProfiles\":[{\"scopeProfiles\":[{\"profiles\":[{\"sample\":[]}]}]}]}";
    assertThatThrownBy(() -> parse(json))
        .isInstanceOfSatisfying(
            IngestException.class,
            e -> {
              assertThat(e.kind).isEqualTo(IngestException.Kind.INVALID);
              assertThat(e.reason).isEqualTo("version_skew");
              assertThat(e.getMessage()).contains("sample").contains("another proto version");
            });
  }

  @Test
  void badIdsJsonAndEncodingsAreNamed() {
    assertThatThrownBy(
            () ->
                parse("{\"dictionary\":{\"linkTable\":[{},{\"traceId\":\"zz\",\"spanId\":\"\"}]}}"))
        .hasMessageContaining("dictionary.linkTable[1].traceId='zz' is not hex");
    assertThatThrownBy(() -> parse("{\"resourceProfiles\": ["))
        .hasMessageContaining("not valid JSON");
    assertThatThrownBy(() -> parse("[1,2]"))
        .hasMessageContaining("must be an ExportProfilesServiceRequest");
    assertThatThrownBy(() -> OtlpJson.parse(new byte[] {'{', (byte) 0xc3, (byte) 0x28, '}'}))
        .hasMessageContaining("not valid UTF-8");
    assertThatThrownBy(() -> parse("{\"dictionary\":{\"stringTable\":[1,{}]}}"))
        .hasMessageContaining("not a valid OTLP ExportProfilesServiceRequest");
  }
}
