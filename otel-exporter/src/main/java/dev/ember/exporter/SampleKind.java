package dev.ember.exporter;

/**
 * The value kinds the exporter produces; each becomes one OTLP {@code Profile} per window. The
 * sample and period types are chosen so that the backend (and Pyroscope) derive the profile type
 * IDs users know, e.g. {@code process_cpu:cpu:nanoseconds:cpu:nanoseconds}.
 */
enum SampleKind {
  CPU("cpu", "nanoseconds", "cpu", "nanoseconds");

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
