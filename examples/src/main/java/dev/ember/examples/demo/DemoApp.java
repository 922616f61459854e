package dev.ember.examples.demo;

import dev.ember.examples.bench.Workload;
import io.opentelemetry.sdk.autoconfigure.AutoConfiguredOpenTelemetrySdk;
import java.util.Map;

/**
 * A small OpenTelemetry-instrumented service to profile: the service-shaped {@link Workload}
 * (handlers inside server spans doing CPU work, allocation, a contended lock and a child span that
 * waits) on the OTel SDK, with the Ember exporter registered by the autoconfigure SPI. This class
 * only sets defaults: service name {@code ember-demo}, no trace/metric/log exporters, profiling on.
 *
 * <p>{@code java -jar examples/target/demo-app.jar [seconds]} runs until killed, or for the given
 * number of seconds; {@code -Dember.demo.rate=N} sets requests per second (default 50). Any {@code
 * otel.*} setting can be overridden with {@code -D} or environment variables, e.g. {@code
 * -Dotel.exporter.otlp.profiles.endpoint=http://localhost:4317}.
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
    int seconds = args.length > 0 ? Integer.parseInt(args[0]) : Integer.MAX_VALUE;
    int rate = Integer.getInteger("ember.demo.rate", 50);
    // Autoconfigure closes the SDK at JVM exit (also on Ctrl-C), which flushes the last window.
    AutoConfiguredOpenTelemetrySdk.builder()
        .addPropertiesSupplier(() -> DEFAULTS)
        .setResultAsGlobal()
        .build();
    System.out.println(
        "ember-demo: handling requests ("
            + rate
            + "/s); profiles go to the OTLP profiles endpoint");
    Workload.run(seconds, 0, rate);
  }
}
