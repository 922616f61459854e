package dev.ember.index.query;

/**
 * A query asked for more than a configured limit allows (time range, series, tree nodes, points,
 * results). The message names the limit, the value that exceeded it and how to narrow the query;
 * {@link #setting()} names the configuration key that raises it.
 */
public final class QueryLimitException extends IllegalArgumentException {
  private static final long serialVersionUID = 1L;
  private final String setting;

  public QueryLimitException(String message, String setting) {
    super(message);
    this.setting = setting;
  }

  /** The backend option that raises this limit, e.g. {@code --query-max-series}. */
  public String setting() {
    return setting;
  }
}
