package dev.ember.backend.cli;

import picocli.CommandLine.Option;

/** Options every command takes: where the backend is and which tenant to ask for. */
final class Common {
  @Option(
      names = "--url",
      description = "Backend HTTP URL (default: $EMBER_URL or ${DEFAULT-VALUE}).",
      defaultValue = "${env:EMBER_URL:-http://localhost:4040}")
  String url;

  @Option(
      names = "--tenant",
      description = "Tenant (X-Scope-OrgID) to query (default: $EMBER_TENANT, else none).",
      defaultValue = "${env:EMBER_TENANT}")
  String tenant;

  ApiClient client() {
    return new ApiClient(url, tenant);
  }
}
