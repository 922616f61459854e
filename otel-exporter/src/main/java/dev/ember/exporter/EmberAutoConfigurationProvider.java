package dev.ember.exporter;

import io.opentelemetry.sdk.autoconfigure.spi.AutoConfigurationCustomizer;
import io.opentelemetry.sdk.autoconfigure.spi.AutoConfigurationCustomizerProvider;
import io.opentelemetry.sdk.autoconfigure.spi.ConfigProperties;
import io.opentelemetry.sdk.resources.Resource;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Starts Ember profiling from OpenTelemetry autoconfigure when {@code otel.profiling.enabled=true}
 * (or {@code OTEL_PROFILING_ENABLED=true}). The same class serves the SDK on a plain classpath and
 * the Java agent, which loads autoconfigure providers from {@code -Dotel.javaagent.extensions}.
 *
 * <p>It registers the context-storage wrapper that links samples to spans as early as it runs, adds
 * {@link EmberSpanProcessor} to the tracer provider (local root span names) and stops profiling,
 * flushing the last window, when the SDK shuts down. Bad configuration fails start-up with a {@link
 * ConfigurationError} naming the key.
 */
public final class EmberAutoConfigurationProvider implements AutoConfigurationCustomizerProvider {
  private static final Logger logger =
      Logger.getLogger(EmberAutoConfigurationProvider.class.getName());

  private volatile Resource resource = Resource.empty();

  @Override
  public void customize(AutoConfigurationCustomizer customizer) {
    // As early as we run: OpenTelemetry accepts the wrapper only before its context storage is
    // first used. While profiling is off the wrapper costs two volatile reads per attach.
    EmberProfiler.installContextTracking();
    customizer.addResourceCustomizer(
        (r, config) -> {
          resource = r;
          return r;
        });
    customizer.addTracerProviderCustomizer(
        (builder, config) -> {
          EmberProfiler profiler = startIfEnabled(config);
          return profiler == null
              ? builder
              : builder.addSpanProcessor(profiler.closingSpanProcessor());
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
}
