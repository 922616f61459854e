package dev.ember.index.query;

import java.util.Objects;

/** What a query reads: a FlameQL selector over the time range [from, until) in Unix ns. */
public record Selection(FlameQuery query, long fromNanos, long untilNanos) {
  public Selection {
    Objects.requireNonNull(query, "query");
    if (untilNanos <= fromNanos) {
      throw new IllegalArgumentException(
          "the time range is empty: until ("
              + untilNanos
              + ") must be after from ("
              + fromNanos
              + ")");
    }
  }
}
