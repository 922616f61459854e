package dev.ember.index.query;

import java.util.List;

/** Values of one label, sorted; {@code truncated} when more exist than the limit allowed. */
public record LabelValues(String name, List<String> values, boolean truncated) {
  public LabelValues {
    values = List.copyOf(values);
  }
}
