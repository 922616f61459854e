package dev.ember.exporter;

import io.opentelemetry.api.trace.SpanContext;

/**
 * The ids of a sampled span as longs, which JFR events carry cheaply. {@link #NONE} (all zero)
 * stands for "no sampled span". Immutable.
 */
record SpanIds(long traceIdHigh, long traceIdLow, long spanId, long localRootSpanId) {
  static final SpanIds NONE = new SpanIds(0, 0, 0, 0);

  boolean isNone() {
    return spanId == 0;
  }

  boolean sameSpan(SpanIds o) {
    return spanId == o.spanId && traceIdLow == o.traceIdLow && traceIdHigh == o.traceIdHigh;
  }

  /** The ids of a valid, sampled span context; {@link #NONE} for any other. */
  static SpanIds of(SpanContext sc, long localRootSpanId) {
    if (!sc.isValid() || !sc.isSampled()) {
      return NONE;
    }
    String trace = sc.getTraceId();
    String span = sc.getSpanId();
    return new SpanIds(hex(trace, 0), hex(trace, 16), hex(span, 0), localRootSpanId);
  }

  /** Parses 16 lower-case hex digits (OTel ids are validated lower-case hex). */
  static long hex(String s, int from) {
    long v = 0;
    for (int i = from; i < from + 16; i++) {
      char c = s.charAt(i);
      v = (v << 4) | (c <= '9' ? c - '0' : (c | 0x20) - 'a' + 10);
    }
    return v;
  }
}
