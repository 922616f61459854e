package dev.ember.index.query;

/** A FlameQL syntax error, with the 0-based column where it was found. */
public final class FlameQLException extends IllegalArgumentException {
  private static final long serialVersionUID = 1L;
  private final int position;

  FlameQLException(String what, int position, String query) {
    super("parse error at column " + position + " of '" + query + "': " + what);
    this.position = position;
  }

  public int position() {
    return position;
  }
}
