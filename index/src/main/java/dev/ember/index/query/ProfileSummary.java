package dev.ember.index.query;

import java.util.Map;
import java.util.Objects;

/**
 * One stored profile as a listing shows it.
 *
 * @param id 32 hex digits
 * @param timeNanos start, Unix ns
 * @param durationNanos how long it covers
 * @param profileType five-part type ID
 * @param labels its series labels
 * @param total sum of its sample values (of the selected samples, when the query has per-sample
 *     matchers)
 * @param samples number of distinct samples (of the selected samples, likewise)
 */
public record ProfileSummary(
    String id,
    long timeNanos,
    long durationNanos,
    String profileType,
    Map<String, String> labels,
    long total,
    int samples) {
  public ProfileSummary {
    Objects.requireNonNull(id, "id");
    labels = Map.copyOf(labels);
  }
}
