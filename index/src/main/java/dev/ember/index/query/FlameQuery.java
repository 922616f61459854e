package dev.ember.index.query;

import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * A parsed FlameQL selector: a profile type (5-part ID, 3-part ID, short name, or empty for "any")
 * and label matchers. Matchers on {@link #SAMPLE_LABELS} filter samples inside profiles; all others
 * select series.
 */
public record FlameQuery(String profileType, List<Matcher> matchers) {

  /** Labels that live on samples, not on series: they filter samples, never series. */
  public static final Set<String> SAMPLE_LABELS =
      Set.of("trace_id", "span_id", "span_name", "thread_name");

  public FlameQuery {
    Objects.requireNonNull(profileType, "profileType");
    matchers = List.copyOf(matchers);
  }

  public List<Matcher> seriesMatchers() {
    return matchers.stream().filter(m -> !SAMPLE_LABELS.contains(m.name())).toList();
  }

  public List<Matcher> sampleMatchers() {
    return matchers.stream().filter(m -> SAMPLE_LABELS.contains(m.name())).toList();
  }

  @Override
  public String toString() {
    StringBuilder b = new StringBuilder(profileType).append('{');
    for (int i = 0; i < matchers.size(); i++) {
      if (i > 0) {
        b.append(',');
      }
      b.append(matchers.get(i));
    }
    return b.append('}').toString();
  }
}
