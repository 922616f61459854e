package dev.ember.exporter;

import io.opentelemetry.proto.collector.profiles.v1development.ExportProfilesServiceRequest;
import java.util.Map;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Continuous JFR profiling inside this JVM, exported as OTLP profiles. Start one with {@link
 * #builder()} (or let the autoconfigure SPI do it when {@code otel.profiling.enabled=true}); close
 * it to flush what is buffered.
 *
 * <p>It never harms its host: failures are logged and profiling stops, nothing is thrown into
 * application threads, and all work runs on two daemon threads (the JFR reader and the sender).
 */
public final class EmberProfiler implements AutoCloseable {
  private static final Logger logger = Logger.getLogger(EmberProfiler.class.getName());
  static final String VERSION = "0.1.0";

  private final JfrSampler sampler;
  private final GrpcProfileSender sender;

  private EmberProfiler(JfrSampler sampler, GrpcProfileSender sender) {
    this.sampler = sampler;
    this.sender = sender;
  }

  public static EmberProfilerBuilder builder() {
    return new EmberProfilerBuilder();
  }

  /**
   * Starts profiling; returns null (after one log line) when JFR is unavailable, so that the host
   * keeps running without profiles.
   */
  static EmberProfiler start(ProfilingConfig config, Map<String, String> resource) {
    GrpcProfileSender sender = null;
    try {
      GrpcProfileSender s = new GrpcProfileSender(config);
      sender = s;
      Map<String, String> attributes = Map.copyOf(resource);
      JfrSampler sampler =
          new JfrSampler(
              config,
              window -> {
                ExportProfilesServiceRequest request =
                    new OtlpEncoder(attributes, VERSION).encode(window);
                s.enqueue(request);
              });
      sampler.start();
      logger.log(
          Level.INFO,
          "Ember profiling on: {0} every {1} to {2}",
          new Object[] {sampler.cpuEvent(), config.exportInterval(), config.endpoint()});
      return new EmberProfiler(sampler, s);
    } catch (RuntimeException | LinkageError e) {
      logger.log(Level.WARNING, "Ember profiling is off: JFR could not be started", e);
      if (sender != null) {
        sender.close();
      }
      return null;
    }
  }

  /** Stops sampling, sends what is buffered (bounded by the export timeout) and releases all. */
  @Override
  public void close() {
    try {
      sampler.close();
    } finally {
      sender.close();
    }
  }
}
