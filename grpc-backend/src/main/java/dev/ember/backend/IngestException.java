package dev.ember.backend;

import java.time.Duration;

/**
 * Why a whole ingest request was refused. Each receiver maps the kind onto its protocol: gRPC
 * status codes, HTTP status codes. {@link #retryAfter} is set only when retrying later can succeed.
 */
final class IngestException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  enum Kind {
    /** The request cannot be used: unparseable, invalid, wrong format (gRPC INVALID_ARGUMENT). */
    INVALID,
    /** Larger than the tenant may send (gRPC RESOURCE_EXHAUSTED without retry, HTTP 413). */
    TOO_LARGE,
    /** The tenant's ingest rate, or the backend's memory budget, is used up for now. */
    OVERLOADED,
    /** Storage failed; nothing was acknowledged (gRPC UNAVAILABLE, HTTP 503). */
    UNAVAILABLE,
    /** No tenant id where one is required (gRPC UNAUTHENTICATED, HTTP 401). */
    UNAUTHENTICATED,
    /** A body in a content type or encoding the receiver does not read (HTTP 415). */
    UNSUPPORTED
  }

  final Kind kind;

  /** A short, stable token for the rejects-by-reason metric. */
  final String reason;

  final Duration retryAfter;

  /** Set once the refusal is in the metrics, so a receiver and the pipeline count it once. */
  boolean counted;

  IngestException(Kind kind, String reason, String message) {
    this(kind, reason, message, null);
  }

  IngestException(Kind kind, String reason, String message, Duration retryAfter) {
    super(message, null, false, false);
    this.kind = kind;
    this.reason = reason;
    this.retryAfter = retryAfter;
  }

  static IngestException invalid(String reason, String message) {
    return new IngestException(Kind.INVALID, reason, message);
  }
}
