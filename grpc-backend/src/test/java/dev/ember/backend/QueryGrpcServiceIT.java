package dev.ember.backend;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ember.index.query.FoldedStacks;
import dev.ember.proto.query.v1.DiffRequest;
import dev.ember.proto.query.v1.ExportRequest;
import dev.ember.proto.query.v1.FrameContributorsRequest;
import dev.ember.proto.query.v1.GetProfileRequest;
import dev.ember.proto.query.v1.LabelValuesRequest;
import dev.ember.proto.query.v1.ListProfilesRequest;
import dev.ember.proto.query.v1.MergeRequest;
import dev.ember.proto.query.v1.ProfileTypesRequest;
import dev.ember.proto.query.v1.QueryServiceGrpc;
import dev.ember.proto.query.v1.Selector;
import dev.ember.proto.query.v1.SeriesRequest;
import dev.ember.proto.query.v1.TopRequest;
import dev.ember.proto.query.v1.TraceRequest;
import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.stub.MetadataUtils;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/** {@code ember.query.v1.QueryService} over a real Netty server and client on loopback. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class QueryGrpcServiceIT {
  @TempDir static Path dir;
  Backend backend;
  ManagedChannel channel;
  QueryServiceGrpc.QueryServiceBlockingStub stub;

  static final Selector ALL =
      Selector.newBuilder()
          .setQuery("cpu{}")
          .setFrom(QueryFixture.FROM)
          .setUntil(QueryFixture.UNTIL)
          .build();

  @BeforeAll
  void start() throws Exception {
    backend = Backend.start(BackendConfig.forTests(dir));
    QueryFixture.ingest(backend);
    channel =
        NettyChannelBuilder.forAddress("127.0.0.1", backend.grpcPort()).usePlaintext().build();
    stub = QueryServiceGrpc.newBlockingStub(channel);
  }

  @AfterAll
  void stop() throws Exception {
    channel.shutdownNow();
    backend.close();
  }

  @Test
  void mergeTopDiffAndSeries() {
    var merge = stub.merge(MergeRequest.newBuilder().setSelector(ALL).build());
    assertThat(merge.getProfileType()).isEqualTo(QueryFixture.CPU);
    assertThat(merge.getTotal()).isEqualTo(72);
    assertThat(merge.getFlamegraph().getNumTicks()).isEqualTo(72);
    assertThat(merge.getStats().getPartitions()).isEqualTo(2);

    var top = stub.top(TopRequest.newBuilder().setSelector(ALL).setLimit(1).build());
    assertThat(top.getRows(0).getName()).isEqualTo("parse");
    assertThat(top.getRows(0).getSelf()).isEqualTo(57);

    var diff =
        stub.diff(
            DiffRequest.newBuilder()
                .setLeft(ALL.toBuilder().setQuery("cpu{service_name=\"checkout\"}"))
                .setRight(ALL.toBuilder().setQuery("cpu{service_name=\"search\"}"))
                .build());
    assertThat(diff.getFlamegraph().getLeftTicks()).isEqualTo(65);
    assertThat(diff.getFlamegraph().getRightTicks()).isEqualTo(7);
    assertThat(diff.getFunctions(0).getName())
        .isEqualTo("search"); // 0% -> 100%: the largest change

    var series =
        stub.series(
            SeriesRequest.newBuilder()
                .setSelector(ALL)
                .setStepSeconds(3600)
                .addGroupBy("service_name")
                .build());
    assertThat(series.getSeriesCount()).isEqualTo(2);
    assertThat(series.getSeries(0).getLabelsMap()).containsEntry("service_name", "checkout");
    assertThat(series.getSeries(0).getPointsCount()).isEqualTo(2);
  }

  @Test
  void labelsProfilesTracesAndExports() throws Exception {
    assertThat(
            stub.profileTypes(
                    ProfileTypesRequest.newBuilder()
                        .setFrom(QueryFixture.FROM)
                        .setUntil(QueryFixture.UNTIL)
                        .build())
                .getProfileTypes(0)
                .getSampleType())
        .isEqualTo("cpu");
    assertThat(
            stub.labelValues(
                    LabelValuesRequest.newBuilder()
                        .setName("service_name")
                        .setFrom(QueryFixture.FROM)
                        .setUntil(QueryFixture.UNTIL)
                        .build())
                .getValuesList())
        .containsExactly("checkout", "search");

    var list = stub.listProfiles(ListProfilesRequest.newBuilder().setSelector(ALL).build());
    assertThat(list.getProfilesCount()).isEqualTo(3);
    String id = list.getProfiles(0).getId();
    var one =
        stub.getProfile(
            GetProfileRequest.newBuilder()
                .setId(id)
                .setFrom(QueryFixture.FROM)
                .setUntil(QueryFixture.UNTIL)
                .build());
    assertThat(one.getProfile().getTotal()).isEqualTo(20);

    var trace =
        stub.trace(
            TraceRequest.newBuilder()
                .setTraceId(QueryFixture.TRACE)
                .setFrom(QueryFixture.FROM)
                .setUntil(QueryFixture.UNTIL)
                .build());
    assertThat(trace.getTotal()).isEqualTo(47);
    assertThat(trace.getSpansCount()).isEqualTo(3);

    var who =
        stub.frameContributors(
            FrameContributorsRequest.newBuilder().setSelector(ALL).setFrame("db").build());
    assertThat(who.getSpans(0).getSpanId()).isEqualTo(QueryFixture.SPAN_B);

    var folded =
        stub.export(
            ExportRequest.newBuilder()
                .setSelector(ALL)
                .setFormat(ExportRequest.Format.FORMAT_FOLDED)
                .build());
    assertThat(FoldedStacks.parse(folded.getData().toString(StandardCharsets.UTF_8)))
        .containsEntry("main;gc", 5L);
    var pprof =
        stub.export(
            ExportRequest.newBuilder()
                .setSelector(ALL)
                .setFormat(ExportRequest.Format.FORMAT_PPROF)
                .build());
    assertThat(pprof.getData().byteAt(0) & 0xff).isEqualTo(0x1f);
  }

  @Test
  void errorsCarryStatusCodesAndMessages() {
    assertThatThrownBy(
            () ->
                stub.merge(
                    MergeRequest.newBuilder()
                        .setSelector(ALL.toBuilder().setQuery("cpu{service_name=~\"(\"}"))
                        .build()))
        .isInstanceOfSatisfying(
            StatusRuntimeException.class,
            e -> {
              assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.INVALID_ARGUMENT);
              assertThat(e.getStatus().getDescription()).contains("invalid regular expression");
            });
    assertThatThrownBy(
            () ->
                stub.getProfile(
                    GetProfileRequest.newBuilder()
                        .setId("0".repeat(32))
                        .setFrom(QueryFixture.FROM)
                        .setUntil(QueryFixture.UNTIL)
                        .build()))
        .isInstanceOfSatisfying(
            StatusRuntimeException.class,
            e -> assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.NOT_FOUND));
    assertThatThrownBy(
            () ->
                stub.merge(
                    MergeRequest.newBuilder()
                        .setSelector(ALL.toBuilder().setFrom("now-400d").setUntil("now"))
                        .build()))
        .isInstanceOfSatisfying(
            StatusRuntimeException.class,
            e -> assertThat(e.getStatus().getDescription()).contains("--query-max-range"));
  }

  @Test
  void tenantsComeFromMetadata() {
    Metadata md = new Metadata();
    md.put(TenantInterceptor.HEADER, "someone-else");
    var other = stub.withInterceptors(MetadataUtils.newAttachHeadersInterceptor(md));
    assertThat(other.merge(MergeRequest.newBuilder().setSelector(ALL).build()).getTotal()).isZero();
  }
}
