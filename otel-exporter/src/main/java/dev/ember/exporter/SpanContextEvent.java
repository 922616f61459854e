package dev.ember.exporter;

import jdk.jfr.Category;
import jdk.jfr.Description;
import jdk.jfr.Enabled;
import jdk.jfr.Event;
import jdk.jfr.Label;
import jdk.jfr.Name;
import jdk.jfr.StackTrace;

/**
 * Written into JFR on the application thread whenever the span current on that thread changes
 * (attach and restore). Samples and these events share JFR's clock and thread ids, so the sampler
 * can tell which span was current at each sample's instant. All-zero ids mean "no sampled span".
 * Off unless Ember's own recording enables it.
 */
@Name(SpanContextEvent.NAME)
@Label("Span Context")
@Category({"Ember", "Profiling"})
@Description("The sampled span current on this thread from now on (zeros: none)")
@StackTrace(false)
@Enabled(false)
final class SpanContextEvent extends Event {
  static final String NAME = "dev.ember.SpanContext";

  @Label("Trace Id High")
  long traceIdHigh;

  @Label("Trace Id Low")
  long traceIdLow;

  @Label("Span Id")
  long spanId;

  @Label("Local Root Span Id")
  long localRootSpanId;
}
