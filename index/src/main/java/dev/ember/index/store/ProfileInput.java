package dev.ember.index.store;

import dev.ember.wire.ProfileRef;
import dev.ember.wire.ProfileTypeId;
import io.opentelemetry.proto.profiles.v1development.Profile;

/**
 * One accepted OTLP profile and what its envelope says about it: its series labels (sorted
 * name/value pairs), derived type, and time window. The samples stay in {@code proto}, pointing
 * into the request's dictionary, until a partition rewrites them.
 */
record ProfileInput(
    ProfileRef ref,
    Profile proto,
    String[] labelPairs,
    ProfileTypeId type,
    boolean scaleByPeriod,
    long timeNanos,
    long durationNanos) {}
