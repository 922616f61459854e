package dev.ember.backend;

import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * Splits a {@code multipart/form-data} body (RFC 7578) into its named parts, as Pyroscope's SDKs
 * send profiles ({@code profile}, {@code prev_profile}, {@code sample_type_config}). Parts are
 * views of the body's bytes, copied once.
 */
final class Multipart {
  private Multipart() {}

  /** The boundary parameter of a multipart Content-Type; throws when it is missing. */
  static String boundary(String contentType) {
    for (String param : contentType.split(";")) {
      String p = param.strip();
      if (p.toLowerCase(Locale.ROOT).startsWith("boundary=")) {
        String b = p.substring("boundary=".length());
        if (b.length() >= 2 && b.startsWith("\"") && b.endsWith("\"")) {
          b = b.substring(1, b.length() - 1);
        }
        if (!b.isEmpty()) {
          return b;
        }
      }
    }
    throw IngestException.invalid(
        "bad_request", "multipart/form-data without a boundary parameter in Content-Type");
  }

  /** Part name to content; throws {@link IngestException} on a malformed body. */
  static Map<String, byte[]> parse(byte[] body, String boundary) {
    byte[] delimiter = ("--" + boundary).getBytes(StandardCharsets.ISO_8859_1);
    Map<String, byte[]> parts = new LinkedHashMap<>();
    int pos = indexOf(body, delimiter, 0);
    if (pos < 0) {
      throw malformed("the boundary never occurs");
    }
    while (true) {
      pos += delimiter.length;
      if (pos + 2 <= body.length && body[pos] == '-' && body[pos + 1] == '-') {
        return parts; // the closing delimiter
      }
      int headersStart = skipLineEnd(body, pos);
      int headersEnd =
          indexOf(body, "\r\n\r\n".getBytes(StandardCharsets.ISO_8859_1), headersStart);
      if (headersEnd < 0) {
        throw malformed("a part has no blank line after its headers");
      }
      String headers =
          new String(body, headersStart, headersEnd - headersStart, StandardCharsets.UTF_8);
      int contentStart = headersEnd + 4;
      int next = indexOf(body, delimiter, contentStart);
      if (next < 0) {
        throw malformed("the last part is not closed by the boundary");
      }
      int contentEnd = next;
      if (contentEnd >= 2 && body[contentEnd - 2] == '\r' && body[contentEnd - 1] == '\n') {
        contentEnd -= 2;
      }
      String name = name(headers);
      if (name != null) {
        byte[] content = new byte[Math.max(0, contentEnd - contentStart)];
        System.arraycopy(body, contentStart, content, 0, content.length);
        parts.put(name, content);
      }
      pos = next;
    }
  }

  private static String name(String headers) {
    for (String line : headers.split("\r\n")) {
      if (!line.toLowerCase(Locale.ROOT).startsWith("content-disposition:")) {
        continue;
      }
      for (String param : line.substring(line.indexOf(':') + 1).split(";")) {
        String p = param.strip();
        if (p.startsWith("name=")) {
          String v = p.substring(5);
          return v.length() >= 2 && v.startsWith("\"") ? v.substring(1, v.length() - 1) : v;
        }
      }
    }
    return null;
  }

  private static int skipLineEnd(byte[] b, int pos) {
    if (pos + 1 < b.length && b[pos] == '\r' && b[pos + 1] == '\n') {
      return pos + 2;
    }
    return pos < b.length && b[pos] == '\n' ? pos + 1 : pos;
  }

  private static IngestException malformed(String what) {
    return IngestException.invalid("bad_request", "malformed multipart/form-data body: " + what);
  }

  static int indexOf(byte[] haystack, byte[] needle, int from) {
    outer:
    for (int i = Math.max(0, from); i <= haystack.length - needle.length; i++) {
      for (int j = 0; j < needle.length; j++) {
        if (haystack[i + j] != needle[j]) {
          continue outer;
        }
      }
      return i;
    }
    return -1;
  }
}
