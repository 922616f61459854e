package dev.ember.backend;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpHandler;
import java.io.IOException;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;

/** {@code GET /metrics}: the backend's self-metrics in the Prometheus text format. */
final class MetricsHandler implements HttpHandler {
  static final String PATH = "/metrics";

  private final Metrics metrics;

  MetricsHandler(Metrics metrics) {
    this.metrics = metrics;
  }

  @Override
  public void handle(HttpExchange ex) throws IOException {
    try {
      if (!ex.getRequestMethod().equals("GET")) {
        HttpIngest.sendText(ex, 405, "method " + ex.getRequestMethod() + " not allowed; use GET");
        return;
      }
      StringWriter text = new StringWriter();
      metrics.write(text);
      HttpIngest.send(
          ex,
          200,
          "text/plain; version=0.0.4; charset=utf-8",
          text.toString().getBytes(StandardCharsets.UTF_8));
    } finally {
      ex.close();
    }
  }
}
