package dev.ember.backend;

import dev.ember.index.store.Limits;
import dev.ember.index.store.TenantLimits;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code java -jar backend.jar [options]}: runs the backend until interrupted (Ctrl-C). */
@Command(
    name = "ember-backend",
    mixinStandardHelpOptions = true,
    version = "Ember backend 0.1.0",
    description = "Receives OTLP profiles, stores them durably and serves the query API and UI.",
    sortOptions = false)
public final class BackendMain implements Callable<Integer> {

  @Option(
      names = "--data-dir",
      description = "Where profiles are stored (default: ${DEFAULT-VALUE}).",
      defaultValue = "data")
  Path dataDir;

  @Option(
      names = "--bind",
      description = "Address to listen on (default: ${DEFAULT-VALUE}).",
      defaultValue = "0.0.0.0")
  String bind;

  @Option(
      names = "--grpc-port",
      description = "OTLP gRPC port (default: ${DEFAULT-VALUE}).",
      defaultValue = "4317")
  int grpcPort;

  @Option(
      names = "--http-port",
      description = "HTTP API and UI port (default: ${DEFAULT-VALUE}).",
      defaultValue = "4040")
  int httpPort;

  @Option(
      names = "--partition",
      description = "Time span of one storage partition, e.g. 1h, 30m (default: ${DEFAULT-VALUE}).",
      defaultValue = "1h")
  String partition;

  @Option(
      names = "--require-tenant",
      description = "Reject requests without X-Scope-OrgID instead of using tenant 'anonymous'.")
  boolean requireTenant;

  @Option(
      names = "--retention",
      description =
          "How long profiles are kept, e.g. 30d, 12h; 0 keeps them forever (default:"
              + " ${DEFAULT-VALUE}).",
      defaultValue = "30d")
  String retention;

  @Option(
      names = "--max-message-size",
      description =
          "Largest accepted request in MiB, after decompression (default: ${DEFAULT-VALUE}).",
      defaultValue = "64")
  double maxMessageMiB;

  @Option(
      names = "--max-samples-per-profile",
      description =
          "Samples in one profile; larger profiles are refused (default: ${DEFAULT-VALUE}).",
      defaultValue = "200000")
  int maxSamplesPerProfile;

  @Option(
      names = "--max-stack-depth",
      description =
          "Frames per stack; deeper stacks keep their leaf-most frames under '[truncated]'"
              + " (default: ${DEFAULT-VALUE}).",
      defaultValue = "2048")
  int maxStackDepth;

  @Option(
      names = "--max-labels",
      description = "Series labels per profile (default: ${DEFAULT-VALUE}).",
      defaultValue = "64")
  int maxLabels;

  @Option(
      names = "--max-label-name-length",
      description = "Characters in a label name (default: ${DEFAULT-VALUE}).",
      defaultValue = "1024")
  int maxLabelNameLength;

  @Option(
      names = "--max-label-value-length",
      description = "Characters in a label or sample attribute value (default: ${DEFAULT-VALUE}).",
      defaultValue = "2048")
  int maxLabelValueLength;

  @Option(
      names = "--max-series",
      description = "Distinct series per tenant in one time partition (default: ${DEFAULT-VALUE}).",
      defaultValue = "10000")
  int maxSeries;

  @Option(
      names = "--max-ingest-rate",
      description =
          "Ingest rate per tenant in MiB/s of requests; 0 is unlimited (default: ${DEFAULT-VALUE}).",
      defaultValue = "0")
  double maxIngestRateMiB;

  @Option(
      names = "--tenant-limits",
      description =
          "File of per-tenant overrides, lines '<tenant>.<option> = <value>' (e.g. acme.retention"
              + " = 90d).")
  Path tenantLimits;

  @Option(
      names = "--ingest-memory",
      description =
          "MiB of requests decoded and stored at once before clients are told to retry (default:"
              + " an eighth of the heap).")
  Long ingestMemoryMiB;

  @Option(
      names = "--maintenance-interval",
      description =
          "How often retention is applied, sealed partitions compacted and idle ones closed"
              + " (default: ${DEFAULT-VALUE}).",
      defaultValue = "1m")
  String maintenance;

  @CommandLine.Mixin QueryOptions query = new QueryOptions();

  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  public static void main(String[] args) {
    System.exit(new CommandLine(new BackendMain()).execute(args));
  }

  /** The configuration the options describe; throws {@link CommandLine.ParameterException}. */
  BackendConfig config() {
    try {
      Limits defaults =
          new Limits(
              TenantLimitsFile.duration(retention),
              maxSamplesPerProfile,
              maxStackDepth,
              maxLabels,
              maxLabelNameLength,
              maxLabelValueLength,
              maxSeries,
              (long) (maxMessageMiB * (1 << 20)),
              (long) (maxIngestRateMiB * (1 << 20)));
      TenantLimits limits =
          tenantLimits == null
              ? TenantLimits.of(defaults)
              : TenantLimitsFile.read(tenantLimits, defaults);
      return new BackendConfig(
          dataDir,
          bind,
          grpcPort,
          httpPort,
          parseDuration(partition),
          requireTenant,
          limits,
          ingestMemoryMiB == null ? IngestGate.defaultBudget() : ingestMemoryMiB << 20,
          parseDuration(maintenance));
    } catch (IllegalArgumentException | java.io.IOException e) {
      throw new CommandLine.ParameterException(new CommandLine(new BackendMain()), e.getMessage());
    }
  }

  @Override
  public Integer call() throws Exception {
    BackendConfig config = config();
    Backend backend = Backend.start(config, query.limits(spec.commandLine()), query.threads());
    CountDownLatch stopped = new CountDownLatch(1);
    Runtime.getRuntime()
        .addShutdownHook(
            new Thread(
                () -> {
                  try {
                    backend.close();
                  } catch (Exception e) {
                    System.err.println("shutdown: " + e);
                  } finally {
                    stopped.countDown();
                  }
                },
                "ember-shutdown"));
    System.out.printf(
        "Ember backend listening: OTLP gRPC :%d, HTTP http://localhost:%d/ (data: %s)%n",
        backend.grpcPort(), backend.httpPort(), dataDir.toAbsolutePath());
    stopped.await();
    return 0;
  }

  /** Durations such as 1h, 30m, 90s. */
  static Duration parseDuration(String s) {
    String v = s.trim().toLowerCase(java.util.Locale.ROOT);
    try {
      if (v.endsWith("ms")) {
        return Duration.ofMillis(Long.parseLong(v.substring(0, v.length() - 2)));
      }
      long n = Long.parseLong(v.substring(0, v.length() - 1));
      return switch (v.charAt(v.length() - 1)) {
        case 's' -> Duration.ofSeconds(n);
        case 'm' -> Duration.ofMinutes(n);
        case 'h' -> Duration.ofHours(n);
        case 'd' -> Duration.ofDays(n);
        default -> throw new NumberFormatException();
      };
    } catch (NumberFormatException | StringIndexOutOfBoundsException e) {
      throw new CommandLine.ParameterException(
          new CommandLine(new BackendMain()), "invalid duration '" + s + "' (use e.g. 30m, 1h)");
    }
  }
}
