package dev.ember.index.store;

/** Size of one tenant's data: time partitions and bytes on disk. */
public record TenantStats(int partitions, long bytesOnDisk) {}
