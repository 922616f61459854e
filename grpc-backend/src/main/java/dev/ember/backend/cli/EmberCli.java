package dev.ember.backend.cli;

import java.io.OutputStream;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * {@code ember}: the command line for querying an Ember backend over its HTTP API. Readable tables
 * for people, {@code --output json|folded|pprof|svg} for scripts. Run it with {@code scripts/ember}
 * or {@code java -cp backend.jar dev.ember.backend.cli.EmberCli}.
 */
@Command(
    name = "ember",
    mixinStandardHelpOptions = true,
    version = "ember 0.1.0",
    description = {
      "Queries an Ember backend: flame graphs, top functions, diffs, series, labels,",
      "individual profiles and traces. Selectors are FlameQL, for example",
      "  'cpu{service_name=\"checkout\", region=~\"eu-.*\"}' or",
      "  'process_cpu:cpu:nanoseconds:cpu:nanoseconds{service_name!=\"test\"}'.",
      "Times: now-1h, 2026-11-21T14:30:00Z, YYYYMMDD, Unix seconds/ms/ns.",
      "Backend: --url or $EMBER_URL (default http://localhost:4040); tenant: --tenant or $EMBER_TENANT."
    },
    subcommands = {
      QueryCommand.class,
      TopCommand.class,
      DiffCommand.class,
      SeriesCommand.class,
      LabelsCommand.class,
      ProfilesCommand.class,
      TraceCommand.class,
      ContributorsCommand.class,
      CommandLine.HelpCommand.class
    })
public final class EmberCli implements Runnable {
  private static OutputStream binaryOut = System.out;

  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Override
  public void run() {
    spec.commandLine().usage(spec.commandLine().getOut());
  }

  public static void main(String[] args) {
    System.exit(run(args, System.out, System.err));
  }

  /** Runs the CLI with the given streams (tests capture them); returns the exit code. */
  public static int run(String[] args, PrintStream out, PrintStream err) {
    binaryOut = out;
    CommandLine cmd = new CommandLine(new EmberCli());
    cmd.setOut(new PrintWriter(out, true, StandardCharsets.UTF_8));
    cmd.setErr(new PrintWriter(err, true, StandardCharsets.UTF_8));
    return cmd.execute(args);
  }

  /** Where binary output (pprof, SVG) goes when no --out file is given. */
  static OutputStream binaryOut() {
    return binaryOut;
  }
}
