package dev.ember.index.store;

import java.util.Collections;
import java.util.Map;
import java.util.TreeMap;

/** Size of the store, by tenant (sorted by tenant id). */
public record StoreStats(Map<String, TenantStats> tenants) {
  public StoreStats {
    tenants = Collections.unmodifiableSortedMap(new TreeMap<>(tenants));
  }

  public long bytesOnDisk() {
    return tenants.values().stream().mapToLong(TenantStats::bytesOnDisk).sum();
  }

  public int partitions() {
    return tenants.values().stream().mapToInt(TenantStats::partitions).sum();
  }
}
