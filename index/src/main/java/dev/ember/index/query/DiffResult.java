package dev.ember.index.query;

/** Two merged selections of the same profile type, to be compared side by side. */
public record DiffResult(MergeResult left, MergeResult right) {}
