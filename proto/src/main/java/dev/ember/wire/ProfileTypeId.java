package dev.ember.wire;

import java.util.Objects;

/**
 * A profile type in Pyroscope's five-part form {@code name:sample_type:sample_unit:period_type:
 * period_unit}, e.g. {@code process_cpu:cpu:nanoseconds:cpu:nanoseconds}.
 *
 * <p>OTLP has no profile-name field: a type is its sample type plus its period type. {@link
 * #derive} names it so that the IDs match what Pyroscope users know from JFR and pprof data:
 *
 * <table>
 *   <caption>Derivation</caption>
 *   <tr><th>sample type/unit</th><th>period type/unit</th><th>ID</th></tr>
 *   <tr><td>cpu/nanoseconds</td><td>cpu/nanoseconds</td>
 *       <td>process_cpu:cpu:nanoseconds:cpu:nanoseconds</td></tr>
 *   <tr><td>samples/count</td><td>cpu/nanoseconds</td>
 *       <td>process_cpu:cpu:nanoseconds:cpu:nanoseconds (values scaled by the period)</td></tr>
 *   <tr><td>alloc_space/bytes</td><td>space/bytes</td><td>memory:alloc_space:bytes:space:bytes</td></tr>
 *   <tr><td>off_cpu/nanoseconds</td><td>(none)</td><td>off_cpu:off_cpu:nanoseconds::</td></tr>
 *   <tr><td>contentions/count</td><td>mutex/count</td><td>mutex:contentions:count:mutex:count</td></tr>
 *   <tr><td>any other</td><td>p/u</td><td>p:type:unit:p:u (the period type names it)</td></tr>
 *   <tr><td>any other</td><td>(none)</td><td>type:type:unit:: (the sample type names it)</td></tr>
 * </table>
 */
public record ProfileTypeId(
    String name, String sampleType, String sampleUnit, String periodType, String periodUnit) {

  public ProfileTypeId {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(sampleType, "sampleType");
    Objects.requireNonNull(sampleUnit, "sampleUnit");
    Objects.requireNonNull(periodType, "periodType");
    Objects.requireNonNull(periodUnit, "periodUnit");
  }

  /** The result of naming an OTLP profile: its type ID and the factor for its sample values. */
  public record Derived(ProfileTypeId id, boolean scaleByPeriod) {}

  /** Names an OTLP profile from its sample and period types (see the class comment). */
  public static Derived derive(
      String sampleType, String sampleUnit, String periodType, String periodUnit) {
    if (sampleType.equals("samples")
        && sampleUnit.equals("count")
        && periodType.equals("cpu")
        && periodUnit.equals("nanoseconds")) {
      // eBPF-profiler style on-CPU counts: weight each sample by the period, as Pyroscope does.
      return new Derived(
          new ProfileTypeId("process_cpu", "cpu", "nanoseconds", "cpu", "nanoseconds"), true);
    }
    String name;
    if (periodType.equals("cpu")) {
      name = "process_cpu";
    } else if (periodType.equals("space")) {
      name = "memory";
    } else if (!periodType.isEmpty()) {
      name = periodType;
    } else if (!sampleType.isEmpty()) {
      name = sampleType;
    } else {
      name = "unknown";
    }
    return new Derived(
        new ProfileTypeId(name, sampleType, sampleUnit, periodType, periodUnit), false);
  }

  /**
   * Parses the five-part form, or the three-part form {@code name:sample_type:sample_unit} with
   * empty period parts; throws {@link IllegalArgumentException} naming the problem.
   */
  public static ProfileTypeId parse(String id) {
    String[] parts = id.split(":", -1);
    if (parts.length == 5) {
      if (parts[0].isEmpty() || parts[1].isEmpty()) {
        throw new IllegalArgumentException(
            "profile type '" + id + "' needs a name and a sample type");
      }
      return new ProfileTypeId(parts[0], parts[1], parts[2], parts[3], parts[4]);
    }
    throw new IllegalArgumentException(
        "profile type '"
            + id
            + "' must have 5 parts name:sample_type:sample_unit:period_type:period_unit");
  }

  @Override
  public String toString() {
    return name + ":" + sampleType + ":" + sampleUnit + ":" + periodType + ":" + periodUnit;
  }
}
