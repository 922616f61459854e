package dev.ember.index.store;

import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

/**
 * Limits by tenant: one default for every tenant, and whole-record overrides for named tenants
 * (typically read from a file, so an override states every value it means). Immutable.
 */
public record TenantLimits(Limits defaults, Map<String, Limits> overrides) {

  public TenantLimits {
    Objects.requireNonNull(defaults, "defaults");
    overrides = Map.copyOf(overrides);
    for (String tenant : overrides.keySet()) {
      Tenants.validate(tenant);
    }
  }

  public static TenantLimits of(Limits defaults) {
    return new TenantLimits(defaults, Map.of());
  }

  public Limits of(String tenant) {
    return overrides.getOrDefault(tenant, defaults);
  }

  public TenantLimits withOverride(String tenant, Limits limits) {
    Map<String, Limits> m = new TreeMap<>(overrides);
    m.put(tenant, limits);
    return new TenantLimits(defaults, m);
  }
}
