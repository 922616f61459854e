package dev.ember.index.query;

import java.util.List;

/**
 * For one frame, the traces and spans whose samples ran it the most.
 *
 * @param frameTotal the frame's total over every selected sample, linked to a span or not
 * @param linkedTotal the part of {@code frameTotal} in samples linked to a span
 * @param spans the top spans by value, largest first
 * @param spanCount how many distinct spans ran the frame (spans may list fewer)
 */
public record ContributorsResult(
    String profileType,
    String frame,
    long frameTotal,
    long linkedTotal,
    List<SpanTotal> spans,
    int spanCount,
    QueryStats stats) {
  public ContributorsResult {
    spans = List.copyOf(spans);
  }
}
