package dev.ember.backend.cli;

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
}
