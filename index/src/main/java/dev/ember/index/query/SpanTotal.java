package dev.ember.index.query;

/**
 * The samples of one span: its ids, its name (the {@code span_name} sample label, empty when the
 * exporter did not record one), the service that ran it, and the sum of its values of one profile
 * type.
 */
public record SpanTotal(
    String traceId,
    String spanId,
    String spanName,
    String service,
    String profileType,
    long total) {}
