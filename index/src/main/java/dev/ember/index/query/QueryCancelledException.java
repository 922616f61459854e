package dev.ember.index.query;

/** A query stopped before it finished: its client went away, or it ran past its time limit. */
public final class QueryCancelledException extends RuntimeException {
  private static final long serialVersionUID = 1L;
  private final boolean timedOut;

  public QueryCancelledException(String message, boolean timedOut) {
    super(message);
    this.timedOut = timedOut;
  }

  /** True when the query exceeded its time limit, false when it was cancelled. */
  public boolean timedOut() {
    return timedOut;
  }
}
