package dev.ember.exporter;

/**
 * The value kinds the exporter produces; each becomes one OTLP {@code Profile} per window. The
 * sample and period types are chosen so that the backend's {@code ProfileTypeId.derive} (and
 * Pyroscope) name them as users know them from JFR data; the table is in the module README.
 */
enum SampleKind {
  /** {@code process_cpu:cpu:nanoseconds:cpu:nanoseconds}. */
  CPU("cpu", "nanoseconds", "cpu", "nanoseconds"),
  /** {@code memory:alloc_space:bytes:space:bytes}. */
  ALLOC_SPACE("alloc_space", "bytes", "space", "bytes"),
  /** {@code memory:alloc_objects:count:space:bytes}. */
  ALLOC_OBJECTS("alloc_objects", "count", "space", "bytes"),
  /** {@code mutex:contentions:count:mutex:count}. */
  MUTEX_CONTENTIONS("contentions", "count", "mutex", "count"),
  /** {@code mutex:delay:nanoseconds:mutex:count}. */
  MUTEX_DELAY("delay", "nanoseconds", "mutex", "count"),
  /** {@code block:contentions:count:block:count}. */
  BLOCK_CONTENTIONS("contentions", "count", "block", "count"),
  /** {@code block:delay:nanoseconds:block:count}. */
  BLOCK_DELAY("delay", "nanoseconds", "block", "count");

  final String sampleType;
  final String sampleUnit;
  final String periodType;
  final String periodUnit;

  SampleKind(String sampleType, String sampleUnit, String periodType, String periodUnit) {
    this.sampleType = sampleType;
    this.sampleUnit = sampleUnit;
    this.periodType = periodType;
    this.periodUnit = periodUnit;
  }
}
