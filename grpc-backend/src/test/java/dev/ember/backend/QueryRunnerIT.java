package dev.ember.backend;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpServer;
import dev.ember.index.query.QueryContext;
import dev.ember.index.query.QueryLimits;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * How HTTP queries end: a client that hangs up cancels its query (seen through the heartbeat
 * writes), a query past its time limit answers 503 with the reason, a fast one answers normally.
 * Real server and sockets on loopback.
 */
class QueryRunnerIT {
  HttpServer server;
  final CountDownLatch cancelled = new CountDownLatch(1);

  int start(QueryLimits limits) throws Exception {
    server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 16);
    server.setExecutor(Executors.newVirtualThreadPerTaskExecutor());
    QueryRunner runner = new QueryRunner(limits);
    server.createContext(
        "/slow",
        ex -> {
          try {
            runner.json(
                ex,
                ctx -> {
                  // A query that only ends when it is cancelled or runs out of time.
                  long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
                  while (System.nanoTime() < end) {
                    if (ctx.isCancelled()) {
                      cancelled.countDown();
                    }
                    ctx.check();
                    sleep(20);
                  }
                  return "never";
                },
                (w, r) -> w.value(r));
          } catch (RuntimeException e) {
            HttpApi.sendError(ex, HttpApi.status(e), HttpApi.message(e), true);
          } finally {
            ex.close();
          }
        });
    server.createContext(
        "/fast",
        ex -> {
          runner.json(
              ex, ctx -> "done", (w, r) -> w.beginObject().name("answer").value(r).endObject());
          ex.close();
        });
    server.start();
    return server.getAddress().getPort();
  }

  static void sleep(long ms) {
    try {
      Thread.sleep(ms);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  @AfterEach
  void stop() {
    if (server != null) {
      server.stop(0);
    }
  }

  @Test
  void aClientThatHangsUpCancelsItsQuery() throws Exception {
    int port = start(QueryLimits.DEFAULTS);
    try (Socket s = new Socket("127.0.0.1", port)) {
      OutputStream out = s.getOutputStream();
      out.write("GET /slow HTTP/1.1\r\nHost: x\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
      out.flush();
      // Wait for the committed response (after about 3 s), then hang up.
      s.setSoTimeout(15_000);
      InputStream in = s.getInputStream();
      byte[] head = new byte[12];
      int n = in.readNBytes(head, 0, head.length);
      assertThat(new String(head, 0, n, StandardCharsets.US_ASCII)).startsWith("HTTP/1.1 200");
    }
    assertThat(cancelled.await(15, TimeUnit.SECONDS)).as("the query saw the cancellation").isTrue();
  }

  @Test
  void aQueryPastItsTimeLimitAnswers503() throws Exception {
    int port =
        start(
            new QueryLimits(
                QueryLimits.DEFAULT_MAX_RANGE,
                QueryLimits.DEFAULT_MAX_SERIES,
                QueryLimits.DEFAULT_MAX_TREE_NODES,
                Duration.ofMillis(300)));
    HttpResponse<String> r =
        HttpClient.newHttpClient()
            .send(
                HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/slow")).build(),
                HttpResponse.BodyHandlers.ofString());
    assertThat(r.statusCode()).isEqualTo(503);
    assertThat(r.body()).contains("ran longer than the limit of 300ms").contains("--query-timeout");
  }

  @Test
  void aFastQueryAnswersAtOnce() throws Exception {
    int port = start(QueryLimits.DEFAULTS);
    HttpResponse<String> r =
        HttpClient.newHttpClient()
            .send(
                HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/fast")).build(),
                HttpResponse.BodyHandlers.ofString());
    assertThat(r.statusCode()).isEqualTo(200);
    assertThat(r.body()).isEqualTo("{\"answer\":\"done\"}");
    assertThat(QueryContext.defaults().isCancelled()).isFalse();
  }
}
