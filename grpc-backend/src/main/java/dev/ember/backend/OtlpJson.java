package dev.ember.backend;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParseException;
import com.google.gson.JsonParser;
import com.google.gson.JsonPrimitive;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.Message;
import com.google.protobuf.util.JsonFormat;
import io.opentelemetry.proto.collector.profiles.v1development.ExportProfilesServiceRequest;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.HexFormat;

/**
 * The OTLP/JSON mapping of profiles requests (OTLP specification, "JSON Protobuf Encoding"): proto3
 * JSON with lowerCamelCase names, 64-bit integers as strings or numbers, enums as integers, except
 * that {@code traceId}, {@code spanId} and {@code profileId} are hex, not base64. Those are turned
 * into base64 before protobuf's own JSON parser reads the rest.
 *
 * <p>Unlike the OTLP/JSON rule to skip unknown fields, an unknown field name refuses the request
 * with a message naming it: fields renamed between OTLP profiles versions (e.g. {@code sample} to
 * {@code samples} in 1.9) would otherwise be dropped silently, the JSON form of the version skew
 * the binary receiver detects through unknown fields.
 */
final class OtlpJson {
  private static final JsonFormat.Parser PARSER = JsonFormat.parser();
  private static final JsonFormat.Printer PRINTER =
      JsonFormat.printer().omittingInsignificantWhitespace();

  private OtlpJson() {}

  /** Parses a UTF-8 OTLP/JSON body; throws {@link IngestException} naming what is wrong. */
  static ExportProfilesServiceRequest parse(byte[] body) {
    String text;
    try {
      text =
          StandardCharsets.UTF_8
              .newDecoder()
              .onMalformedInput(CodingErrorAction.REPORT)
              .onUnmappableCharacter(CodingErrorAction.REPORT)
              .decode(java.nio.ByteBuffer.wrap(body))
              .toString();
    } catch (CharacterCodingException e) {
      throw IngestException.invalid("invalid", "the JSON body is not valid UTF-8");
    }
    JsonElement root;
    try {
      root = JsonParser.parseString(text);
    } catch (JsonParseException e) {
      throw IngestException.invalid("unparseable", "the body is not valid JSON: " + e.getMessage());
    }
    if (!root.isJsonObject()) {
      throw IngestException.invalid(
          "unparseable", "the JSON body must be an ExportProfilesServiceRequest object");
    }
    JsonObject request = root.getAsJsonObject();
    JsonObject dict = object(request, "dictionary");
    if (dict != null) {
      JsonArray links = array(dict, "linkTable", "link_table");
      for (int i = 0; links != null && i < links.size(); i++) {
        if (links.get(i).isJsonObject()) {
          JsonObject link = links.get(i).getAsJsonObject();
          String at = "dictionary.linkTable[" + i + "]";
          hexToBase64(link, "traceId", "trace_id", at);
          hexToBase64(link, "spanId", "span_id", at);
        }
      }
    }
    JsonArray resources = array(request, "resourceProfiles", "resource_profiles");
    for (int r = 0; resources != null && r < resources.size(); r++) {
      JsonArray scopes =
          resources.get(r).isJsonObject()
              ? array(resources.get(r).getAsJsonObject(), "scopeProfiles", "scope_profiles")
              : null;
      for (int s = 0; scopes != null && s < scopes.size(); s++) {
        JsonArray profiles =
            scopes.get(s).isJsonObject()
                ? array(scopes.get(s).getAsJsonObject(), "profiles")
                : null;
        for (int p = 0; profiles != null && p < profiles.size(); p++) {
          if (profiles.get(p).isJsonObject()) {
            String at = "resourceProfiles[" + r + "].scopeProfiles[" + s + "].profiles[" + p + "]";
            hexToBase64(profiles.get(p).getAsJsonObject(), "profileId", "profile_id", at);
          }
        }
      }
    }
    ExportProfilesServiceRequest.Builder b = ExportProfilesServiceRequest.newBuilder();
    try {
      PARSER.merge(request.toString(), b);
    } catch (InvalidProtocolBufferException e) {
      String m = e.getMessage() == null ? "" : e.getMessage();
      String skew =
          m.startsWith("Cannot find field")
              ? " (a field OTLP profiles 1.10/1.11 does not have: the producer may speak another"
                  + " proto version; use opentelemetry-proto >= 1.10, Collector >= v0.148.0)"
              : "";
      throw IngestException.invalid(
          skew.isEmpty() ? "invalid" : "version_skew",
          "the JSON body is not a valid OTLP ExportProfilesServiceRequest: " + m + skew);
    } catch (RuntimeException e) {
      throw IngestException.invalid(
          "invalid", "the JSON body is not a valid OTLP ExportProfilesServiceRequest: " + e);
    }
    return b.build();
  }

  static byte[] print(Message m) {
    try {
      return PRINTER.print(m).getBytes(StandardCharsets.UTF_8);
    } catch (InvalidProtocolBufferException e) {
      throw new IllegalStateException("cannot print " + m.getDescriptorForType().getName(), e);
    }
  }

  private static JsonObject object(JsonObject o, String name) {
    JsonElement e = o.has(name) ? o.get(name) : null;
    return e != null && e.isJsonObject() ? e.getAsJsonObject() : null;
  }

  private static JsonArray array(JsonObject o, String... names) {
    for (String n : names) {
      JsonElement e = o.get(n);
      if (e != null && e.isJsonArray()) {
        return e.getAsJsonArray();
      }
    }
    return null;
  }

  /** Replaces a hex id by its base64 form, the JSON encoding protobuf expects for bytes. */
  private static void hexToBase64(JsonObject o, String camel, String snake, String at) {
    for (String name : new String[] {camel, snake}) {
      JsonElement e = o.get(name);
      if (e == null || e.isJsonNull()) {
        continue;
      }
      if (!e.isJsonPrimitive() || !e.getAsJsonPrimitive().isString()) {
        throw IngestException.invalid(
            "invalid", at + "." + camel + " must be a string of hex digits");
      }
      String hex = e.getAsString();
      byte[] bytes;
      try {
        bytes = HexFormat.of().parseHex(hex);
      } catch (IllegalArgumentException ex) {
        throw IngestException.invalid(
            "invalid",
            at
                + "."
                + camel
                + "='"
                + (hex.length() > 40 ? hex.substring(0, 40) + "..." : hex)
                + "' is not hex (OTLP/JSON writes trace, span and profile ids as hex, not base64)");
      }
      o.add(name, new JsonPrimitive(Base64.getEncoder().encodeToString(bytes)));
    }
  }
}
