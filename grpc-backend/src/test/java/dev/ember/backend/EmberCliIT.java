package dev.ember.backend;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.gson.JsonParser;
import dev.ember.backend.cli.EmberCli;
import dev.ember.index.query.FoldedStacks;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.zip.GZIPInputStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * The {@code ember} CLI against a real backend: tables for people, JSON, folded and pprof for
 * scripts, exit codes for errors, and the {@code scripts/ember} launcher running the CLI from the
 * packaged backend.jar.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class EmberCliIT {
  @TempDir static Path dir;
  Backend backend;
  String url;

  @BeforeAll
  void start() throws Exception {
    backend = Backend.start(BackendConfig.forTests(dir));
    QueryFixture.ingest(backend);
    url = "http://127.0.0.1:" + backend.httpPort();
  }

  @AfterAll
  void stop() throws Exception {
    backend.close();
  }

  record Run(int code, String out, byte[] bytes, String err) {}

  Run cli(String... args) {
    List<String> all = new ArrayList<>(List.of(args));
    all.add("--url=" + url);
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    int code =
        EmberCli.run(
            all.toArray(String[]::new),
            new PrintStream(out, true, StandardCharsets.UTF_8),
            new PrintStream(err, true, StandardCharsets.UTF_8));
    return new Run(
        code,
        out.toString(StandardCharsets.UTF_8),
        out.toByteArray(),
        err.toString(StandardCharsets.UTF_8));
  }

  static final String[] RANGE = {"--from", QueryFixture.FROM, "--until", QueryFixture.UNTIL};

  static String[] with(String[] head, String... tail) {
    List<String> out = new ArrayList<>(List.of(head));
    out.addAll(List.of(RANGE));
    out.addAll(List.of(tail));
    return out.toArray(String[]::new);
  }

  @Test
  void queryPrintsTheCallTree() {
    Run r = cli(with(new String[] {"query", "cpu{service_name=\"checkout\"}"}));
    assertThat(r.code()).as(r.err()).isZero();
    assertThat(r.out())
        .contains(QueryFixture.CPU)
        .contains("total 65 ns")
        .containsPattern("50 ns\\s+76\\.9%\\s+50 ns\\s+parse")
        .contains("      handle");
  }

  @Test
  void scriptsGetFoldedJsonAndPprof() throws Exception {
    Run folded = cli(with(new String[] {"query", "cpu{}"}, "-o", "folded"));
    assertThat(FoldedStacks.parse(folded.out()))
        .containsEntry("main;handle;parse", 50L)
        .containsEntry("main;search;parse", 7L);

    Run json = cli(with(new String[] {"top", "cpu{}"}, "--output", "json", "--limit", "1"));
    var rows = JsonParser.parseString(json.out()).getAsJsonObject().getAsJsonArray("rows");
    assertThat(rows.get(0).getAsJsonObject().get("name").getAsString()).isEqualTo("parse");

    Path file = dir.resolve("out.pb.gz");
    Run pprof = cli(with(new String[] {"query", "cpu{}"}, "-o", "pprof", "--out", file.toString()));
    assertThat(pprof.code()).as(pprof.err()).isZero();
    var profile =
        dev.ember.proto.pprof.PprofProfile.parseFrom(
            new GZIPInputStream(new ByteArrayInputStream(Files.readAllBytes(file))).readAllBytes());
    assertThat(profile.getSampleCount()).isEqualTo(4);

    Run stdout = cli(with(new String[] {"query", "cpu{}"}, "-o", "pprof"));
    assertThat(stdout.bytes()[0] & 0xff).isEqualTo(0x1f); // gzip magic on standard output
  }

  @Test
  void topDiffSeriesLabels() {
    Run top = cli(with(new String[] {"top", "cpu{}"}));
    assertThat(top.out()).containsPattern("57 ns\\s+79\\.17%\\s+57 ns\\s+79\\.17%\\s+parse");

    Run diff =
        cli(
            "diff",
            "cpu{}",
            "--from",
            QueryFixture.FROM,
            "--until",
            Long.toString((QueryFixture.T0 + QueryFixture.HOUR) / 1_000_000_000L),
            "--right-from",
            Long.toString((QueryFixture.T0 + QueryFixture.HOUR) / 1_000_000_000L),
            "--right-until",
            QueryFixture.UNTIL);
    assertThat(diff.code()).as(diff.err()).isZero();
    assertThat(diff.out())
        .containsPattern("71\\.15%\\s+100\\.00%\\s+\\+28\\.85 pp\\s+37 ns\\s+20 ns\\s+parse");

    Run series =
        cli(with(new String[] {"series", "cpu{}"}, "--step", "1h", "--group-by", "service_name"));
    assertThat(series.out())
        .contains("service_name=checkout")
        .contains("service_name=search")
        .containsPattern("2025-11-22T01:00:00Z\\s+20 ns\\s+-");

    assertThat(cli(with(new String[] {"labels"})).out()).isEqualTo("service_name\n");
    assertThat(cli(with(new String[] {"labels", "service_name"})).out())
        .isEqualTo("checkout\nsearch\n");
    assertThat(cli(with(new String[] {"labels", "__name__"})).out())
        .isEqualTo(QueryFixture.CPU + "\n");
  }

  @Test
  void profilesAndTraces() {
    Run list = cli(with(new String[] {"profiles", "list", "cpu{}"}, "--limit", "1"));
    assertThat(list.out())
        .contains("2025-11-22T01:01:00Z")
        .contains("service_name=checkout")
        .contains("more profiles exist");
    String id = list.out().lines().skip(1).findFirst().orElseThrow().split("\\s+")[1];
    Run get = cli(with(new String[] {"profiles", "get", id}));
    assertThat(get.out()).contains("profile " + id).contains("total     20 ns in 1 samples");

    Run trace = cli(with(new String[] {"trace", QueryFixture.TRACE}));
    assertThat(trace.code()).as(trace.err()).isZero();
    assertThat(trace.out())
        .containsPattern(
            QueryFixture.SPAN_A
                + "\\s+GET /cart\\s+checkout\\s+"
                + QueryFixture.CPU.replace(":", ":")
                + "\\s+30 ns")
        .contains("db");

    Run who = cli(with(new String[] {"contributors", "cpu{}", "--frame", "parse"}));
    assertThat(who.out())
        .contains("parse: 57 ns in total, 37 ns (64.91%) in samples linked to 2 spans");
  }

  @Test
  void errorsGoToStandardErrorWithAnExitCode() {
    Run bad = cli(with(new String[] {"query", "cpu{service_name=}"}));
    assertThat(bad.code()).isEqualTo(1);
    assertThat(bad.err())
        .contains("error: invalid 'query': parse error at column 17")
        .contains("expected a quoted string");

    Run format = cli(with(new String[] {"top", "cpu{}"}, "-o", "pprof"));
    assertThat(format.code()).isEqualTo(2);
    assertThat(format.err()).contains("--output pprof is not available here");

    List<String> args = new ArrayList<>(List.of("labels", "--url=http://127.0.0.1:1"));
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    int code =
        EmberCli.run(
            args.toArray(String[]::new),
            new PrintStream(new ByteArrayOutputStream()),
            new PrintStream(err, true, StandardCharsets.UTF_8));
    assertThat(code).isEqualTo(2);
    assertThat(err.toString(StandardCharsets.UTF_8))
        .contains("cannot reach the backend at http://127.0.0.1:1");
  }

  @Test
  void theLauncherScriptRunsTheCliFromBackendJar() throws Exception {
    Path script = Path.of("..", "scripts", "ember").toAbsolutePath().normalize();
    if (!Files.isRegularFile(Path.of("target", "backend.jar"))) {
      System.out.println("backend.jar not built in this run: skipping the launcher check");
      return;
    }
    ProcessBuilder pb =
        new ProcessBuilder(
                List.of(
                    "bash",
                    script.toString(),
                    "top",
                    "cpu{}",
                    "--from",
                    QueryFixture.FROM,
                    "--until",
                    QueryFixture.UNTIL,
                    "--limit",
                    "3"))
            .redirectErrorStream(true);
    pb.environment().put("EMBER_URL", url);
    Process p = pb.start();
    p.getOutputStream().close();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
    assertThat(p.exitValue()).as(out).isZero();
    assertThat(out).contains("parse").contains("3 functions".replace("3", "6"));
  }
}
