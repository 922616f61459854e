package dev.ember.exporter;

import io.opentelemetry.context.Context;
import io.opentelemetry.sdk.common.CompletableResultCode;
import io.opentelemetry.sdk.trace.ReadWriteSpan;
import io.opentelemetry.sdk.trace.ReadableSpan;
import io.opentelemetry.sdk.trace.SpanProcessor;

/**
 * Tells Ember which span is the local root of each sampled span, so that samples can carry the
 * endpoint name ({@code span.name}). Autoconfigure and the Java agent extension register it
 * themselves; an application that builds its tracer provider by hand adds {@link
 * EmberProfiler#spanProcessor()}. Without it samples are still linked to spans, only without {@code
 * span.name}. Optionally closes a profiler when the tracer provider shuts down.
 */
final class EmberSpanProcessor implements SpanProcessor {
  private final EmberProfiler closeOnShutdown;

  EmberSpanProcessor(EmberProfiler closeOnShutdown) {
    this.closeOnShutdown = closeOnShutdown;
  }

  @Override
  public void onStart(Context parentContext, ReadWriteSpan span) {
    LocalRootSpans.onStart(parentContext, span);
  }

  @Override
  public boolean isStartRequired() {
    return true;
  }

  @Override
  public void onEnd(ReadableSpan span) {
    LocalRootSpans.onEnd(span);
  }

  @Override
  public boolean isEndRequired() {
    return true;
  }

  @Override
  public CompletableResultCode shutdown() {
    if (closeOnShutdown != null) {
      closeOnShutdown.close();
    }
    return CompletableResultCode.ofSuccess();
  }
}
