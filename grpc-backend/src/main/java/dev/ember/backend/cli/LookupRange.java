package dev.ember.backend.cli;

import java.util.Map;
import picocli.CommandLine.Option;

/**
 * Where to look for one profile or one trace: a day back by default, since users come with an id
 * from a log line or a trace view rather than a time.
 */
final class LookupRange {
  @Option(
      names = "--from",
      description = "Look from (default: ${DEFAULT-VALUE}).",
      defaultValue = "now-24h")
  String from;

  @Option(
      names = "--until",
      description = "Look until (default: ${DEFAULT-VALUE}).",
      defaultValue = "now")
  String until;

  Map<String, String> params(String... keyValues) {
    return Range.withRange(from, until, keyValues);
  }
}
