package dev.ember.backend.cli;

import java.util.Map;
import picocli.CommandLine.Option;

/** A time range: now-1h, RFC 3339, YYYYMMDD or Unix s/ms/ns, as the HTTP API takes them. */
final class Range {
  @Option(
      names = "--from",
      description =
          "Start: now-1h, 2026-11-21T14:30:00Z, Unix s/ms/ns (default: ${DEFAULT-VALUE}).",
      defaultValue = "now-1h")
  String from;

  @Option(names = "--until", description = "End (default: ${DEFAULT-VALUE}).", defaultValue = "now")
  String until;

  /** The API's query parameters: {@code from} and {@code until}, then the given key/value pairs. */
  Map<String, String> params(String... keyValues) {
    return withRange(from, until, keyValues);
  }

  static Map<String, String> withRange(String from, String until, String... keyValues) {
    Map<String, String> p = ApiClient.params("from", from, "until", until);
    p.putAll(ApiClient.params(keyValues));
    return p;
  }
}
