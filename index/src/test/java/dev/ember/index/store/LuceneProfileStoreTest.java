package dev.ember.index.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ember.index.query.FlameGraph;
import dev.ember.index.query.FlameQL;
import dev.ember.index.query.FlameTree;
import dev.ember.index.query.Selection;
import dev.ember.wire.ProfileRequests;
import io.opentelemetry.proto.collector.profiles.v1development.ExportProfilesServiceRequest;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LuceneProfileStoreTest {
  static final long HOUR = 3_600_000_000_000L;
  static final long T0 = 1_763_769_600_000_000_000L; // an hour boundary
  static final String CPU = "process_cpu:cpu:nanoseconds:cpu:nanoseconds";

  @TempDir Path dir;

  static ExportProfilesServiceRequest request(String service, long time) {
    return ProfileRequests.request()
        .service(service)
        .cpuProfile(time)
        .sample(30, "main", "handle", "parse")
        .sample(10, "main", "handle")
        .sample(5, "main", "gc")
        .build();
  }

  static Selection select(String query, long from, long until) {
    return new Selection(FlameQL.parse(query), from, until);
  }

  @Test
  void mergesAcrossProfilesAndPartitionsAndFiltersBySeries() throws Exception {
    try (LuceneProfileStore store = new LuceneProfileStore(StoreConfig.of(dir))) {
      store.ingest("t1", request("checkout", T0 + 1000), r -> true);
      store.ingest("t1", request("checkout", T0 + HOUR + 5), r -> true);
      store.ingest("t1", request("search", T0 + 10), r -> true);

      FlameTree all = store.merge("t1", select(CPU + "{}", T0, T0 + 2 * HOUR));
      assertThat(all.grandTotal()).isEqualTo(3 * 45);

      FlameTree checkout =
          store.merge("t1", select(CPU + "{service_name=\"checkout\"}", T0, T0 + 2 * HOUR));
      assertThat(checkout.grandTotal()).isEqualTo(2 * 45);

      // A range inside one partition reads profiles instead of the partition aggregate.
      FlameTree firstHourPart =
          store.merge("t1", select(CPU + "{service_name=~\"check.*\"}", T0 + 500, T0 + HOUR));
      assertThat(firstHourPart.grandTotal()).isEqualTo(45);
      FlameGraph g = FlameGraph.of(firstHourPart, 100);
      assertThat(g.names()).contains("total", "main", "handle", "parse", "gc");
      assertThat(g.numTicks()).isEqualTo(45);
      assertThat(g.maxSelf()).isEqualTo(30);
    }
  }

  @Test
  void tenantsNeverSeeEachOther() throws Exception {
    try (LuceneProfileStore store = new LuceneProfileStore(StoreConfig.of(dir))) {
      store.ingest("a", request("svc", T0), r -> true);
      assertThat(store.merge("b", select(CPU + "{}", T0, T0 + HOUR)).grandTotal()).isZero();
      assertThat(store.profileTypes("b", T0, T0 + HOUR)).isEmpty();
      assertThat(store.merge("a", select(CPU + "{}", T0, T0 + HOUR)).grandTotal()).isEqualTo(45);
    }
  }

  @Test
  void reopeningGivesTheSameAnswer() throws Exception {
    long total;
    try (LuceneProfileStore store = new LuceneProfileStore(StoreConfig.of(dir))) {
      for (int i = 0; i < 20; i++) {
        store.ingest("t", request("svc-" + (i % 3), T0 + i * 10_000_000_000L), r -> true);
      }
      total =
          store
              .merge("t", select(CPU + "{service_name!=\"svc-1\"}", T0 + 1, T0 + HOUR))
              .grandTotal();
    }
    try (LuceneProfileStore store = new LuceneProfileStore(StoreConfig.of(dir))) {
      assertThat(
              store
                  .merge("t", select(CPU + "{service_name!=\"svc-1\"}", T0 + 1, T0 + HOUR))
                  .grandTotal())
          .isEqualTo(total)
          .isEqualTo(13 * 45 - 45); // 20 profiles, 7 of svc-1, minus the one at T0 (before from)
    }
  }

  @Test
  void sampleMatchersFilterSamplesByLinkAndAttribute() throws Exception {
    byte[] trace = new byte[16];
    trace[0] = 1;
    byte[] span = new byte[8];
    span[7] = 2;
    ExportProfilesServiceRequest req =
        ProfileRequests.request()
            .service("svc")
            .cpuProfile(T0)
            .sample(7, trace, span, Map.of("thread.name", "w1"), "main", "inSpan")
            .sample(11, null, null, Map.of("thread.name", "w2"), "main", "outside")
            .build();
    try (LuceneProfileStore store = new LuceneProfileStore(StoreConfig.of(dir))) {
      store.ingest("t", req, r -> true);
      String spanHex = "0000000000000002";
      assertThat(
              store
                  .merge("t", select(CPU + "{span_id=\"" + spanHex + "\"}", T0, T0 + HOUR))
                  .grandTotal())
          .isEqualTo(7);
      assertThat(store.merge("t", select(CPU + "{thread_name=\"w2\"}", T0, T0 + HOUR)).grandTotal())
          .isEqualTo(11);
      assertThat(store.merge("t", select(CPU + "{trace_id=\"\"}", T0, T0 + HOUR)).grandTotal())
          .isEqualTo(11);
    }
  }

  @Test
  void shortTypeNamesResolveAndUnknownOnesAreExplained() throws Exception {
    try (LuceneProfileStore store = new LuceneProfileStore(StoreConfig.of(dir))) {
      store.ingest("t", request("svc", T0), r -> true);
      assertThat(store.merge("t", select("cpu{}", T0, T0 + HOUR)).grandTotal()).isEqualTo(45);
      assertThatThrownBy(() -> store.merge("t", select("alloc_space{}", T0, T0 + HOUR)))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("unknown profile type 'alloc_space'")
          .hasMessageContaining(CPU);
    }
  }

  @Test
  void invalidTenantIsRefused() throws Exception {
    try (LuceneProfileStore store = new LuceneProfileStore(StoreConfig.of(dir))) {
      assertThatThrownBy(() -> store.ingest("../x", request("svc", T0), r -> true))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("invalid tenant id");
    }
  }
}
