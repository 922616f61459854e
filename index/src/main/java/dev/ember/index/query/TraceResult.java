package dev.ember.index.query;

import java.util.List;

/**
 * What a trace (or one of its spans) did, across services: the merged call tree of its samples of
 * one profile type, the per-span breakdown for every type, and the types it has samples of.
 *
 * @param spanId the span the query was limited to, or "" for the whole trace
 * @param profileType the type of {@link #tree} ("" when the trace has no samples)
 */
public record TraceResult(
    String traceId,
    String spanId,
    String profileType,
    List<String> profileTypes,
    FlameTree tree,
    List<SpanTotal> spans,
    QueryStats stats) {
  public TraceResult {
    profileTypes = List.copyOf(profileTypes);
    spans = List.copyOf(spans);
  }
}
