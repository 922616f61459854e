package dev.ember.backend.cli;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParseException;
import com.google.gson.JsonParser;
import java.io.IOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;

/** The CLI's HTTP client for the backend's {@code /api/v1/} API. */
final class ApiClient {
  private final String baseUrl;
  private final String tenant;
  private final HttpClient http;

  ApiClient(String baseUrl, String tenant) {
    this.baseUrl = baseUrl.endsWith("/") ? baseUrl.substring(0, baseUrl.length() - 1) : baseUrl;
    this.tenant = tenant;
    this.http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();
  }

  /** A failed call: the server's status and message, or why the server could not be reached. */
  static final class ApiException extends Exception {
    private static final long serialVersionUID = 1L;
    final int status;

    ApiException(int status, String message) {
      super(message);
      this.status = status;
    }
  }

  /** Query parameters in insertion order; null values are skipped. */
  static Map<String, String> params(String... keyValues) {
    Map<String, String> out = new LinkedHashMap<>();
    for (int i = 0; i + 1 < keyValues.length; i += 2) {
      if (keyValues[i + 1] != null && !keyValues[i + 1].isEmpty()) {
        out.put(keyValues[i], keyValues[i + 1]);
      }
    }
    return out;
  }

  String url(String path, Map<String, String> params) {
    StringBuilder b = new StringBuilder(baseUrl).append(path);
    char sep = '?';
    for (Map.Entry<String, String> e : params.entrySet()) {
      b.append(sep)
          .append(URLEncoder.encode(e.getKey(), StandardCharsets.UTF_8))
          .append('=')
          .append(URLEncoder.encode(e.getValue(), StandardCharsets.UTF_8));
      sep = '&';
    }
    return b.toString();
  }

  byte[] getBytes(String path, Map<String, String> params) throws ApiException {
    String url = url(path, params);
    HttpRequest.Builder req;
    try {
      req = HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofMinutes(10));
    } catch (IllegalArgumentException e) {
      throw new ApiException(0, "invalid backend URL '" + baseUrl + "': " + e.getMessage());
    }
    if (tenant != null && !tenant.isEmpty()) {
      req.header("X-Scope-OrgID", tenant);
    }
    HttpResponse<byte[]> r;
    try {
      r = http.send(req.build(), HttpResponse.BodyHandlers.ofByteArray());
    } catch (ConnectException e) {
      throw new ApiException(
          0, "cannot reach the backend at " + baseUrl + " (is it running? set --url)");
    } catch (IOException e) {
      throw new ApiException(0, "request to " + baseUrl + " failed: " + e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new ApiException(0, "interrupted");
    }
    if (r.statusCode() != 200) {
      throw new ApiException(r.statusCode(), errorMessage(r.body(), r.statusCode()));
    }
    return r.body();
  }

  JsonObject getJson(String path, Map<String, String> params) throws ApiException {
    String body = new String(getBytes(path, params), StandardCharsets.UTF_8);
    try {
      JsonElement e = JsonParser.parseString(body);
      // A long query may report a failure in the body of a 200 answer (see docs/api.md).
      if (e.isJsonObject()
          && e.getAsJsonObject().has("error")
          && e.getAsJsonObject().has("status")) {
        JsonObject o = e.getAsJsonObject();
        throw new ApiException(o.get("status").getAsInt(), o.get("error").getAsString());
      }
      return e.getAsJsonObject();
    } catch (JsonParseException | IllegalStateException e) {
      throw new ApiException(
          0, "the backend answered something that is not JSON: " + e.getMessage());
    }
  }

  private static String errorMessage(byte[] body, int status) {
    String text = new String(body, StandardCharsets.UTF_8).strip();
    try {
      JsonObject o = JsonParser.parseString(text).getAsJsonObject();
      if (o.has("error")) {
        return o.get("error").getAsString();
      }
    } catch (RuntimeException notJson) {
      // plain-text error
    }
    return text.isEmpty() ? "HTTP " + status : text;
  }
}
