package dev.ember.index.store;

import dev.ember.index.query.ContributorsResult;
import dev.ember.index.query.DiffResult;
import dev.ember.index.query.FlameQuery;
import dev.ember.index.query.LabelValues;
import dev.ember.index.query.MergeResult;
import dev.ember.index.query.ProfileDetail;
import dev.ember.index.query.ProfileSummary;
import dev.ember.index.query.QueryContext;
import dev.ember.index.query.Selection;
import dev.ember.index.query.SeriesResult;
import dev.ember.index.query.TraceResult;
import java.io.IOException;
import java.util.List;
import java.util.Optional;

/**
 * The read side of a {@link ProfileStore}: every query the HTTP API, the gRPC query service and the
 * CLI answer. Each call runs against a {@link QueryContext} that carries the limits, the deadline
 * and cancellation; a call never reads across tenants. Thread-safe.
 *
 * <p>Errors: {@link IllegalArgumentException} for a query that cannot be answered as asked (an
 * unknown or ambiguous profile type, an empty range), {@link
 * dev.ember.index.query.QueryLimitException} when it exceeds a limit, {@link
 * dev.ember.index.query.QueryCancelledException} when it was cancelled or timed out.
 */
public interface ProfileQueries extends AutoCloseable {

  /** Merges every sample the selection picks into one call tree. */
  MergeResult merge(String tenant, Selection selection, QueryContext ctx) throws IOException;

  /** Merges two selections, which must resolve to the same profile type. */
  DiffResult diff(String tenant, Selection left, Selection right, QueryContext ctx)
      throws IOException;

  /** Totals over time, one series per distinct value combination of {@code groupBy}. */
  SeriesResult series(
      String tenant,
      Selection selection,
      long stepNanos,
      List<String> groupBy,
      SeriesResult.Aggregation aggregation,
      QueryContext ctx)
      throws IOException;

  /** Profile type IDs with data in [from, until), sorted. */
  List<String> profileTypes(String tenant, long fromNanos, long untilNanos, QueryContext ctx)
      throws IOException;

  /**
   * Series label names with data in [from, until), sorted; {@code query} (may be null) limits them
   * to series it selects.
   */
  List<String> labelNames(
      String tenant, FlameQuery query, long fromNanos, long untilNanos, QueryContext ctx)
      throws IOException;

  /**
   * Values of a series label, or of a per-sample label ({@code span_name}, {@code thread_name},
   * {@code trace_id}, {@code span_id}), with data in [from, until), sorted, at most {@code limit}.
   */
  LabelValues labelValues(
      String tenant,
      String name,
      FlameQuery query,
      long fromNanos,
      long untilNanos,
      int limit,
      QueryContext ctx)
      throws IOException;

  /** The newest profiles the selection picks, newest first, at most {@code limit}. */
  List<ProfileSummary> profiles(String tenant, Selection selection, int limit, QueryContext ctx)
      throws IOException;

  /** One profile by its id (32 hex digits), looked for in [from, until). */
  Optional<ProfileDetail> profile(
      String tenant, String id, long fromNanos, long untilNanos, QueryContext ctx)
      throws IOException;

  /**
   * The samples of a trace (32 hex digits) across services, or of one of its spans ({@code spanId},
   * 16 hex digits, or "" for all), in [from, until): the call tree of {@code profileType} (resolved
   * like a query's type; "" picks CPU when present) and the per-span totals.
   */
  TraceResult trace(
      String tenant,
      String traceId,
      String spanId,
      String profileType,
      long fromNanos,
      long untilNanos,
      QueryContext ctx)
      throws IOException;

  /** For one frame (a function name), the spans whose samples ran it the most. */
  ContributorsResult contributors(
      String tenant, Selection selection, String frame, int limit, QueryContext ctx)
      throws IOException;

  /** Stops the query threads. */
  @Override
  void close();
}
