package dev.ember.backend;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import com.google.gson.JsonPrimitive;
import com.google.protobuf.util.JsonFormat;
import io.opentelemetry.proto.collector.profiles.v1development.ExportProfilesServiceRequest;
import java.util.Base64;
import java.util.HexFormat;
import java.util.Map;

/**
 * Test helper: writes a request as an OTLP/JSON producer (the Collector) does: proto3 JSON with
 * camelCase names and 64-bit integers as strings, but hex trace, span and profile ids.
 */
final class OtlpJsonWriter {
  private OtlpJsonWriter() {}

  static String write(ExportProfilesServiceRequest request) throws Exception {
    JsonObject root = JsonParser.parseString(JsonFormat.printer().print(request)).getAsJsonObject();
    hexIds(root);
    return root.toString();
  }

  private static void hexIds(JsonElement e) {
    if (e.isJsonArray()) {
      e.getAsJsonArray().forEach(OtlpJsonWriter::hexIds);
    } else if (e.isJsonObject()) {
      for (Map.Entry<String, JsonElement> m : e.getAsJsonObject().entrySet()) {
        String k = m.getKey();
        if ((k.equals("traceId") || k.equals("spanId") || k.equals("profileId"))
            && m.getValue().isJsonPrimitive()) {
          byte[] b = Base64.getDecoder().decode(m.getValue().getAsString());
          m.setValue(new JsonPrimitive(HexFormat.of().formatHex(b)));
        } else {
          hexIds(m.getValue());
        }
      }
    }
  }
}
