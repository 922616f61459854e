package dev.ember.backend;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import dev.ember.index.query.FoldedStacks;
import java.io.ByteArrayInputStream;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.zip.GZIPInputStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * The HTTP query API against a real backend on loopback: every {@code /api/v1/} endpoint, the
 * exports (pprof read back, and by the real {@code go tool pprof} where Go is installed), the
 * Pyroscope-compatible endpoints, and the errors a client gets for bad requests.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class QueryApiIT {
  static final String CPU = QueryFixture.CPU;
  static final long HOUR = QueryFixture.HOUR;
  static final long T0 = QueryFixture.T0;
  static final String TRACE = QueryFixture.TRACE;
  static final String SPAN_A = QueryFixture.SPAN_A;
  static final String SPAN_B = QueryFixture.SPAN_B;

  @TempDir static Path dir;
  Backend backend;
  final HttpClient http = HttpClient.newHttpClient();
  String profileId;

  @BeforeAll
  void start() throws Exception {
    backend = Backend.start(BackendConfig.forTests(dir));
    QueryFixture.ingest(backend);
  }

  @AfterAll
  void stop() throws Exception {
    backend.close();
  }

  HttpResponse<byte[]> get(String pathAndQuery) throws Exception {
    return http.send(
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + backend.httpPort() + pathAndQuery))
            .build(),
        HttpResponse.BodyHandlers.ofByteArray());
  }

  JsonObject json(String pathAndQuery) throws Exception {
    HttpResponse<byte[]> r = get(pathAndQuery);
    String body = new String(r.body(), StandardCharsets.UTF_8);
    assertThat(r.statusCode()).as(body).isEqualTo(200);
    return JsonParser.parseString(body).getAsJsonObject();
  }

  static String q(String s) {
    return URLEncoder.encode(s, StandardCharsets.UTF_8);
  }

  static final String RANGE =
      "&from=" + T0 / 1_000_000_000L + "&until=" + (T0 + 2 * HOUR) / 1_000_000_000L;

  @Test
  void mergeAnswersFlamebearerAndExports() throws Exception {
    JsonObject m = json("/api/v1/merge?query=" + q(CPU + "{service_name=\"checkout\"}") + RANGE);
    assertThat(m.get("profileType").getAsString()).isEqualTo(CPU);
    assertThat(m.get("total").getAsLong()).isEqualTo(65);
    assertThat(m.get("approximate").getAsBoolean()).isFalse();
    assertThat(m.getAsJsonObject("flamebearer").get("numTicks").getAsLong()).isEqualTo(65);
    assertThat(m.getAsJsonObject("stats").get("partitions").getAsLong()).isEqualTo(2);

    String folded =
        new String(
            get("/api/v1/merge?format=folded&query=" + q("cpu{service_name=\"checkout\"}") + RANGE)
                .body(),
            StandardCharsets.UTF_8);
    assertThat(FoldedStacks.parse(folded))
        .containsExactlyInAnyOrderEntriesOf(
            Map.of("main;handle;parse", 50L, "main;handle;db", 10L, "main;gc", 5L));

    HttpResponse<byte[]> pprof = get("/api/v1/merge?format=pprof&query=" + q(CPU + "{}") + RANGE);
    assertThat(pprof.statusCode()).isEqualTo(200);
    var profile =
        dev.ember.proto.pprof.PprofProfile.parseFrom(
            new GZIPInputStream(new ByteArrayInputStream(pprof.body())).readAllBytes());
    long sum = profile.getSampleList().stream().mapToLong(s -> s.getValue(0)).sum();
    assertThat(sum).isEqualTo(72);
    assertThat(profile.getStringTable((int) profile.getSampleType(0).getTypeStr()))
        .isEqualTo("cpu");
    goToolPprofReads(pprof.body());

    HttpResponse<byte[]> svg = get("/api/v1/merge?format=svg&query=" + q(CPU + "{}") + RANGE);
    String image = new String(svg.body(), StandardCharsets.UTF_8);
    assertThat(svg.headers().firstValue("Content-Type")).hasValue("image/svg+xml");
    assertThat(image)
        .startsWith("<svg")
        .contains("<title>main")
        .contains("parse")
        .endsWith("</svg>\n");
  }

  /** The real {@code go tool pprof -top} must read our export; skipped where Go is absent. */
  void goToolPprofReads(byte[] gz) throws Exception {
    if (!goInstalled()) {
      System.out.println("go not installed: skipping the go tool pprof check");
      return;
    }
    Path file = dir.resolve("merged.pb.gz");
    Files.write(file, gz);
    Process p =
        new ProcessBuilder("go", "tool", "pprof", "-top", "-nodecount=20", file.toString())
            .redirectErrorStream(true)
            .start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
    assertThat(p.exitValue()).as(out).isZero();
    // 72 ns in total; parse is the hottest self frame (57 ns).
    assertThat(out).contains("Type: cpu").contains("parse").contains("72ns total");
  }

  static boolean goInstalled() {
    try {
      Process p = new ProcessBuilder("go", "version").redirectErrorStream(true).start();
      p.getInputStream().readAllBytes();
      return p.waitFor(30, TimeUnit.SECONDS) && p.exitValue() == 0;
    } catch (Exception e) {
      return false;
    }
  }

  @Test
  void topDiffAndSeries() throws Exception {
    JsonObject top = json("/api/v1/top?sort=self&limit=2&query=" + q("cpu{}") + RANGE);
    JsonArray rows = top.getAsJsonArray("rows");
    assertThat(rows).hasSize(2);
    assertThat(rows.get(0).getAsJsonObject().get("name").getAsString()).isEqualTo("parse");
    assertThat(rows.get(0).getAsJsonObject().get("self").getAsLong()).isEqualTo(57);
    assertThat(top.get("functions").getAsInt()).isEqualTo(6);

    JsonObject diff =
        json(
            "/api/v1/diff?query="
                + q("cpu{}")
                + "&leftFrom="
                + T0 / 1_000_000_000L
                + "&leftUntil="
                + (T0 + HOUR) / 1_000_000_000L
                + "&rightFrom="
                + (T0 + HOUR) / 1_000_000_000L
                + "&rightUntil="
                + (T0 + 2 * HOUR) / 1_000_000_000L);
    assertThat(diff.getAsJsonObject("left").get("total").getAsLong()).isEqualTo(52);
    assertThat(diff.getAsJsonObject("right").get("total").getAsLong()).isEqualTo(20);
    JsonObject fb = diff.getAsJsonObject("flamebearer");
    assertThat(fb.get("leftTicks").getAsLong()).isEqualTo(52);
    assertThat(fb.get("rightTicks").getAsLong()).isEqualTo(20);
    JsonObject parse = byName(diff.getAsJsonArray("functions"), "parse");
    assertThat(parse.get("leftTotal").getAsLong()).isEqualTo(37);
    assertThat(parse.get("rightTotal").getAsLong()).isEqualTo(20);
    assertThat(parse.get("change").getAsDouble())
        .isCloseTo(1.0 - 37.0 / 52, org.assertj.core.data.Offset.offset(1e-9));

    JsonObject series =
        json("/api/v1/series?step=1h&groupBy=service_name&query=" + q("cpu{}") + RANGE);
    JsonArray all = series.getAsJsonArray("series");
    assertThat(all).hasSize(2);
    JsonObject checkout = all.get(0).getAsJsonObject();
    assertThat(checkout.getAsJsonObject("labels").get("service_name").getAsString())
        .isEqualTo("checkout");
    assertThat(checkout.getAsJsonArray("points").toString())
        .isEqualTo("[[" + T0 / 1_000_000 + ",45,1],[" + (T0 + HOUR) / 1_000_000 + ",20,1]]");
  }

  static JsonObject byName(JsonArray rows, String name) {
    for (var r : rows) {
      if (r.getAsJsonObject().get("name").getAsString().equals(name)) {
        return r.getAsJsonObject();
      }
    }
    throw new AssertionError(name + " not in " + rows);
  }

  @Test
  void labelsTypesAndProfiles() throws Exception {
    assertThat(json("/api/v1/labels?" + RANGE.substring(1)).getAsJsonArray("names").toString())
        .isEqualTo("[\"service_name\"]");
    assertThat(
            json("/api/v1/labels/service_name/values?" + RANGE.substring(1))
                .getAsJsonArray("values")
                .toString())
        .isEqualTo("[\"checkout\",\"search\"]");
    assertThat(
            json("/api/v1/labels/span_name/values?" + RANGE.substring(1))
                .getAsJsonArray("values")
                .toString())
        .isEqualTo("[\"GET /cart\"]");
    JsonObject types = json("/api/v1/profile-types?" + RANGE.substring(1));
    assertThat(
            types.getAsJsonArray("profileTypes").get(0).getAsJsonObject().get("id").getAsString())
        .isEqualTo(CPU);

    JsonObject list = json("/api/v1/profiles?limit=2&query=" + q("cpu{}") + RANGE);
    JsonArray profiles = list.getAsJsonArray("profiles");
    assertThat(profiles).hasSize(2);
    JsonObject newest = profiles.get(0).getAsJsonObject();
    assertThat(newest.get("total").getAsLong()).isEqualTo(20);
    assertThat(newest.get("timeUnixMs").getAsLong())
        .isEqualTo((T0 + HOUR + 60_000_000_000L) / 1_000_000);
    assertThat(list.get("more").getAsBoolean()).isTrue();
    profileId = newest.get("id").getAsString();

    JsonObject one = json("/api/v1/profiles/" + profileId + "?" + RANGE.substring(1));
    assertThat(one.get("total").getAsLong()).isEqualTo(20);
    assertThat(one.getAsJsonObject("labels").get("service_name").getAsString())
        .isEqualTo("checkout");
    String folded =
        new String(
            get("/api/v1/profiles/" + profileId + "?format=folded" + RANGE).body(),
            StandardCharsets.UTF_8);
    assertThat(folded).isEqualTo("main;handle;parse 20\n");
    assertThat(get("/api/v1/profiles/" + "0".repeat(32) + "?" + RANGE.substring(1)).statusCode())
        .isEqualTo(404);
  }

  @Test
  void tracesAndContributors() throws Exception {
    JsonObject t = json("/api/v1/traces/" + TRACE + "?" + RANGE.substring(1));
    assertThat(t.get("total").getAsLong()).isEqualTo(47);
    assertThat(t.get("profileType").getAsString()).isEqualTo(CPU);
    JsonArray spans = t.getAsJsonArray("spans");
    assertThat(spans).hasSize(3); // span A in checkout and in search, span B in checkout
    JsonObject first = spans.get(0).getAsJsonObject();
    assertThat(first.get("spanId").getAsString()).isEqualTo(SPAN_A);
    assertThat(first.get("service").getAsString()).isEqualTo("checkout");
    assertThat(first.get("spanName").getAsString()).isEqualTo("GET /cart");
    assertThat(first.get("total").getAsLong()).isEqualTo(30);

    JsonObject one = json("/api/v1/traces/" + TRACE + "?spanId=" + SPAN_B + RANGE);
    assertThat(one.get("total").getAsLong()).isEqualTo(10);

    JsonObject c = json("/api/v1/contributors?frame=parse&query=" + q("cpu{}") + RANGE);
    assertThat(c.get("frameTotal").getAsLong()).isEqualTo(57);
    assertThat(c.get("linkedTotal").getAsLong()).isEqualTo(37);
    JsonObject top = c.getAsJsonArray("spans").get(0).getAsJsonObject();
    assertThat(top.get("spanId").getAsString()).isEqualTo(SPAN_A);
    assertThat(top.get("total").getAsLong()).isEqualTo(30);
  }

  @Test
  void pyroscopeRenderHasATimelineAndRenderDiffIsDouble() throws Exception {
    JsonObject r =
        json("/pyroscope/render?query=" + q(CPU + "{service_name=\"checkout\"}") + RANGE);
    assertThat(r.getAsJsonObject("flamebearer").get("numTicks").getAsLong()).isEqualTo(65);
    assertThat(r.getAsJsonObject("metadata").get("format").getAsString()).isEqualTo("single");
    JsonObject timeline = r.getAsJsonObject("timeline");
    assertThat(timeline.get("startTime").getAsLong()).isEqualTo(T0 / 1_000_000_000L);
    long step = timeline.get("durationDelta").getAsLong();
    JsonArray samples = timeline.getAsJsonArray("samples");
    assertThat(samples).hasSize((int) (2 * 3600 / step));
    long sum = 0;
    for (var s : samples) {
      sum += s.getAsLong();
    }
    assertThat(sum).isEqualTo(65);

    JsonObject grouped =
        json("/pyroscope/render?groupBy=service_name&query=" + q(CPU + "{}") + RANGE);
    assertThat(grouped.getAsJsonObject("groups").keySet()).containsExactly("checkout", "search");

    JsonObject d =
        json(
            "/pyroscope/render-diff?leftQuery="
                + q(CPU + "{service_name=\"checkout\"}")
                + "&rightQuery="
                + q(CPU + "{service_name=\"search\"}")
                + "&leftFrom="
                + T0 / 1_000_000_000L
                + "&leftUntil="
                + (T0 + 2 * HOUR) / 1_000_000_000L
                + "&rightFrom="
                + T0 / 1_000_000_000L
                + "&rightUntil="
                + (T0 + 2 * HOUR) / 1_000_000_000L);
    assertThat(d.getAsJsonObject("metadata").get("format").getAsString()).isEqualTo("double");
    assertThat(d.get("leftTicks").getAsLong()).isEqualTo(65);
    assertThat(d.get("rightTicks").getAsLong()).isEqualTo(7);
    assertThat(d.getAsJsonObject("flamebearer").getAsJsonArray("levels").get(0).getAsJsonArray())
        .hasSize(7);

    HttpResponse<byte[]> values =
        get("/pyroscope/label-values?label=__name__&" + RANGE.substring(1));
    assertThat(new String(values.body(), StandardCharsets.UTF_8)).isEqualTo("[\"" + CPU + "\"]");
  }

  @Test
  void badRequestsSayWhatIsWrong() throws Exception {
    HttpResponse<byte[]> r = get("/api/v1/merge?query=" + q("cpu{service_name=~\"(\"}") + RANGE);
    String body = new String(r.body(), StandardCharsets.UTF_8);
    assertThat(r.statusCode()).isEqualTo(400);
    assertThat(body)
        .startsWith("{\"error\":")
        .contains("invalid regular expression")
        .contains("column");

    r = get("/api/v1/merge?query=" + q("cpu{service_name=\"x\"") + RANGE);
    assertThat(new String(r.body(), StandardCharsets.UTF_8))
        .contains("expected '}'")
        .contains("column 20");

    r = get("/api/v1/merge?query=cpu&from=yesterday");
    assertThat(r.statusCode()).isEqualTo(400);
    assertThat(new String(r.body(), StandardCharsets.UTF_8)).contains("invalid 'from'");

    r = get("/api/v1/merge?query=cpu&from=now-90d");
    assertThat(new String(r.body(), StandardCharsets.UTF_8))
        .contains("exceeds the limit of 30d")
        .contains("--query-max-range");

    r = get("/api/v1/merge?query=alloc_space" + RANGE);
    assertThat(r.statusCode()).isEqualTo(400);
    assertThat(new String(r.body(), StandardCharsets.UTF_8))
        .contains("unknown profile type 'alloc_space'")
        .contains(CPU);

    r = get("/api/v1/series?step=1ms&query=cpu" + RANGE);
    assertThat(new String(r.body(), StandardCharsets.UTF_8))
        .contains("points, more than the limit");

    r = get("/api/v1/nothing");
    assertThat(r.statusCode()).isEqualTo(404);
    r = get("/api/v1/traces/xyz?" + RANGE.substring(1));
    assertThat(new String(r.body(), StandardCharsets.UTF_8))
        .contains("a trace id is 32 hex digits");

    // Pyroscope's endpoints answer plain text, as Pyroscope does.
    r = get("/pyroscope/render?query=" + q("cpu{") + RANGE);
    assertThat(r.statusCode()).isEqualTo(400);
    assertThat(r.headers().firstValue("Content-Type")).hasValue("text/plain; charset=utf-8");
  }

  @Test
  void tenantsAreSeparate() throws Exception {
    HttpResponse<byte[]> r =
        http.send(
            HttpRequest.newBuilder(
                    URI.create(
                        "http://127.0.0.1:"
                            + backend.httpPort()
                            + "/api/v1/merge?query="
                            + q("process_cpu:cpu:nanoseconds:cpu:nanoseconds{}")
                            + RANGE))
                .header("X-Scope-OrgID", "someone-else")
                .build(),
            HttpResponse.BodyHandlers.ofByteArray());
    assertThat(
            JsonParser.parseString(new String(r.body(), StandardCharsets.UTF_8))
                .getAsJsonObject()
                .get("total")
                .getAsLong())
        .isZero();
    assertThat(List.of()).isEmpty();
  }
}
