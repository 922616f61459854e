package dev.ember.backend;

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
      names = "--max-message-size",
      description =
          "Largest accepted request in MiB, after decompression (default: ${DEFAULT-VALUE}).",
      defaultValue = "64")
  int maxMessageMiB;

  @Option(
      names = "--require-tenant",
      description = "Reject requests without X-Scope-OrgID instead of using tenant 'anonymous'.")
  boolean requireTenant;

  @CommandLine.Mixin QueryOptions query = new QueryOptions();

  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  public static void main(String[] args) {
    System.exit(new CommandLine(new BackendMain()).execute(args));
  }

  @Override
  public Integer call() throws Exception {
    BackendConfig config =
        new BackendConfig(
            dataDir,
            bind,
            grpcPort,
            httpPort,
            parseDuration(partition),
            maxMessageMiB << 20,
            requireTenant);
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
