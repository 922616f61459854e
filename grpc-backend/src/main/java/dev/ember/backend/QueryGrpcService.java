package dev.ember.backend;

import com.google.protobuf.ByteString;
import dev.ember.index.query.ContributorsResult;
import dev.ember.index.query.DiffResult;
import dev.ember.index.query.FlameDiff;
import dev.ember.index.query.FlameGraph;
import dev.ember.index.query.FlameQL;
import dev.ember.index.query.FlameQuery;
import dev.ember.index.query.FlameSvg;
import dev.ember.index.query.FoldedStacks;
import dev.ember.index.query.LabelValues;
import dev.ember.index.query.MergeResult;
import dev.ember.index.query.PprofExport;
import dev.ember.index.query.ProfileDetail;
import dev.ember.index.query.ProfileSummary;
import dev.ember.index.query.QueryCancelledException;
import dev.ember.index.query.QueryContext;
import dev.ember.index.query.QueryLimitException;
import dev.ember.index.query.QueryLimits;
import dev.ember.index.query.QueryStats;
import dev.ember.index.query.Selection;
import dev.ember.index.query.SeriesResult;
import dev.ember.index.query.SpanTotal;
import dev.ember.index.query.TimeExpressions;
import dev.ember.index.query.TopTable;
import dev.ember.index.query.TraceResult;
import dev.ember.index.query.Units;
import dev.ember.index.store.ProfileQueries;
import dev.ember.proto.query.v1.DiffRequest;
import dev.ember.proto.query.v1.DiffResponse;
import dev.ember.proto.query.v1.DiffRow;
import dev.ember.proto.query.v1.ExportRequest;
import dev.ember.proto.query.v1.ExportResponse;
import dev.ember.proto.query.v1.FlameGraphDiff;
import dev.ember.proto.query.v1.FrameContributorsRequest;
import dev.ember.proto.query.v1.FrameContributorsResponse;
import dev.ember.proto.query.v1.GetProfileRequest;
import dev.ember.proto.query.v1.GetProfileResponse;
import dev.ember.proto.query.v1.LabelNamesRequest;
import dev.ember.proto.query.v1.LabelNamesResponse;
import dev.ember.proto.query.v1.LabelValuesRequest;
import dev.ember.proto.query.v1.LabelValuesResponse;
import dev.ember.proto.query.v1.Level;
import dev.ember.proto.query.v1.ListProfilesRequest;
import dev.ember.proto.query.v1.ListProfilesResponse;
import dev.ember.proto.query.v1.MergeRequest;
import dev.ember.proto.query.v1.MergeResponse;
import dev.ember.proto.query.v1.Point;
import dev.ember.proto.query.v1.ProfileType;
import dev.ember.proto.query.v1.ProfileTypesRequest;
import dev.ember.proto.query.v1.ProfileTypesResponse;
import dev.ember.proto.query.v1.QueryServiceGrpc;
import dev.ember.proto.query.v1.Selector;
import dev.ember.proto.query.v1.SeriesRequest;
import dev.ember.proto.query.v1.SeriesResponse;
import dev.ember.proto.query.v1.Stats;
import dev.ember.proto.query.v1.TopRequest;
import dev.ember.proto.query.v1.TopResponse;
import dev.ember.proto.query.v1.TopRow;
import dev.ember.proto.query.v1.TraceRequest;
import dev.ember.proto.query.v1.TraceResponse;
import io.grpc.Context;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.StreamObserver;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.util.Optional;
import java.util.logging.Logger;

/**
 * {@code ember.query.v1.QueryService}: the HTTP query API over gRPC, on the backend's gRPC port.
 * The tenant comes from {@link TenantInterceptor}; a cancelled call (or one past its gRPC deadline)
 * cancels its query through the {@link QueryContext}.
 */
final class QueryGrpcService extends QueryServiceGrpc.QueryServiceImplBase {
  private static final Logger logger = Logger.getLogger(QueryGrpcService.class.getName());

  private final ProfileQueries queries;
  private final QueryLimits limits;
  private final Clock clock;

  QueryGrpcService(ProfileQueries queries, QueryLimits limits, Clock clock) {
    this.queries = queries;
    this.limits = limits;
    this.clock = clock;
  }

  private interface Call<T> {
    T run(String tenant, Instant now, QueryContext ctx) throws IOException;
  }

  /** Runs one call: context, cancellation, and errors mapped to gRPC status codes. */
  private <T> void run(StreamObserver<T> response, Call<T> call) {
    QueryContext ctx = QueryContext.of(limits);
    Context grpc = Context.current();
    Context.CancellationListener listener =
        c -> ctx.cancel("the client cancelled the call or its deadline passed");
    grpc.addListener(listener, Runnable::run);
    try {
      T result = call.run(TenantInterceptor.TENANT.get(), clock.instant(), ctx);
      response.onNext(result);
      response.onCompleted();
    } catch (StatusRuntimeException e) {
      response.onError(e);
    } catch (RuntimeException | IOException e) {
      response.onError(toStatus(e).asRuntimeException());
    } finally {
      grpc.removeListener(listener);
    }
  }

  static Status toStatus(Exception e) {
    if (e instanceof QueryLimitException l) {
      return Status.INVALID_ARGUMENT.withDescription(
          l.getMessage() + " (limit: " + l.setting() + ")");
    } else if (e instanceof IllegalArgumentException) {
      return Status.INVALID_ARGUMENT.withDescription(e.getMessage());
    } else if (e instanceof QueryCancelledException c) {
      return (c.timedOut() ? Status.DEADLINE_EXCEEDED : Status.CANCELLED)
          .withDescription(c.getMessage());
    } else if (e instanceof IOException) {
      logger.log(java.util.logging.Level.WARNING, "storage error in a query", e);
      return Status.UNAVAILABLE.withDescription("storage error: " + e.getMessage()).withCause(e);
    }
    logger.log(java.util.logging.Level.WARNING, "internal error in a query", e);
    return Status.INTERNAL.withDescription("internal error: " + e).withCause(e);
  }

  // ---- request helpers ----

  static long time(String text, String fallback, Instant now, String field) {
    String t = text.isEmpty() ? fallback : text;
    try {
      return TimeExpressions.parse(t, now);
    } catch (IllegalArgumentException | ArithmeticException e) {
      throw new IllegalArgumentException(field + ": " + e.getMessage(), e);
    }
  }

  static long[] range(String from, String until, String defaultFrom, Instant now) {
    long f = time(from, defaultFrom, now, "from");
    long u = time(until, "now", now, "until");
    if (u <= f) {
      throw new IllegalArgumentException("until must be after from");
    }
    return new long[] {f, u};
  }

  static Selection selection(Selector s, Instant now, String field) {
    if (s.getQuery().isEmpty()) {
      throw new IllegalArgumentException(field + ".query is missing");
    }
    long[] r = range(s.getFrom(), s.getUntil(), "now-1h", now);
    return new Selection(FlameQL.parse(s.getQuery()), r[0], r[1]);
  }

  static FlameQuery optionalQuery(String text) {
    return text.isBlank() ? null : FlameQL.parse(text);
  }

  static int orDefault(int value, int fallback, int max, String field) {
    if (value < 0 || value > max) {
      throw new IllegalArgumentException(field + " must be from 0 to " + max + ", got " + value);
    }
    return value == 0 ? fallback : value;
  }

  static int maxNodes(int value) {
    return orDefault(value, FlameGraph.DEFAULT_MAX_NODES, FlameGraph.MAX_NODES_LIMIT, "max_nodes");
  }

  static Stats stats(QueryStats s) {
    return Stats.newBuilder()
        .setPartitions(s.partitions())
        .setAggregatedPartitions(s.aggregatedPartitions())
        .setProfilesRead(s.profilesRead())
        .setSamplesRead(s.samplesRead())
        .setElapsedMs(s.elapsedMillis())
        .build();
  }

  static dev.ember.proto.query.v1.FlameGraph flameGraph(FlameGraph g) {
    dev.ember.proto.query.v1.FlameGraph.Builder b =
        dev.ember.proto.query.v1.FlameGraph.newBuilder()
            .addAllNames(g.names())
            .setNumTicks(g.numTicks())
            .setMaxSelf(g.maxSelf());
    for (long[] level : g.levels()) {
      b.addLevels(level(level));
    }
    return b.build();
  }

  private static Level level(long[] values) {
    Level.Builder l = Level.newBuilder();
    for (long v : values) {
      l.addValues(v);
    }
    return l.build();
  }

  static dev.ember.proto.query.v1.SpanTotal spanTotal(SpanTotal s) {
    return dev.ember.proto.query.v1.SpanTotal.newBuilder()
        .setTraceId(s.traceId())
        .setSpanId(s.spanId())
        .setSpanName(s.spanName())
        .setService(s.service())
        .setProfileType(s.profileType())
        .setTotal(s.total())
        .build();
  }

  static dev.ember.proto.query.v1.ProfileSummary summary(ProfileSummary p) {
    return dev.ember.proto.query.v1.ProfileSummary.newBuilder()
        .setId(p.id())
        .setTimeUnixNano(p.timeNanos())
        .setDurationNano(p.durationNanos())
        .setProfileType(p.profileType())
        .putAllLabels(p.labels())
        .setTotal(p.total())
        .setSamples(p.samples())
        .build();
  }

  // ---- calls ----

  @Override
  public void merge(MergeRequest req, StreamObserver<MergeResponse> response) {
    run(
        response,
        (tenant, now, ctx) -> {
          Selection sel = selection(req.getSelector(), now, "selector");
          int maxNodes = maxNodes(req.getMaxNodes());
          MergeResult r = queries.merge(tenant, sel, ctx);
          return MergeResponse.newBuilder()
              .setProfileType(r.profileType())
              .setTotal(r.tree().grandTotal())
              .setFlamegraph(flameGraph(FlameGraph.of(r.tree(), maxNodes)))
              .setStats(stats(r.stats()))
              .build();
        });
  }

  @Override
  public void top(TopRequest req, StreamObserver<TopResponse> response) {
    run(
        response,
        (tenant, now, ctx) -> {
          Selection sel = selection(req.getSelector(), now, "selector");
          int limit = orDefault(req.getLimit(), 20, QueryLimits.MAX_RESULTS, "limit");
          MergeResult r = queries.merge(tenant, sel, ctx);
          TopTable t =
              TopTable.of(
                  r.tree(),
                  req.getOrder() == TopRequest.Order.ORDER_TOTAL
                      ? TopTable.Order.TOTAL
                      : TopTable.Order.SELF,
                  limit);
          TopResponse.Builder b =
              TopResponse.newBuilder()
                  .setProfileType(r.profileType())
                  .setTotal(t.grandTotal())
                  .setFunctions(t.functions())
                  .setStats(stats(r.stats()));
          for (TopTable.Row row : t.rows()) {
            b.addRows(
                TopRow.newBuilder().setName(row.name()).setSelf(row.self()).setTotal(row.total()));
          }
          return b.build();
        });
  }

  @Override
  public void diff(DiffRequest req, StreamObserver<DiffResponse> response) {
    run(
        response,
        (tenant, now, ctx) -> {
          Selection left = selection(req.getLeft(), now, "left");
          Selection right = selection(req.getRight(), now, "right");
          int maxNodes = maxNodes(req.getMaxNodes());
          int limit = orDefault(req.getLimit(), 20, QueryLimits.MAX_RESULTS, "limit");
          DiffResult d = queries.diff(tenant, left, right, ctx);
          FlameDiff fd = FlameDiff.of(d.left().tree(), d.right().tree(), maxNodes);
          FlameGraphDiff.Builder g =
              FlameGraphDiff.newBuilder()
                  .addAllNames(fd.names())
                  .setLeftTicks(fd.leftTicks())
                  .setRightTicks(fd.rightTicks())
                  .setMaxSelf(fd.maxSelf());
          for (long[] l : fd.levels()) {
            g.addLevels(level(l));
          }
          DiffResponse.Builder b =
              DiffResponse.newBuilder()
                  .setProfileType(d.left().profileType())
                  .setFlamegraph(g)
                  .setStats(stats(d.right().stats()));
          long lt = d.left().tree().grandTotal();
          long rt = d.right().tree().grandTotal();
          for (QueryJson.DiffRow row : QueryJson.diffRows(d, limit)) {
            b.addFunctions(
                DiffRow.newBuilder()
                    .setName(row.name())
                    .setLeftSelf(row.leftSelf())
                    .setLeftTotal(row.leftTotal())
                    .setRightSelf(row.rightSelf())
                    .setRightTotal(row.rightTotal())
                    .setLeftTotalShare(QueryJson.share(row.leftTotal(), lt))
                    .setRightTotalShare(QueryJson.share(row.rightTotal(), rt))
                    .setChange(row.change()));
          }
          return b.build();
        });
  }

  @Override
  public void series(SeriesRequest req, StreamObserver<SeriesResponse> response) {
    run(
        response,
        (tenant, now, ctx) -> {
          Selection sel = selection(req.getSelector(), now, "selector");
          double stepSeconds = req.getStepSeconds();
          if (stepSeconds < 0 || Double.isNaN(stepSeconds)) {
            throw new IllegalArgumentException("step_seconds must be positive");
          }
          long step =
              stepSeconds == 0
                  ? QueryApi.defaultStep(sel.untilNanos() - sel.fromNanos())
                  : (long) (stepSeconds * 1e9);
          SeriesResult r =
              queries.series(
                  tenant,
                  sel,
                  step,
                  req.getGroupByList(),
                  req.getAggregation() == SeriesRequest.Aggregation.AGGREGATION_AVERAGE
                      ? SeriesResult.Aggregation.AVERAGE
                      : SeriesResult.Aggregation.SUM,
                  ctx);
          SeriesResponse.Builder b =
              SeriesResponse.newBuilder()
                  .setProfileType(r.profileType())
                  .setStepSeconds(r.stepNanos() / 1e9)
                  .setStats(stats(r.stats()));
          for (SeriesResult.Series s : r.series()) {
            dev.ember.proto.query.v1.Series.Builder sb =
                dev.ember.proto.query.v1.Series.newBuilder()
                    .putAllLabels(s.labels())
                    .setTotal(s.total());
            for (int i = 0; i < s.values().length; i++) {
              if (s.counts()[i] > 0) {
                sb.addPoints(
                    Point.newBuilder()
                        .setTimestampMs((r.fromNanos() + i * r.stepNanos()) / 1_000_000L)
                        .setValue(s.values()[i])
                        .setProfiles(s.counts()[i]));
              }
            }
            b.addSeries(sb);
          }
          return b.build();
        });
  }

  @Override
  public void profileTypes(ProfileTypesRequest req, StreamObserver<ProfileTypesResponse> response) {
    run(
        response,
        (tenant, now, ctx) -> {
          long[] r = range(req.getFrom(), req.getUntil(), "now-1h", now);
          ProfileTypesResponse.Builder b = ProfileTypesResponse.newBuilder();
          for (String id : queries.profileTypes(tenant, r[0], r[1], ctx)) {
            String[] p = id.split(":", -1);
            ProfileType.Builder t = ProfileType.newBuilder().setId(id);
            if (p.length == 5) {
              t.setName(p[0])
                  .setSampleType(p[1])
                  .setSampleUnit(p[2])
                  .setPeriodType(p[3])
                  .setPeriodUnit(p[4]);
            }
            b.addProfileTypes(t);
          }
          return b.build();
        });
  }

  @Override
  public void labelNames(LabelNamesRequest req, StreamObserver<LabelNamesResponse> response) {
    run(
        response,
        (tenant, now, ctx) -> {
          long[] r = range(req.getFrom(), req.getUntil(), "now-1h", now);
          return LabelNamesResponse.newBuilder()
              .addAllNames(
                  queries.labelNames(tenant, optionalQuery(req.getQuery()), r[0], r[1], ctx))
              .build();
        });
  }

  @Override
  public void labelValues(LabelValuesRequest req, StreamObserver<LabelValuesResponse> response) {
    run(
        response,
        (tenant, now, ctx) -> {
          if (req.getName().isEmpty()) {
            throw new IllegalArgumentException("name is missing");
          }
          long[] r = range(req.getFrom(), req.getUntil(), "now-1h", now);
          int limit = orDefault(req.getLimit(), 1000, QueryLimits.MAX_RESULTS, "limit");
          LabelValues v =
              queries.labelValues(
                  tenant, req.getName(), optionalQuery(req.getQuery()), r[0], r[1], limit, ctx);
          return LabelValuesResponse.newBuilder()
              .addAllValues(v.values())
              .setTruncated(v.truncated())
              .build();
        });
  }

  @Override
  public void listProfiles(ListProfilesRequest req, StreamObserver<ListProfilesResponse> response) {
    run(
        response,
        (tenant, now, ctx) -> {
          Selection sel = selection(req.getSelector(), now, "selector");
          int limit = orDefault(req.getLimit(), 100, QueryLimits.MAX_RESULTS, "limit");
          ListProfilesResponse.Builder b = ListProfilesResponse.newBuilder();
          for (ProfileSummary p : queries.profiles(tenant, sel, limit, ctx)) {
            b.addProfiles(summary(p));
          }
          return b.setStats(stats(ctx.stats())).build();
        });
  }

  @Override
  public void getProfile(GetProfileRequest req, StreamObserver<GetProfileResponse> response) {
    run(
        response,
        (tenant, now, ctx) -> {
          long[] r = range(req.getFrom(), req.getUntil(), "now-24h", now);
          int maxNodes = maxNodes(req.getMaxNodes());
          Optional<ProfileDetail> d = queries.profile(tenant, req.getId(), r[0], r[1], ctx);
          if (d.isEmpty()) {
            throw Status.NOT_FOUND
                .withDescription("no profile " + req.getId() + " in the time range; widen it")
                .asRuntimeException();
          }
          return GetProfileResponse.newBuilder()
              .setProfile(summary(d.get().summary()))
              .setPeriod(d.get().period())
              .setFlamegraph(flameGraph(FlameGraph.of(d.get().tree(), maxNodes)))
              .build();
        });
  }

  @Override
  public void trace(TraceRequest req, StreamObserver<TraceResponse> response) {
    run(
        response,
        (tenant, now, ctx) -> {
          long[] r = range(req.getFrom(), req.getUntil(), "now-24h", now);
          int maxNodes = maxNodes(req.getMaxNodes());
          TraceResult t =
              queries.trace(
                  tenant, req.getTraceId(), req.getSpanId(), req.getProfileType(), r[0], r[1], ctx);
          TraceResponse.Builder b =
              TraceResponse.newBuilder()
                  .setTraceId(t.traceId())
                  .setSpanId(t.spanId())
                  .setProfileType(t.profileType())
                  .addAllProfileTypes(t.profileTypes())
                  .setTotal(t.tree().grandTotal())
                  .setFlamegraph(flameGraph(FlameGraph.of(t.tree(), maxNodes)))
                  .setStats(stats(t.stats()));
          for (SpanTotal s : t.spans()) {
            b.addSpans(spanTotal(s));
          }
          return b.build();
        });
  }

  @Override
  public void frameContributors(
      FrameContributorsRequest req, StreamObserver<FrameContributorsResponse> response) {
    run(
        response,
        (tenant, now, ctx) -> {
          Selection sel = selection(req.getSelector(), now, "selector");
          int limit = orDefault(req.getLimit(), 20, QueryLimits.MAX_RESULTS, "limit");
          ContributorsResult c = queries.contributors(tenant, sel, req.getFrame(), limit, ctx);
          FrameContributorsResponse.Builder b =
              FrameContributorsResponse.newBuilder()
                  .setProfileType(c.profileType())
                  .setFrame(c.frame())
                  .setFrameTotal(c.frameTotal())
                  .setLinkedTotal(c.linkedTotal())
                  .setSpanCount(c.spanCount())
                  .setStats(stats(c.stats()));
          for (SpanTotal s : c.spans()) {
            b.addSpans(spanTotal(s));
          }
          return b.build();
        });
  }

  @Override
  public void export(ExportRequest req, StreamObserver<ExportResponse> response) {
    run(
        response,
        (tenant, now, ctx) -> {
          Selection sel = selection(req.getSelector(), now, "selector");
          MergeResult r = queries.merge(tenant, sel, ctx);
          ExportResponse.Builder b = ExportResponse.newBuilder().setProfileType(r.profileType());
          switch (req.getFormat()) {
            case FORMAT_FOLDED ->
                b.setContentType("text/plain; charset=utf-8")
                    .setData(ByteString.copyFromUtf8(FoldedStacks.toString(r.tree())));
            case FORMAT_SVG ->
                b.setContentType("image/svg+xml")
                    .setData(
                        ByteString.copyFrom(
                            FlameSvg.render(
                                    FlameGraph.of(r.tree(), maxNodes(req.getMaxNodes())),
                                    "merged " + r.profileType(),
                                    Units.unitOf(r.profileType()))
                                .getBytes(StandardCharsets.UTF_8)));
            case FORMAT_PPROF -> {
              ByteArrayOutputStream out = new ByteArrayOutputStream();
              PprofExport.write(r.tree(), r.profileType(), r.fromNanos(), r.untilNanos(), out);
              b.setContentType("application/octet-stream")
                  .setData(ByteString.copyFrom(out.toByteArray()));
            }
            default -> throw new IllegalArgumentException("unknown format " + req.getFormat());
          }
          return b.build();
        });
  }
}
