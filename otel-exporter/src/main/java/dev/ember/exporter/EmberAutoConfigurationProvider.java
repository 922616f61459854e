package dev.ember.exporter;

import io.opentelemetry.sdk.autoconfigure.spi.AutoConfigurationCustomizer;
import io.opentelemetry.sdk.autoconfigure.spi.AutoConfigurationCustomizerProvider;
import io.opentelemetry.sdk.autoconfigure.spi.ConfigProperties;
import io.opentelemetry.sdk.common.CompletableResultCode;
import io.opentelemetry.sdk.resources.Resource;
import io.opentelemetry.sdk.trace.ReadWriteSpan;
import io.opentelemetry.sdk.trace.ReadableSpan;
import io.opentelemetry.sdk.trace.SpanProcessor;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Starts Ember profiling from OpenTelemetry autoconfigure when {@code otel.profiling.enabled=true}
 * (or {@code OTEL_PROFILING_ENABLED=true}). The same class serves the SDK on a plain classpath and
 * the Java agent, which loads autoconfigure providers from {@code -Dotel.javaagent.extensions}.
 * Profiling stops when the SDK shuts down.
 */
public final class EmberAutoConfigurationProvider implements AutoConfigurationCustomizerProvider {
  private static final Logger logger =
      Logger.getLogger(EmberAutoConfigurationProvider.class.getName());

  private volatile Resource resource = Resource.empty();

  @Override
  public void customize(AutoConfigurationCustomizer customizer) {
    customizer.addResourceCustomizer(
        (r, config) -> {
          resource = r;
          return r;
        });
    customizer.addTracerProviderCustomizer(
        (builder, config) -> {
          EmberProfiler profiler = startIfEnabled(config);
          return profiler == null ? builder : builder.addSpanProcessor(new Closer(profiler));
        });
  }

  private EmberProfiler startIfEnabled(ConfigProperties config) {
    if (!ProfilingConfig.enabled(config::getString)) {
      logger.log(Level.FINE, "Ember profiling disabled ({0}=false)", ProfilingConfig.ENABLED);
      return null;
    }
    ProfilingConfig pc = ProfilingConfig.from(config::getString);
    Map<String, String> attributes = new LinkedHashMap<>();
    resource.getAttributes().forEach((k, v) -> attributes.put(k.getKey(), String.valueOf(v)));
    return EmberProfiler.start(pc, attributes);
  }

  /** Ties the profiler's lifetime to the tracer provider's: SDK shutdown flushes profiles. */
  private static final class Closer implements SpanProcessor {
    private final EmberProfiler profiler;

    Closer(EmberProfiler profiler) {
      this.profiler = profiler;
    }

    @Override
    public void onStart(io.opentelemetry.context.Context parentContext, ReadWriteSpan span) {}

    @Override
    public boolean isStartRequired() {
      return false;
    }

    @Override
    public void onEnd(ReadableSpan span) {}

    @Override
    public boolean isEndRequired() {
      return false;
    }

    @Override
    public CompletableResultCode shutdown() {
      profiler.close();
      return CompletableResultCode.ofSuccess();
    }
  }
}
