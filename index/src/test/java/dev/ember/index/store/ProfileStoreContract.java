package dev.ember.index.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ember.index.query.FlameQL;
import dev.ember.index.query.FlameTree;
import dev.ember.index.query.Selection;
import dev.ember.wire.ProfileRef;
import dev.ember.wire.ProfileRequests;
import io.opentelemetry.proto.collector.profiles.v1development.ExportProfilesServiceRequest;
import io.opentelemetry.proto.common.v1.AnyValue;
import io.opentelemetry.proto.common.v1.InstrumentationScope;
import io.opentelemetry.proto.common.v1.KeyValue;
import io.opentelemetry.proto.profiles.v1development.ScopeProfiles;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The behaviour every {@link ProfileStore} must have, whatever engine is behind it: extend this
 * class and implement {@link #open}. The embedded Lucene store runs it ({@code
 * LuceneProfileStoreContractTest}); a store on a distributed engine (OpenSearch) runs the same
 * tests from this module's test jar.
 *
 * <p>Times are fixed (late 2025) and the clock is a {@link MutableClock}, so retention and "too
 * old" are deterministic. The random duel prints its seed; rerun one with {@code -Dtests.seed=}.
 */
public abstract class ProfileStoreContract {
  protected static final long HOUR = 3_600_000_000_000L;
  protected static final long DAY = 24 * HOUR;
  protected static final long T0 = 1_763_769_600_000_000_000L; // an hour boundary
  protected static final String CPU = "process_cpu:cpu:nanoseconds:cpu:nanoseconds";
  protected static final Limits NO_RETENTION = Limits.DEFAULT.withRetention(Limits.KEEP_FOREVER);

  @TempDir protected Path dir;
  protected final MutableClock clock = MutableClock.atNanos(T0 + 2 * DAY);

  /**
   * Opens the store under test on {@code dir}. Opening again on the same directory (after {@link
   * ProfileStore#close}) must show the same data; an engine that keeps data elsewhere maps the
   * directory to its own namespace.
   */
  protected abstract ProfileStore open(Path dir, TenantLimits limits, Clock clock)
      throws IOException;

  protected ProfileStore open(Limits limits) throws IOException {
    return open(dir, TenantLimits.of(limits), clock);
  }

  protected ProfileStore open() throws IOException {
    return open(NO_RETENTION);
  }

  protected static Selection select(String query, long from, long until) {
    return new Selection(FlameQL.parse(query), from, until);
  }

  protected static long total(ProfileStore s, String tenant, String query, long from, long until)
      throws IOException {
    return s.merge(tenant, select(query, from, until)).grandTotal();
  }

  protected static ExportProfilesServiceRequest simple(String service, long time) {
    return ProfileRequests.request()
        .service(service)
        .cpuProfile(time)
        .sample(30, "main", "handle", "parse")
        .sample(10, "main", "handle")
        .sample(5, "main", "gc")
        .build();
  }

  // ---- storing and merging ----

  @Test
  void storesTheAcceptedProfilesAndMergesEqualSamples() throws Exception {
    ExportProfilesServiceRequest req =
        ProfileRequests.request()
            .service("a")
            .cpuProfile(T0 + 1)
            .sample(3, "main", "x")
            .sample(4, "main", "x") // same identity as the first: merged
            .sample(5, "main", "y")
            .cpuProfile(T0 + 2)
            .sample(100, "main", "refused")
            .cpuProfile(T0 + 3)
            .sample(7, "main", "x")
            .build();
    try (ProfileStore s = open()) {
      IngestResult r = s.ingest("t", req, ref -> ref.profile() != 1);
      assertThat(r.profiles()).isEqualTo(2);
      assertThat(r.samples()).isEqualTo(3); // (x, y) + (x)
      assertThat(r.rejected()).isEmpty();
      FlameTree tree = s.merge("t", select(CPU + "{}", T0, T0 + HOUR));
      assertThat(Folded.of(tree)).isEqualTo(Map.of("main;x", 14L, "main;y", 5L));
    }
  }

  @Test
  void selectsBySeriesLabelsAndTimeAcrossPartitions() throws Exception {
    try (ProfileStore s = open()) {
      s.ingest("t", simple("checkout", T0 + 1000), r -> true);
      s.ingest("t", simple("checkout", T0 + HOUR + 5), r -> true);
      s.ingest("t", simple("search", T0 + 10), r -> true);
      assertThat(total(s, "t", CPU + "{}", T0, T0 + 2 * HOUR)).isEqualTo(3 * 45);
      assertThat(total(s, "t", CPU + "{service_name=\"checkout\"}", T0, T0 + 2 * HOUR))
          .isEqualTo(2 * 45);
      assertThat(total(s, "t", CPU + "{service_name!=\"checkout\"}", T0, T0 + 2 * HOUR))
          .isEqualTo(45);
      assertThat(total(s, "t", CPU + "{service_name=~\"ch.*\"}", T0 + 500, T0 + HOUR))
          .isEqualTo(45);
      assertThat(total(s, "t", CPU + "{region=\"\"}", T0, T0 + 2 * HOUR)).isEqualTo(3 * 45);
      assertThat(total(s, "t", CPU + "{}", T0 + 11, T0 + 1000)).isZero(); // [from, until)
      assertThat(s.profileTypes("t", T0, T0 + 2 * HOUR)).containsExactly(CPU);
      assertThat(s.profileTypes("t", T0 + 3 * HOUR, T0 + 4 * HOUR)).isEmpty();
    }
  }

  @Test
  void resourceAndScopeAttributesBecomeLabelsInPlainAndStringTableForms() throws Exception {
    ProfileRequests.Builder b =
        ProfileRequests.request()
            .resource(Map.of("service.name", "plain-svc", "deployment.environment.name", "prod"))
            .cpuProfile(T0 + 1)
            .sample(2, "main", "a")
            .resource(Map.of("process.executable.name", "java"))
            .cpuProfile(T0 + 2)
            .sample(3, "main", "b");
    ExportProfilesServiceRequest plain = b.build();
    int key = b.string("service.name");
    int value = b.string("indexed-svc");
    int scopeKey = b.string("library.tier");
    int scopeValue = b.string("gold");
    ExportProfilesServiceRequest.Builder req = b.build().toBuilder();
    // A third resource whose attributes and scope attributes point into the string table
    // (proto 1.10+), with two scopes sharing the one dictionary.
    req.addResourceProfiles(
        plain.getResourceProfiles(0).toBuilder()
            .setResource(
                io.opentelemetry.proto.resource.v1.Resource.newBuilder()
                    .addAttributes(
                        KeyValue.newBuilder()
                            .setKeyStrindex(key)
                            .setValue(AnyValue.newBuilder().setStringValueStrindex(value))))
            .setScopeProfiles(
                0,
                ScopeProfiles.newBuilder(plain.getResourceProfiles(0).getScopeProfiles(0))
                    .setScope(
                        InstrumentationScope.newBuilder()
                            .addAttributes(
                                KeyValue.newBuilder()
                                    .setKeyStrindex(scopeKey)
                                    .setValue(
                                        AnyValue.newBuilder().setStringValueStrindex(scopeValue)))))
            .addScopeProfiles(plain.getResourceProfiles(0).getScopeProfiles(0)));
    try (ProfileStore s = open()) {
      IngestResult r = s.ingest("t", req.build(), ref -> true);
      assertThat(r.profiles()).isEqualTo(4);
      String sel = "{deployment_environment_name=\"prod\",service_name=\"plain-svc\"}";
      assertThat(total(s, "t", CPU + sel, T0, T0 + HOUR)).isEqualTo(2);
      assertThat(total(s, "t", CPU + "{service_name=\"unknown_service:java\"}", T0, T0 + HOUR))
          .isEqualTo(3);
      assertThat(
              total(
                  s,
                  "t",
                  CPU + "{service_name=\"indexed-svc\",library_tier=\"gold\"}",
                  T0,
                  T0 + HOUR))
          .isEqualTo(2);
      assertThat(total(s, "t", CPU + "{service_name=\"indexed-svc\"}", T0, T0 + HOUR)).isEqualTo(4);
    }
  }

  @Test
  void derivesProfileTypesAsPyroscopeDoesForOtlp() throws Exception {
    ExportProfilesServiceRequest req =
        ProfileRequests.request()
            .service("ebpf")
            // eBPF-profiler style: sample counts with a CPU period are CPU time, count x period.
            .profile(new String[] {"samples", "count", "cpu", "nanoseconds"}, 50, T0 + 1, HOUR)
            .sample(3, "main", "hot")
            .profile(new String[] {"alloc_space", "bytes", "space", "bytes"}, 512, T0 + 1, HOUR)
            .sample(4096, "main", "alloc")
            .build();
    try (ProfileStore s = open()) {
      s.ingest("t", req, ref -> true);
      assertThat(s.profileTypes("t", T0, T0 + HOUR))
          .containsExactly("memory:alloc_space:bytes:space:bytes", CPU);
      assertThat(total(s, "t", CPU + "{}", T0, T0 + HOUR)).isEqualTo(150);
      assertThat(total(s, "t", "memory:alloc_space:bytes:space:bytes{}", T0, T0 + HOUR))
          .isEqualTo(4096);
    }
  }

  // ---- trace and span links ----

  @Test
  void findsTheSamplesOfATraceOrSpanAmongManyProfiles() throws Exception {
    byte[] trace = HexFormat.of().parseHex("1122aabbccddeeff0000000000000000");
    byte[] span = HexFormat.of().parseHex("ff01020304050607");
    byte[] otherSpan = HexFormat.of().parseHex("0000000000000001");
    try (ProfileStore s = open()) {
      for (int i = 0; i < 40; i++) {
        ProfileRequests.Builder b =
            ProfileRequests.request().service("svc").cpuProfile(T0 + i * 1_000_000_000L);
        b.sample(1, null, null, Map.of("thread.name", "pool-" + (i % 3)), "main", "idle");
        if (i == 17) {
          b.sample(7, trace, span, Map.of("span.name", "GET /checkout"), "main", "inSpan");
          b.sample(5, trace, otherSpan, Map.of(), "main", "otherSpan");
        }
        s.ingest("t", b.build(), r -> true);
      }
      assertThat(
              total(s, "t", CPU + "{trace_id=\"1122aabbccddeeff0000000000000000\"}", T0, T0 + HOUR))
          .isEqualTo(12);
      assertThat(total(s, "t", CPU + "{span_id=\"ff01020304050607\"}", T0, T0 + HOUR)).isEqualTo(7);
      assertThat(total(s, "t", CPU + "{span_name=\"GET /checkout\"}", T0, T0 + HOUR)).isEqualTo(7);
      assertThat(total(s, "t", CPU + "{thread_name=\"pool-1\"}", T0, T0 + HOUR)).isEqualTo(13);
      assertThat(total(s, "t", CPU + "{span_id=\"0000000000000002\"}", T0, T0 + HOUR)).isZero();
      // Links stay per sample: they never create series.
      assertThat(total(s, "t", CPU + "{service_name=\"svc\"}", T0, T0 + HOUR)).isEqualTo(52);
    }
  }

  // ---- tenants ----

  @Test
  void noReadEverCrossesTenants() throws Exception {
    try (ProfileStore s = open()) {
      s.ingest("a", simple("shared-name", T0 + 1), r -> true);
      s.ingest("b", simple("shared-name", T0 + 2), r -> true);
      s.ingest(
          "b",
          ProfileRequests.request()
              .service("shared-name")
              .profile(new String[] {"alloc_space", "bytes", "space", "bytes"}, 1, T0 + 3, HOUR)
              .sample(9, "main", "alloc")
              .build(),
          r -> true);
      assertThat(total(s, "a", CPU + "{}", T0, T0 + HOUR)).isEqualTo(45);
      assertThat(total(s, "a", CPU + "{service_name=\"shared-name\"}", T0, T0 + HOUR))
          .isEqualTo(45);
      assertThat(total(s, "b", CPU + "{}", T0, T0 + HOUR)).isEqualTo(45);
      assertThat(s.profileTypes("a", T0, T0 + HOUR)).containsExactly(CPU);
      assertThat(s.profileTypes("b", T0, T0 + HOUR)).hasSize(2);
      assertThatThrownBy(() -> s.merge("a", select("alloc_space{}", T0, T0 + HOUR)))
          .isInstanceOf(IllegalArgumentException.class);
      assertThat(total(s, "c", CPU + "{}", T0, T0 + HOUR)).isZero();
      assertThat(s.profileTypes("c", T0, T0 + HOUR)).isEmpty();
      assertThat(s.stats().tenants()).containsOnlyKeys("a", "b");
    }
  }

  @Test
  void refusesInvalidTenantIds() throws Exception {
    try (ProfileStore s = open()) {
      for (String bad : new String[] {"../x", "a/b", "", ".", "..", "x".repeat(151), "é"}) {
        assertThatThrownBy(() -> s.ingest(bad, simple("svc", T0), r -> true))
            .as(bad)
            .isInstanceOf(IllegalArgumentException.class)
            .hasMessageContaining("invalid tenant id");
      }
      assertThat(s.stats().tenants()).isEmpty();
    }
  }

  // ---- durability ----

  @Test
  void reopeningShowsTheSameData() throws Exception {
    Map<String, Long> before;
    try (ProfileStore s = open()) {
      for (int i = 0; i < 30; i++) {
        s.ingest("t", simple("svc-" + (i % 3), T0 + i * 200_000_000_000L), r -> true);
      }
      before = Folded.of(s.merge("t", select(CPU + "{service_name!=\"svc-1\"}", T0 + 1, T0 + DAY)));
    }
    try (ProfileStore s = open()) {
      assertThat(
              Folded.of(s.merge("t", select(CPU + "{service_name!=\"svc-1\"}", T0 + 1, T0 + DAY))))
          .isEqualTo(before);
      assertThat(total(s, "t", CPU + "{service_name!=\"svc-1\"}", T0 + 1, T0 + DAY))
          .isEqualTo(19 * 45); // 20 profiles of svc-0/svc-2, minus the one at T0
      s.ingest("t", simple("svc-0", T0 + 5), r -> true);
      // svc-0 had i = 0, 3, ..., 15 in the first hour; one more now.
      assertThat(total(s, "t", CPU + "{service_name=\"svc-0\"}", T0, T0 + HOUR)).isEqualTo(7 * 45);
    }
  }

  @Test
  void concurrentIngestLosesNothing() throws Exception {
    int threads = 4;
    int perThread = 50;
    try (ProfileStore s = open()) {
      ExecutorService pool = Executors.newFixedThreadPool(threads);
      try {
        List<Future<?>> futures = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
          int id = t;
          futures.add(
              pool.submit(
                  () -> {
                    for (int i = 0; i < perThread; i++) {
                      s.ingest(
                          "t",
                          ProfileRequests.request()
                              .service("svc-" + id)
                              .cpuProfile(T0 + (i % 7) * HOUR / 2)
                              .sample(1, "main", "w" + id, "f" + (i % 5))
                              .build(),
                          r -> true);
                    }
                    return null;
                  }));
        }
        for (Future<?> f : futures) {
          f.get(60, TimeUnit.SECONDS);
        }
      } finally {
        pool.shutdownNow();
      }
      assertThat(total(s, "t", CPU + "{}", T0, T0 + DAY)).isEqualTo(threads * perThread);
      assertThat(total(s, "t", CPU + "{service_name=\"svc-2\"}", T0, T0 + DAY))
          .isEqualTo(perThread);
    }
  }

  // ---- limits ----

  @Test
  void profilesOverALimitAreRefusedAloneWithAMessageNamingTheLimit() throws Exception {
    Limits limits =
        NO_RETENTION
            .withMaxSamplesPerProfile(3)
            .withMaxLabels(3)
            .withMaxLabelNameLength(20)
            .withMaxLabelValueLength(30);
    ExportProfilesServiceRequest req =
        ProfileRequests.request()
            .service("ok")
            .cpuProfile(T0 + 1)
            .sample(1, "main", "a")
            .service("many-samples")
            .cpuProfile(T0 + 1)
            .sample(1, "a")
            .sample(1, "b")
            .sample(1, "c")
            .sample(1, "d")
            .resource(Map.of("service.name", "many-labels", "a", "1", "b", "2", "c", "3"))
            .cpuProfile(T0 + 1)
            .sample(1, "main")
            .resource(Map.of("service.name", "long-name", "a_very_long_label_name_indeed", "1"))
            .cpuProfile(T0 + 1)
            .sample(1, "main")
            .resource(Map.of("service.name", "long-value", "cmd", "x".repeat(31)))
            .cpuProfile(T0 + 1)
            .sample(1, "main")
            .service("long-attribute")
            .cpuProfile(T0 + 1)
            .sample(1, null, null, Map.of("thread.name", "t".repeat(31)), "main")
            .service("too-old")
            .cpuProfile(T0 - 400 * DAY)
            .sample(1, "main")
            .service("too-new")
            .cpuProfile(T0 + 2 * DAY + 2 * HOUR)
            .sample(1, "main")
            .build();
    try (ProfileStore s = open(limits.withRetention(Duration.ofDays(365)))) {
      IngestResult r = s.ingest("t", req, ref -> true);
      assertThat(r.profiles()).isEqualTo(1);
      assertThat(r.rejected())
          .extracting(Rejection::reason)
          .containsExactly(
              "too_many_samples",
              "too_many_labels",
              "label_name_too_long",
              "label_value_too_long",
              "label_value_too_long",
              "too_old",
              "too_new");
      assertThat(r.rejected())
          .extracting(Rejection::ref)
          .containsExactly(
              new ProfileRef(1, 0, 0),
              new ProfileRef(2, 0, 0),
              new ProfileRef(3, 0, 0),
              new ProfileRef(4, 0, 0),
              new ProfileRef(5, 0, 0),
              new ProfileRef(6, 0, 0),
              new ProfileRef(7, 0, 0));
      assertThat(r.rejected().get(0).message())
          .contains("resource_profiles[1].scope_profiles[0].profiles[0] has 4 samples")
          .contains("max-samples-per-profile");
      assertThat(r.rejected().get(1).message()).contains("max-labels");
      assertThat(r.rejected().get(2).message()).contains("max-label-name-length");
      assertThat(r.rejected().get(3).message()).contains("'cmd'").contains("max-label-value");
      assertThat(r.rejected().get(4).message()).contains("'thread.name'");
      assertThat(r.rejected().get(5).message()).contains("retention");
      assertThat(r.rejected().get(6).message()).contains("ahead of the backend's clock");
      assertThat(total(s, "t", CPU + "{}", 0, T0 + 3 * DAY)).isEqualTo(1);
    }
  }

  @Test
  void newSeriesOverTheSeriesLimitAreRefusedWhileKnownSeriesGoOn() throws Exception {
    try (ProfileStore s = open(NO_RETENTION.withMaxSeries(2))) {
      s.ingest("t", simple("a", T0 + 1), r -> true);
      s.ingest("t", simple("b", T0 + 2), r -> true);
      IngestResult r = s.ingest("t", simple("c", T0 + 3), ref -> true);
      assertThat(r.profiles()).isZero();
      assertThat(r.rejected())
          .singleElement()
          .extracting(Rejection::reason)
          .isEqualTo("series_limit");
      assertThat(r.rejected().get(0).message()).contains("max-series");
      assertThat(s.ingest("t", simple("a", T0 + 4), ref -> true).profiles()).isEqualTo(1);
      // Another tenant has its own budget.
      assertThat(s.ingest("u", simple("c", T0 + 3), ref -> true).profiles()).isEqualTo(1);
      assertThat(total(s, "t", CPU + "{}", T0, T0 + HOUR)).isEqualTo(3 * 45);
    }
  }

  @Test
  void stacksDeeperThanTheLimitKeepTheirLeafFramesUnderATruncatedRoot() throws Exception {
    ExportProfilesServiceRequest req =
        ProfileRequests.request()
            .service("deep")
            .cpuProfile(T0 + 1)
            .sample(4, "f0", "f1", "f2", "f3", "f4", "f5", "f6", "f7")
            .sample(1, "f0", "f1")
            .build();
    try (ProfileStore s = open(NO_RETENTION.withMaxStackDepth(5))) {
      s.ingest("t", req, r -> true);
      assertThat(Folded.of(s.merge("t", select(CPU + "{}", T0, T0 + HOUR))))
          .isEqualTo(Map.of("[truncated];f4;f5;f6;f7", 4L, "f0;f1", 1L));
    }
  }

  // ---- retention ----

  @Test
  void retentionDropsOldDataPerTenantAndRefusesDataOlderThanIt() throws Exception {
    Limits thirtyDays = Limits.DEFAULT; // 30 days
    TenantLimits limits =
        TenantLimits.of(thirtyDays)
            .withOverride("keep", thirtyDays.withRetention(Duration.ofDays(90)));
    clock.advance(Duration.ofDays(-2)); // now = T0
    try (ProfileStore s = open(dir, limits, clock)) {
      s.ingest("t", simple("svc", T0 - HOUR), r -> true);
      s.ingest("t", simple("svc", T0 - 40 * DAY), r -> true); // refused: already too old
      s.ingest("keep", simple("svc", T0 - HOUR), r -> true);
      assertThat(s.stats().tenants().get("t").partitions()).isEqualTo(1);
      assertThat(s.enforceRetention()).isZero();
      assertThat(total(s, "t", CPU + "{}", 0, T0 + DAY)).isEqualTo(45);

      clock.advance(Duration.ofDays(31));
      assertThat(s.enforceRetention()).isEqualTo(1);
      assertThat(total(s, "t", CPU + "{}", 0, T0 + DAY)).isZero();
      assertThat(total(s, "keep", CPU + "{}", 0, T0 + DAY)).isEqualTo(45);
      assertThat(s.stats().tenants().get("t").partitions()).isZero();
      IngestResult late = s.ingest("t", simple("svc", T0 - HOUR), r -> true);
      assertThat(late.rejected())
          .singleElement()
          .extracting(Rejection::reason)
          .isEqualTo("too_old");
    }
    try (ProfileStore s = open(dir, limits, clock)) {
      assertThat(total(s, "t", CPU + "{}", 0, T0 + DAY)).isZero();
      assertThat(total(s, "keep", CPU + "{}", 0, T0 + DAY)).isEqualTo(45);
    }
  }

  @Test
  void statsCountPartitionsAndBytesPerTenant() throws Exception {
    try (ProfileStore s = open()) {
      assertThat(s.stats().bytesOnDisk()).isZero();
      s.ingest("a", simple("svc", T0 + 1), r -> true);
      s.ingest("a", simple("svc", T0 + HOUR + 1), r -> true);
      s.ingest("b", simple("svc", T0 + 1), r -> true);
      StoreStats st = s.stats();
      assertThat(st.tenants().get("a").partitions()).isEqualTo(2);
      assertThat(st.tenants().get("b").partitions()).isEqualTo(1);
      assertThat(st.tenants().get("a").bytesOnDisk()).isPositive();
      assertThat(st.bytesOnDisk())
          .isEqualTo(st.tenants().get("a").bytesOnDisk() + st.tenants().get("b").bytesOnDisk());
    }
  }

  // ---- the duel: random data against a brute-force oracle ----

  @Test
  void matchesABruteForceOracleOnRandomData() throws Exception {
    long seed = Long.getLong("tests.seed", System.nanoTime());
    System.out.println("ProfileStoreContract duel seed: -Dtests.seed=" + seed);
    StoreOracle oracle = new StoreOracle(new java.util.Random(seed), T0);
    try (ProfileStore s = open()) {
      for (StoreOracle.Batch b : oracle.batches(60)) {
        IngestResult r = s.ingest(b.tenant(), b.request(), ref -> !b.refused().contains(ref));
        assertThat(r.profiles()).as("seed %d", seed).isEqualTo(b.acceptedProfiles());
      }
      for (StoreOracle.Check c : oracle.checks(80)) {
        assertThat(Folded.of(s.merge(c.tenant(), select(c.query(), c.from(), c.until()))))
            .as("seed %d: %s in [%d, %d) of %s", seed, c.query(), c.from(), c.until(), c.tenant())
            .isEqualTo(c.expected());
      }
    }
    try (ProfileStore s = open()) {
      for (StoreOracle.Check c : oracle.checks(20)) {
        assertThat(Folded.of(s.merge(c.tenant(), select(c.query(), c.from(), c.until()))))
            .as("seed %d after reopen: %s", seed, c.query())
            .isEqualTo(c.expected());
      }
    }
  }
}
