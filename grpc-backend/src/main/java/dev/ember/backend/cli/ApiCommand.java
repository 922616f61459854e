package dev.ember.backend.cli;

import com.google.gson.GsonBuilder;
import com.google.gson.JsonObject;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * What every CLI command shares: the backend connection, the {@code --output} format, where binary
 * output goes, and the mapping of failures to exit codes (1: the backend refused the query, 2: the
 * backend could not be reached or the command line is wrong).
 */
abstract class ApiCommand implements Callable<Integer> {
  @Mixin Common common;

  @Spec CommandLine.Model.CommandSpec spec;

  @Option(
      names = {"-o", "--output"},
      description =
          "table (default, for people), json, and where the command offers them folded, pprof,"
              + " svg (for scripts).",
      defaultValue = "table")
  String output;

  @Option(
      names = "--out",
      description = "Write the output to this file instead of standard output.")
  Path outFile;

  static final String[] TABLE_FORMATS = {"table", "json"};

  /** What commands answering a call tree offer: the table, and the merge API's exports. */
  static final String[] TREE_FORMATS = {"table", "json", "folded", "pprof", "svg"};

  /** The output formats this command offers; the first is the default. */
  String[] formats() {
    return TABLE_FORMATS;
  }

  abstract void run(ApiClient api, String format) throws ApiClient.ApiException, IOException;

  @Override
  public Integer call() throws IOException {
    String format = output.toLowerCase(Locale.ROOT);
    if (!java.util.List.of(formats()).contains(format)) {
      throw new CommandLine.ParameterException(
          spec.commandLine(),
          "--output "
              + output
              + " is not available here; choose one of "
              + String.join(", ", formats()));
    }
    try {
      run(common.client(), format);
      return 0;
    } catch (ApiClient.ApiException e) {
      PrintWriter err = spec.commandLine().getErr();
      err.println("error: " + e.getMessage());
      err.flush();
      return e.status == 0 ? 2 : 1;
    }
  }

  PrintWriter out() {
    return spec.commandLine().getOut();
  }

  /** Prints JSON for scripts, indented. */
  void printJson(JsonObject json) throws IOException {
    String text = new GsonBuilder().setPrettyPrinting().disableHtmlEscaping().create().toJson(json);
    writeText(text + "\n");
  }

  void writeText(String text) throws IOException {
    if (outFile != null) {
      Files.writeString(outFile, text);
    } else {
      out().print(text);
      out().flush();
    }
  }

  /** Writes raw bytes (pprof, SVG, folded) to --out or standard output. */
  void writeBytes(byte[] bytes) throws IOException {
    if (outFile != null) {
      Files.write(outFile, bytes);
      spec.commandLine().getErr().println("wrote " + bytes.length + " bytes to " + outFile);
      spec.commandLine().getErr().flush();
      return;
    }
    OutputStream os = EmberCli.binaryOut();
    os.write(bytes);
    os.flush();
  }

  /** Fetches an export format (pprof, folded, svg) of an endpoint and writes it out. */
  void export(ApiClient api, String path, Map<String, String> params, String format)
      throws ApiClient.ApiException, IOException {
    params.put("format", format);
    writeBytes(api.getBytes(path, params));
  }
}
