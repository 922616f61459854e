package dev.ember.examples.demo;

import io.opentelemetry.api.OpenTelemetry;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.Tracer;
import io.opentelemetry.context.Scope;
import io.opentelemetry.sdk.OpenTelemetrySdk;
import io.opentelemetry.sdk.autoconfigure.AutoConfiguredOpenTelemetrySdk;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

/**
 * A small OpenTelemetry-instrumented service that keeps a few threads busy handling "requests"
 * inside spans, so that Ember has something to profile. The Ember exporter is registered by the
 * OTel SDK autoconfigure SPI; this class only enables it by default.
 *
 * <p>{@code java -jar examples/target/demo-app.jar [seconds]} runs until killed, or for the given
 * number of seconds. Any {@code otel.*} setting can be overridden with {@code -D} or environment
 * variables, e.g. {@code -Dotel.exporter.otlp.profiles.endpoint=http://localhost:4317}.
 */
public final class DemoApp {
  private DemoApp() {}

  static final Map<String, String> DEFAULTS =
      Map.of(
          "otel.service.name", "ember-demo",
          "otel.traces.exporter", "none",
          "otel.metrics.exporter", "none",
          "otel.logs.exporter", "none",
          "otel.profiling.enabled", "true");

  public static void main(String[] args) throws Exception {
    long seconds = args.length > 0 ? Long.parseLong(args[0]) : Long.MAX_VALUE;
    OpenTelemetrySdk sdk =
        AutoConfiguredOpenTelemetrySdk.builder()
            .addPropertiesSupplier(() -> DEFAULTS)
            .build()
            .getOpenTelemetrySdk();
    // Closing the SDK (also on Ctrl-C) flushes the last profile window.
    Runtime.getRuntime().addShutdownHook(new Thread(sdk::close, "demo-shutdown"));
    run(sdk, seconds);
  }

  static void run(OpenTelemetry otel, long seconds) throws InterruptedException {
    Tracer tracer = otel.getTracer("ember-demo");
    ExecutorService workers =
        Executors.newFixedThreadPool(
            2,
            r -> {
              Thread t = new Thread(r);
              t.setDaemon(true);
              t.setName("demo-worker-" + t.getId());
              return t;
            });
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(Math.min(seconds, 1L << 30));
    System.out.println("ember-demo: handling requests; profiles go to the OTLP profiles endpoint");
    while (System.nanoTime() < deadline) {
      workers.submit(() -> handle(tracer, "GET /orders", () -> Orders.priceAll(40_000)));
      workers.submit(() -> handle(tracer, "GET /search", () -> Search.scan(30_000)));
      Thread.sleep(20);
    }
    workers.shutdown();
    workers.awaitTermination(5, TimeUnit.SECONDS);
  }

  private static void handle(Tracer tracer, String endpoint, Runnable work) {
    Span span = tracer.spanBuilder(endpoint).startSpan();
    try (Scope ignored = span.makeCurrent()) {
      work.run();
    } finally {
      span.end();
    }
  }
}
