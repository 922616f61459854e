package dev.ember.index.query;

import java.util.Objects;

/**
 * A merged call tree and what it is: the profile type the query resolved to, the time range, and
 * the work done.
 */
public record MergeResult(
    FlameTree tree, String profileType, long fromNanos, long untilNanos, QueryStats stats) {
  public MergeResult {
    Objects.requireNonNull(tree, "tree");
    Objects.requireNonNull(profileType, "profileType");
  }
}
