package dev.ember.backend;

import io.opentelemetry.proto.collector.profiles.v1development.ExportProfilesServiceRequest;
import io.opentelemetry.proto.common.v1.AnyValue;
import io.opentelemetry.proto.common.v1.InstrumentationScope;
import io.opentelemetry.proto.common.v1.KeyValue;
import io.opentelemetry.proto.profiles.v1development.Line;
import io.opentelemetry.proto.profiles.v1development.Location;
import io.opentelemetry.proto.profiles.v1development.Profile;
import io.opentelemetry.proto.profiles.v1development.ResourceProfiles;
import io.opentelemetry.proto.profiles.v1development.Sample;
import io.opentelemetry.proto.profiles.v1development.ScopeProfiles;
import io.opentelemetry.proto.profiles.v1development.ValueType;
import io.opentelemetry.proto.resource.v1.Resource;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;

/**
 * Turns Pyroscope's text formats into one OTLP request: {@code folded} (each line a root-first
 * stack {@code main;work;leaf 42} and its count, Pyroscope's default format) and {@code lines}
 * (each line one sample). Units follow the {@code units} parameter: {@code samples} (default) are
 * CPU samples at {@code sampleRate} Hz, stored as {@code process_cpu} time (count x period); {@code
 * objects} and {@code bytes} become {@code memory:alloc_objects} / {@code memory:alloc_space}.
 */
final class FoldedToOtlp {
  private FoldedToOtlp() {}

  static ExportProfilesServiceRequest convert(
      byte[] body,
      boolean lines,
      IngestName name,
      String spyName,
      String units,
      long sampleRate,
      long fromNanos,
      long untilNanos) {
    String text;
    try {
      text =
          StandardCharsets.UTF_8
              .newDecoder()
              .onMalformedInput(CodingErrorAction.REPORT)
              .onUnmappableCharacter(CodingErrorAction.REPORT)
              .decode(ByteBuffer.wrap(body))
              .toString();
    } catch (CharacterCodingException e) {
      throw IngestException.invalid(
          "invalid", "the body is not UTF-8 text, so not in folded format (send format=pprof?)");
    }
    OtlpDictionaryBuilder dict = new OtlpDictionaryBuilder();
    Map<String, Integer> locations = new HashMap<>();
    Map<Integer, Long> valueByStack = new java.util.LinkedHashMap<>();
    String[] rows = text.split("\n", -1);
    for (int n = 0; n < rows.length; n++) {
      String row = rows[n].strip();
      if (row.isEmpty()) {
        continue;
      }
      String stack = row;
      long count = 1;
      if (!lines) {
        int space = row.lastIndexOf(' ');
        if (space < 0) {
          throw IngestException.invalid(
              "invalid",
              "line " + (n + 1) + " of the folded body has no count: expected 'a;b;c 42'");
        }
        try {
          count = Long.parseLong(row.substring(space + 1));
        } catch (NumberFormatException e) {
          count = -1;
        }
        if (count < 0) {
          throw IngestException.invalid(
              "invalid",
              "line "
                  + (n + 1)
                  + " of the folded body ends with '"
                  + row.substring(space + 1)
                  + "', not a count: expected 'a;b;c 42'");
        }
        stack = row.substring(0, space).strip();
      }
      String[] frames = stack.split(";");
      int[] leafFirst = new int[frames.length];
      int k = 0;
      for (int i = frames.length - 1; i >= 0; i--) {
        String f = frames[i].strip();
        if (f.isEmpty()) {
          continue;
        }
        leafFirst[k++] =
            locations.computeIfAbsent(
                f,
                fn ->
                    dict.location(
                        Location.newBuilder()
                            .addLines(
                                Line.newBuilder().setFunctionIndex(dict.function(fn, "", "", 0)))
                            .build()));
      }
      if (count > 0 && k > 0) {
        valueByStack.merge(dict.stack(java.util.Arrays.copyOf(leafFirst, k)), count, Long::sum);
      }
    }
    String[] type =
        switch (units == null || units.isEmpty() ? "samples" : units) {
          case "samples" -> new String[] {"samples", "count", "cpu", "nanoseconds"};
          case "objects" -> new String[] {"alloc_objects", "count", "space", "bytes"};
          case "bytes" -> new String[] {"alloc_space", "bytes", "space", "bytes"};
          default ->
              throw IngestException.invalid(
                  "bad_request", "units '" + units + "' is not one of samples, objects, bytes");
        };
    long period = type[2].equals("cpu") ? 1_000_000_000L / sampleRate : 1;
    Profile.Builder profile =
        Profile.newBuilder()
            .setSampleType(
                ValueType.newBuilder()
                    .setTypeStrindex(dict.string(type[0]))
                    .setUnitStrindex(dict.string(type[1])))
            .setPeriodType(
                ValueType.newBuilder()
                    .setTypeStrindex(dict.string(type[2]))
                    .setUnitStrindex(dict.string(type[3])))
            .setPeriod(period)
            .setTimeUnixNano(fromNanos)
            .setDurationNano(Math.max(0, untilNanos - fromNanos));
    valueByStack.forEach(
        (stack, v) -> profile.addSamples(Sample.newBuilder().setStackIndex(stack).addValues(v)));
    Resource.Builder resource = Resource.newBuilder().addAttributes(kv("service.name", name.app()));
    name.labels().forEach((k, v) -> resource.addAttributes(kv(k, v)));
    if (spyName != null && !spyName.isEmpty()) {
      resource.addAttributes(kv("pyroscope.spy", spyName));
    }
    ScopeProfiles.Builder scope =
        ScopeProfiles.newBuilder()
            .setScope(InstrumentationScope.newBuilder().setName(PprofToOtlp.SCOPE));
    if (profile.getSamplesCount() > 0) {
      scope.addProfiles(profile);
    }
    return ExportProfilesServiceRequest.newBuilder()
        .addResourceProfiles(
            ResourceProfiles.newBuilder().setResource(resource).addScopeProfiles(scope))
        .setDictionary(dict.build())
        .build();
  }

  private static KeyValue kv(String k, String v) {
    return KeyValue.newBuilder()
        .setKey(k)
        .setValue(AnyValue.newBuilder().setStringValue(v))
        .build();
  }
}
