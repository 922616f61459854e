package dev.ember.exporter;

import io.opentelemetry.sdk.resources.Resource;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * Assembles an {@link EmberProfiler} by hand, for applications that build the OpenTelemetry SDK
 * themselves. Every setting has the same default and the same validation as its autoconfigure key
 * (see the module README); {@link #setProperty} sets any key by name.
 */
public final class EmberProfilerBuilder {
  private final Map<String, String> props = new LinkedHashMap<>();
  private final Map<String, String> resource = new LinkedHashMap<>();

  EmberProfilerBuilder() {}

  /** Sets any configuration key of the module README, e.g. {@code otel.profiling.alloc.rate}. */
  public EmberProfilerBuilder setProperty(String key, String value) {
    props.put(Objects.requireNonNull(key, "key"), Objects.requireNonNull(value, "value"));
    return this;
  }

  /** OTLP gRPC endpoint; default {@code http://localhost:4317}. */
  public EmberProfilerBuilder setEndpoint(String endpoint) {
    return setProperty(ProfilingConfig.ENDPOINT, endpoint);
  }

  /** Length of one exported profile; default 10 s. */
  public EmberProfilerBuilder setExportInterval(Duration interval) {
    return setProperty(ProfilingConfig.EXPORT_INTERVAL, interval.toMillis() + "ms");
  }

  /** CPU sampling interval; default 10 ms. */
  public EmberProfilerBuilder setCpuInterval(Duration interval) {
    return setProperty(ProfilingConfig.CPU_INTERVAL, interval.toMillis() + "ms");
  }

  /** Profile types among {@code cpu, alloc, mutex, block}; default all four. */
  public EmberProfilerBuilder setTypes(Set<String> types) {
    return setProperty(ProfilingConfig.TYPES, types.stream().collect(Collectors.joining(",")));
  }

  /** Adds a request header, e.g. {@code X-Scope-OrgID} for a tenant. */
  public EmberProfilerBuilder addHeader(String name, String value) {
    String current = props.get(ProfilingConfig.HEADERS);
    String pair =
        Objects.requireNonNull(name, "name") + "=" + Objects.requireNonNull(value, "value");
    return setProperty(ProfilingConfig.HEADERS, current == null ? pair : current + "," + pair);
  }

  /** Resource attribute sent with every profile, e.g. {@code service.name}. */
  public EmberProfilerBuilder putResourceAttribute(String key, String value) {
    resource.put(Objects.requireNonNull(key, "key"), Objects.requireNonNull(value, "value"));
    return this;
  }

  /** All attributes of an OpenTelemetry SDK resource, as plain strings. */
  public EmberProfilerBuilder setResource(Resource r) {
    r.getAttributes().forEach((k, v) -> resource.put(k.getKey(), String.valueOf(v)));
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
