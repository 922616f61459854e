package dev.ember.exporter;

import java.util.List;

/**
 * What the user can switch on with {@code otel.profiling.types}. Each type reads one or two JFR
 * events and yields one or two {@link SampleKind}s, i.e. OTLP profiles.
 */
enum ProfileType {
  CPU("cpu", List.of(SampleKind.CPU)),
  ALLOC("alloc", List.of(SampleKind.ALLOC_SPACE, SampleKind.ALLOC_OBJECTS)),
  MUTEX("mutex", List.of(SampleKind.MUTEX_CONTENTIONS, SampleKind.MUTEX_DELAY)),
  BLOCK("block", List.of(SampleKind.BLOCK_CONTENTIONS, SampleKind.BLOCK_DELAY));

  final String configName;

  /** The value kinds of one sample of this type, in the order of its values. */
  final List<SampleKind> kinds;

  ProfileType(String configName, List<SampleKind> kinds) {
    this.configName = configName;
    this.kinds = kinds;
  }

  static ProfileType byConfigName(String name) {
    for (ProfileType t : values()) {
      if (t.configName.equals(name)) {
        return t;
      }
    }
    return null;
  }
}
