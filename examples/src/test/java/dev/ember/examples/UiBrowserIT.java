package dev.ember.examples;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.ember.backend.Backend;
import dev.ember.backend.BackendConfig;
import dev.ember.wire.ProfileRequests;
import io.grpc.ManagedChannel;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.opentelemetry.proto.collector.profiles.v1development.ProfilesServiceGrpc;
import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * The web page in a real headless Chromium against a real backend: the flame graph draws, the top
 * table ranks functions, a trace deep link shows only that span's samples, and bad input shows an
 * error. Skipped where Debian's chromium and chromium-driver are not installed (CI installs them).
 */
class UiBrowserIT {
  static final Path CHROMIUM = Path.of("/usr/bin/chromium");
  static final Path CHROMEDRIVER = Path.of("/usr/bin/chromedriver");
  static final String TRACE = "0af7651916cd43dd8448eb211c80319c";
  static final String SPAN = "b7ad6b7169203331";

  @TempDir static Path dir;
  static Backend backend;
  static ChromeDriver browser;

  @BeforeAll
  static void start() throws Exception {
    assumeTrue(
        Files.isExecutable(CHROMIUM) && Files.isExecutable(CHROMEDRIVER),
        "chromium and chromedriver are not installed");
    backend = Backend.start(BackendConfig.forTests(dir.resolve("data")));
    long now = Instant.now().getEpochSecond() * 1_000_000_000L;
    long minute = 60_000_000_000L;
    byte[] trace = java.util.HexFormat.of().parseHex(TRACE);
    byte[] span = java.util.HexFormat.of().parseHex(SPAN);
    var request =
        ProfileRequests.request()
            .service("ui-test")
            .cpuProfile(now - 30 * minute)
            .sample(70, "main", "alpha")
            .sample(30, "main", "beta")
            .cpuProfile(now - 10 * minute)
            .sample(30, "main", "alpha")
            .sample(50, "main", "beta")
            .sample(40, trace, span, Map.of("thread.name", "worker"), "main", "traced")
            .build();
    ManagedChannel channel =
        NettyChannelBuilder.forAddress("127.0.0.1", backend.grpcPort()).usePlaintext().build();
    try {
      ProfilesServiceGrpc.newBlockingStub(channel).export(request);
    } finally {
      channel.shutdownNow();
    }
    ChromeOptions options = new ChromeOptions();
    options.setBinary(CHROMIUM.toFile());
    options.addArguments(
        "--headless=new",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--window-size=1400,900",
        "--user-data-dir=" + dir.resolve("chrome"));
    ChromeDriverService service =
        new ChromeDriverService.Builder()
            .usingDriverExecutable(CHROMEDRIVER.toFile())
            .usingAnyFreePort()
            .build();
    browser = new ChromeDriver(service, options);
  }

  @AfterAll
  static void stop() throws Exception {
    if (browser != null) {
      browser.quit();
    }
    if (backend != null) {
      backend.close();
    }
  }

  String base() {
    return "http://127.0.0.1:" + backend.httpPort() + "/";
  }

  /** Opens a page and waits until the app has rendered {@code renders} results. */
  void open(String query) {
    browser.get(base() + query);
    waitForRenders(1);
  }

  void waitForRenders(int n) {
    new WebDriverWait(browser, Duration.ofSeconds(20))
        .until(
            d -> {
              String r = d.findElement(By.tagName("body")).getDomAttribute("data-renders");
              String status = d.findElement(By.id("status")).getText();
              return (r != null && Integer.parseInt(r) >= n) || status.contains("digits");
            });
  }

  List<String> tableNames() {
    return browser.findElements(By.cssSelector("#top-table tbody tr td:first-child")).stream()
        .map(WebElement::getText)
        .toList();
  }

  void screenshot(String name) throws Exception {
    File shot = browser.getScreenshotAs(OutputType.FILE);
    Path target = Path.of("target", "ui-" + name + ".png");
    Files.createDirectories(target.getParent());
    Files.copy(shot.toPath(), target, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
  }

  @Test
  void flameGraphAndTopTableShowTheMergedProfiles() throws Exception {
    open(
        "?from=now-1h&until=now&query="
            + java.net.URLEncoder.encode("{service_name=\"ui-test\"}", "UTF-8"));
    screenshot("single");
    assertThat(browser.findElement(By.id("status")).getText()).contains("total");
    long drawn =
        (Long) ((JavascriptExecutor) browser).executeScript("return window.emberUi.graph.drawn");
    assertThat(drawn).isGreaterThanOrEqualTo(5); // total, main, alpha, beta, traced
    long numTicks =
        (Long)
            ((JavascriptExecutor) browser)
                .executeScript("return window.emberUi.lastBody.flamebearer.numTicks");
    assertThat(numTicks).isEqualTo(220);
    // Sorted by self: alpha 100, beta 80, traced 40; main has no self time.
    assertThat(tableNames()).startsWith("alpha", "beta", "traced");
  }

  @Test
  void traceDeepLinkShowsOnlyThatSpansSamples() throws Exception {
    open("?traceId=" + TRACE + "&spanId=" + SPAN + "&from=now-1h&until=now");
    screenshot("trace");
    assertThat(browser.findElement(By.tagName("body")).getDomAttribute("data-mode"))
        .isEqualTo("trace");
    long numTicks =
        (Long)
            ((JavascriptExecutor) browser)
                .executeScript("return window.emberUi.lastBody.flamebearer.numTicks");
    assertThat(numTicks).isEqualTo(40);
    assertThat(tableNames()).containsExactlyInAnyOrder("traced", "main");
  }

  @Test
  void diffComparesSharesOfTwoWindows() throws Exception {
    // Baseline: the profile 30 minutes ago (alpha 70%); comparison: 10 minutes ago (alpha 25%).
    open(
        "?mode=diff&query="
            + java.net.URLEncoder.encode("{service_name=\"ui-test\"}", "UTF-8")
            + "&from=now-35m&until=now-25m&rightFrom=now-15m&rightUntil=now-5m");
    screenshot("diff");
    JavascriptExecutor js = (JavascriptExecutor) browser;
    assertThat(js.executeScript("return window.emberUi.lastBody.metadata.format"))
        .isEqualTo("double");
    assertThat((Long) js.executeScript("return window.emberUi.lastBody.leftTicks")).isEqualTo(100);
    assertThat((Long) js.executeScript("return window.emberUi.lastBody.rightTicks")).isEqualTo(120);
    // alpha's share fell from 70% to 25%: the graph colours it as shrinking (negative change).
    Double change =
        (Double)
            js.executeScript(
                "const g = window.emberUi.graph;"
                    + "const n = g.data.levels.flat().find(m => m.name === 'alpha');"
                    + "return g.shareChange(n);");
    assertThat(change).isCloseTo(0.25 - 0.70, org.assertj.core.data.Offset.offset(1e-9));
    assertThat(browser.findElement(By.id("status")).getText()).contains("diff");
  }

  @Test
  void badTraceIdShowsAnError() {
    browser.get(base() + "?traceId=xyz&from=now-1h");
    waitForRenders(0);
    new WebDriverWait(browser, Duration.ofSeconds(10))
        .until(d -> d.findElement(By.id("status")).getText().contains("32 hex digits"));
    assertThat(browser.findElement(By.id("status")).getDomAttribute("class")).isEqualTo("error");
  }
}
