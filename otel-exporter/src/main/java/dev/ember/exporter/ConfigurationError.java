package dev.ember.exporter;

/** A bad configuration value, reported at start-up with the key that holds it. */
public final class ConfigurationError extends IllegalArgumentException {
  private static final long serialVersionUID = 1L;

  ConfigurationError(String key, String detail) {
    super("invalid value for " + key + ": " + detail);
  }
}
