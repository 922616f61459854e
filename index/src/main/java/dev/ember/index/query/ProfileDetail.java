package dev.ember.index.query;

/** One stored profile in full: its summary, its sampling period and its call tree. */
public record ProfileDetail(ProfileSummary summary, long period, FlameTree tree) {}
