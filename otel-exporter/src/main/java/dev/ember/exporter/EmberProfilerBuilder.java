package dev.ember.exporter;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * Assembles an {@link EmberProfiler} by hand, for applications that build the OpenTelemetry SDK
 * themselves. Defaults match the autoconfigure keys documented in the module README.
 */
public final class EmberProfilerBuilder {
  private final Map<String, String> props = new LinkedHashMap<>();
  private final Map<String, String> resource = new LinkedHashMap<>();

  EmberProfilerBuilder() {}

  /** OTLP gRPC endpoint; default {@code http://localhost:4317}. */
  public EmberProfilerBuilder setEndpoint(String endpoint) {
    props.put(ProfilingConfig.ENDPOINT, Objects.requireNonNull(endpoint, "endpoint"));
    return this;
  }

  /** Length of one exported profile; default 10 s. */
  public EmberProfilerBuilder setExportInterval(Duration interval) {
    props.put(ProfilingConfig.EXPORT_INTERVAL, interval.toMillis() + "ms");
    return this;
  }

  /** CPU sampling interval; default 10 ms. */
  public EmberProfilerBuilder setCpuInterval(Duration interval) {
    props.put(ProfilingConfig.CPU_INTERVAL, interval.toMillis() + "ms");
    return this;
  }

  /** Adds a request header, e.g. {@code X-Scope-OrgID} for a tenant. */
  public EmberProfilerBuilder addHeader(String name, String value) {
    String current = props.get(ProfilingConfig.HEADERS);
    String pair =
        Objects.requireNonNull(name, "name") + "=" + Objects.requireNonNull(value, "value");
    props.put(ProfilingConfig.HEADERS, current == null ? pair : current + "," + pair);
    return this;
  }

  /** Resource attribute sent with every profile, e.g. {@code service.name}. */
  public EmberProfilerBuilder putResourceAttribute(String key, String value) {
    resource.put(Objects.requireNonNull(key, "key"), Objects.requireNonNull(value, "value"));
    return this;
  }

  /**
   * Starts profiling. Throws {@link ConfigurationError} for a bad setting; returns null when JFR is
   * unavailable in this JVM (logged once).
   */
  public EmberProfiler start() {
    ProfilingConfig config = ProfilingConfig.from(props::get);
    return EmberProfiler.start(config, resource);
  }
}
