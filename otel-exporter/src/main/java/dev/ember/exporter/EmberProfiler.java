package dev.ember.exporter;

import io.opentelemetry.sdk.trace.SpanProcessor;
import java.util.Map;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Continuous JFR profiling inside this JVM, exported as OTLP profiles whose samples link to the
 * span that was running. Start one with {@link #builder()} (or let the autoconfigure SPI or the
 * Java agent extension do it when {@code otel.profiling.enabled=true}); close it to flush what is
 * buffered.
 *
 * <p>It never harms its host: failures are logged and profiling stops, nothing is thrown into
 * application threads, memory is bounded, and all work runs on two daemon threads (the JFR reader
 * and the sender).
 */
public final class EmberProfiler implements AutoCloseable {
  private static final Logger logger = Logger.getLogger(EmberProfiler.class.getName());
  static final String VERSION = "0.1.0";

  private final JfrSampler sampler;
  private final GrpcProfileSender sender;
  private volatile boolean closed;

  private EmberProfiler(JfrSampler sampler, GrpcProfileSender sender) {
    this.sampler = sampler;
    this.sender = sender;
  }

  public static EmberProfilerBuilder builder() {
    return new EmberProfilerBuilder();
  }

  /**
   * Makes OpenTelemetry report span changes to Ember. Call it as early as possible (first thing in
   * {@code main}) when you start profiling by hand: OpenTelemetry accepts it only before its
   * context storage is first used. Autoconfigure and the agent extension call it for you; {@link
   * EmberProfilerBuilder#start()} calls it too and warns when it came too late.
   */
  public static void installContextTracking() {
    if (jfrClassesPresent()) {
      TrackingContextStorage.install();
    }
  }

  /**
   * A span processor to add to a hand-built {@code SdkTracerProvider}, so that samples carry the
   * name of their local root span ({@code span.name}). Links to spans work without it.
   */
  public static SpanProcessor spanProcessor() {
    return new EmberSpanProcessor(null);
  }

  /** A span processor that also closes this profiler when the tracer provider shuts down. */
  SpanProcessor closingSpanProcessor() {
    return new EmberSpanProcessor(this);
  }

  /** True when span changes reach Ember, i.e. samples get span links. */
  public static boolean isTrackingSpans() {
    return jfrClassesPresent() && TrackingContextStorage.selfCheck();
  }

  static boolean jfrClassesPresent() {
    try {
      Class.forName("jdk.jfr.Event", false, EmberProfiler.class.getClassLoader());
      return true;
    } catch (ClassNotFoundException | LinkageError e) {
      return false;
    }
  }

  /**
   * Starts profiling; returns null (after one warning) when JFR is unavailable or disabled, so that
   * the host keeps running without profiles. Throws {@link ConfigurationError} only for
   * configuration that cannot work (bad TLS files).
   */
  static EmberProfiler start(ProfilingConfig config, Map<String, String> resource) {
    if (!jfrClassesPresent()) {
      logger.log(
          Level.WARNING,
          "Ember profiling is off: this Java runtime has no jdk.jfr module (JFR); the"
              + " application runs on without profiles");
      return null;
    }
    installContextTracking();
    GrpcProfileSender sender = new GrpcProfileSender(config);
    try {
      Map<String, String> attributes = Map.copyOf(resource);
      JfrSampler sampler =
          new JfrSampler(
              config,
              window -> {
                byte[] request = new OtlpEncoder(attributes, VERSION).encode(window);
                sender.enqueue(request);
              });
      sampler.start();
      boolean links = TrackingContextStorage.selfCheck();
      logger.log(
          Level.INFO,
          "Ember profiling on: {0} (cpu event {1}) to {2}",
          new Object[] {config.types(), sampler.cpuEvent(), config.endpoint()});
      if (!links) {
        logger.log(
            Level.WARNING,
            "Ember profiling: OpenTelemetry''s context storage was created before Ember could"
                + " watch it, so samples carry no span links; call"
                + " EmberProfiler.installContextTracking() first thing in main()");
      }
      return new EmberProfiler(sampler, sender);
    } catch (RuntimeException | LinkageError e) {
      logger.log(
          Level.WARNING,
          "Ember profiling is off: JFR could not be started ("
              + e
              + "); the application runs on without profiles");
      logger.log(Level.FINE, "JFR start failure", e);
      sender.close();
      return null;
    }
  }

  /** Stops sampling, sends what is buffered (bounded by the shutdown timeout) and releases all. */
  @Override
  public void close() {
    if (closed) {
      return;
    }
    closed = true;
    try {
      sampler.close();
    } catch (RuntimeException e) {
      logger.log(Level.WARNING, "Ember profiling: error while stopping JFR", e);
    } finally {
      sender.close();
    }
  }

  long sentCount() {
    return sender.sentCount();
  }
}
