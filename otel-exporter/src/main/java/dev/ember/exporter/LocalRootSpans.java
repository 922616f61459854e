package dev.ember.exporter;

import io.opentelemetry.api.trace.Span;
import io.opentelemetry.context.Context;
import io.opentelemetry.sdk.trace.ReadableSpan;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Knows, for each live span of this SDK, its ids and its local root span (the first span of the
 * trace in this process, usually the server span named after the endpoint, e.g. {@code GET
 * /orders}). Fed by {@link EmberSpanProcessor}; read by {@link TrackingContextStorage} on
 * application threads and by the sampler, which asks for root names a second or so after the
 * samples were taken. Names are read late on purpose: HTTP instrumentations rename the server span
 * once the route is known.
 *
 * <p>Thread-safe. Memory: one entry per live span, plus a fixed-size cache of the names of recently
 * ended roots.
 */
final class LocalRootSpans {
  /** One per live span: its ids, and its root span (itself for a root). */
  record Tracked(SpanIds ids, ReadableSpan root) {}

  /** About 80 s of ended roots at 200 requests/s, 1.6 s at 10,000/s. */
  private static final int ENDED_SLOTS = 1 << 14;

  /** Distinct root names kept as one shared string each (see {@link EndedRootNames}). */
  private static final int MAX_CANONICAL_NAMES = 10_000;

  /**
   * Spans an application starts and never ends would otherwise pile up here: beyond this many live
   * spans new ones are not tracked (their samples keep their links, only without span.name).
   */
  static final int MAX_LIVE = 500_000;

  private static final Map<Span, Tracked> live = new ConcurrentHashMap<>();
  private static final Map<Long, ReadableSpan> liveRoots = new ConcurrentHashMap<>();
  private static final EndedRootNames ended = new EndedRootNames(ENDED_SLOTS, MAX_CANONICAL_NAMES);

  private LocalRootSpans() {}

  static void onStart(Context parentContext, ReadableSpan span) {
    if (!span.getSpanContext().isSampled() || !(span instanceof Span) || live.size() >= MAX_LIVE) {
      return;
    }
    Tracked parent = live.get(Span.fromContext(parentContext));
    ReadableSpan root = parent == null ? span : parent.root();
    long rootId =
        parent == null
            ? SpanIds.hex(span.getSpanContext().getSpanId(), 0)
            : parent.ids().localRootSpanId();
    SpanIds ids = SpanIds.of(span.getSpanContext(), rootId);
    live.put((Span) span, new Tracked(ids, root));
    if (parent == null) {
      liveRoots.put(rootId, span);
    }
  }

  static void onEnd(ReadableSpan span) {
    if (!(span instanceof Span)) {
      return;
    }
    Tracked t = live.remove((Span) span);
    if (t != null && t.root() == span) {
      long id = t.ids().spanId();
      ended.put(id, span.getName());
      liveRoots.remove(id);
    }
  }

  /** The ids of a span current in some context; {@link SpanIds#NONE} for unsampled or none. */
  static SpanIds idsOf(Span span) {
    Tracked t = live.get(span);
    if (t != null) {
      return t.ids();
    }
    // A span this SDK does not track (no span processor registered, or a wrapped remote context):
    // link it all the same; its local root is unknown.
    return SpanIds.of(span.getSpanContext(), 0);
  }

  /** The current (or final) name of a local root span; null when unknown. */
  static String rootName(long rootSpanId) {
    if (rootSpanId == 0) {
      return null;
    }
    ReadableSpan root = liveRoots.get(rootSpanId);
    if (root != null) {
      // Shared, so the windows that keep it for a while hold no new string per sample.
      return ended.canonical(root.getName());
    }
    return ended.get(rootSpanId);
  }

  static int liveCount() {
    return live.size();
  }
}
