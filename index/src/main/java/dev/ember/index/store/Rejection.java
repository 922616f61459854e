package dev.ember.index.store;

import dev.ember.wire.ProfileRef;
import java.util.Objects;

/**
 * A profile the store refused while storing the rest of its request.
 *
 * @param ref where the profile sits in its request
 * @param reason a short, stable token for metrics, e.g. {@code too_old}, {@code series_limit}
 * @param message what a user reads: names the field, the value and the limit
 */
public record Rejection(ProfileRef ref, String reason, String message) {
  public Rejection {
    Objects.requireNonNull(ref, "ref");
    Objects.requireNonNull(reason, "reason");
    Objects.requireNonNull(message, "message");
  }
}
