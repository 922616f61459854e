package dev.ember.backend;

import dev.ember.index.query.QueryLimits;
import picocli.CommandLine;
import picocli.CommandLine.Option;

/** The query engine's options of {@code backend.jar}: limits and parallelism. */
final class QueryOptions {
  @Option(
      names = "--query-max-range",
      description =
          "Longest time range one query may span, e.g. 7d, 30d (default: ${DEFAULT-VALUE}).",
      defaultValue = "30d")
  String maxRange;

  @Option(
      names = "--query-max-series",
      description =
          "Most series one query may select in one partition, and most groups of a series query"
              + " (default: ${DEFAULT-VALUE}).",
      defaultValue = "10000")
  int maxSeries;

  @Option(
      names = "--query-max-tree-nodes",
      description = "Most nodes of a merged call tree in memory (default: ${DEFAULT-VALUE}).",
      defaultValue = "1000000")
  int maxTreeNodes;

  @Option(
      names = "--query-timeout",
      description = "How long one query may run before it is stopped (default: ${DEFAULT-VALUE}).",
      defaultValue = "60s")
  String timeout;

  @Option(
      names = "--query-threads",
      description =
          "Threads that work on query partitions in parallel (default: the number of CPUs).",
      defaultValue = "0")
  int threads;

  QueryLimits limits(CommandLine cmd) {
    try {
      return new QueryLimits(
          BackendMain.parseDuration(maxRange),
          maxSeries,
          maxTreeNodes,
          BackendMain.parseDuration(timeout));
    } catch (IllegalArgumentException e) {
      throw new CommandLine.ParameterException(cmd, e.getMessage());
    }
  }

  int threads() {
    return threads > 0 ? threads : Runtime.getRuntime().availableProcessors();
  }
}
