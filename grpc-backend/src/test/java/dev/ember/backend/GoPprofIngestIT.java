package dev.ember.backend;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Real pprof from the Go runtime ({@code runtime/pprof}: a CPU and a heap profile, gzip'd as Go
 * writes them) pushed to {@code /ingest} as Pyroscope's Go users do. Skipped where {@code go} is
 * not installed (CI installs golang-go).
 */
class GoPprofIngestIT {
  static final String PROGRAM =
      """
      package main

      import (
      	"os"
      	"runtime/pprof"
      	"time"
      )

      var sink int

      func busy(d time.Duration) {
      	end := time.Now().Add(d)
      	for time.Now().Before(end) {
      		for i := 0; i < 1000; i++ {
      			sink += i * i
      		}
      	}
      }

      func main() {
      	f, _ := os.Create(os.Args[1])
      	pprof.StartCPUProfile(f)
      	busy(1500 * time.Millisecond)
      	pprof.StopCPUProfile()
      	f.Close()
      	buf := make([][]byte, 0)
      	for i := 0; i < 2000; i++ {
      		buf = append(buf, make([]byte, 4096))
      	}
      	sink += len(buf)
      	h, _ := os.Create(os.Args[2])
      	pprof.WriteHeapProfile(h)
      	h.Close()
      }
      """;

  @TempDir Path dir;

  static boolean goInstalled() {
    try {
      Process p = new ProcessBuilder("go", "version").redirectErrorStream(true).start();
      return p.waitFor(30, TimeUnit.SECONDS) && p.exitValue() == 0;
    } catch (Exception e) {
      return false;
    }
  }

  @Test
  void goRuntimeProfilesAreStoredWithPyroscopesTypeIds() throws Exception {
    assumeTrue(goInstalled(), "go is not installed");
    Path src = dir.resolve("main.go");
    Files.writeString(src, PROGRAM);
    Path cpu = dir.resolve("cpu.pprof");
    Path heap = dir.resolve("heap.pprof");
    ProcessBuilder pb =
        new ProcessBuilder("go", "run", src.toString(), cpu.toString(), heap.toString())
            .directory(dir.toFile())
            .redirectErrorStream(true);
    pb.environment().put("GOCACHE", dir.resolve("gocache").toString());
    pb.environment().put("GOPATH", dir.resolve("gopath").toString());
    pb.environment().put("HOME", dir.toString());
    pb.environment().put("GOFLAGS", "-mod=mod");
    pb.environment().put("GO111MODULE", "off");
    Process go = pb.start();
    String out = new String(go.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(go.waitFor(180, TimeUnit.SECONDS)).isTrue();
    assertThat(go.exitValue()).as(out).isZero();

    long now = Instant.now().getEpochSecond();
    try (TestBackend b = new TestBackend(BackendConfig.forTests(dir.resolve("data")))) {
      String q = "&from=" + (now - 10) + "&until=" + now;
      HttpResponse<byte[]> c =
          b.post(
              "/ingest?name=go-app%7Benv%3Dci%7D&format=pprof" + q, "go", Files.readAllBytes(cpu));
      assertThat(c.statusCode()).as(new String(c.body(), StandardCharsets.UTF_8)).isEqualTo(200);
      HttpResponse<byte[]> h = b.post("/ingest?name=go-app" + q, "go", Files.readAllBytes(heap));
      assertThat(h.statusCode()).as(new String(h.body(), StandardCharsets.UTF_8)).isEqualTo(200);

      long nanos = now * 1_000_000_000L;
      assertThat(
              b.backend
                  .store()
                  .profileTypes("go", nanos - 3_600_000_000_000L, nanos + 60_000_000_000L))
          .contains(
              "process_cpu:cpu:nanoseconds:cpu:nanoseconds",
              "memory:alloc_space:bytes:space:bytes",
              "memory:inuse_space:bytes:space:bytes",
              "memory:alloc_objects:count:space:bytes")
          .doesNotContain("process_cpu:samples:count:cpu:nanoseconds");
      String flame =
          b.render(
              "go",
              "process_cpu:cpu:nanoseconds:cpu:nanoseconds{service_name=\"go-app\",env=\"ci\"}");
      assertThat(flame).contains("\"main.busy\"").contains("\"main.main\"");
      assertThat(b.total("go", "process_cpu:cpu:nanoseconds:cpu:nanoseconds{}"))
          .isGreaterThan(100_000_000L); // well over 0.1 s of the 1.5 s busy loop
    }
  }
}
