package dev.ember.backend;

import dev.ember.wire.ProfileRequests;
import java.util.HexFormat;
import java.util.Map;

/**
 * Test data for the query API tests: three CPU profiles in two one-hour partitions, some samples
 * linked to two spans of one trace.
 *
 * <pre>
 * checkout @T0+1m:  main;handle;parse 30 (span A, "GET /cart", w1)
 *                   main;handle;db    10 (span B, "GET /cart", w2)
 *                   main;gc            5
 * checkout @T0+61m: main;handle;parse 20
 * search   @T0+2m:  main;search;parse  7 (span A, "GET /cart")
 * </pre>
 */
final class QueryFixture {
  static final String CPU = "process_cpu:cpu:nanoseconds:cpu:nanoseconds";
  static final long HOUR = 3_600_000_000_000L;
  static final long T0 = 1_763_769_600_000_000_000L; // an hour boundary
  static final String TRACE = "0102030405060708090a0b0c0d0e0f10";
  static final String SPAN_A = "1111111111111111";
  static final String SPAN_B = "2222222222222222";
  static final String FROM = Long.toString(T0 / 1_000_000_000L);
  static final String UNTIL = Long.toString((T0 + 2 * HOUR) / 1_000_000_000L);

  private QueryFixture() {}

  static void ingest(Backend backend) throws Exception {
    HexFormat hex = HexFormat.of();
    byte[] trace = hex.parseHex(TRACE);
    var store = backend.store();
    store.ingest(
        "anonymous",
        ProfileRequests.request()
            .service("checkout")
            .cpuProfile(T0 + 60_000_000_000L)
            .sample(
                30,
                trace,
                hex.parseHex(SPAN_A),
                Map.of("span.name", "GET /cart", "thread.name", "w1"),
                "main",
                "handle",
                "parse")
            .sample(
                10,
                trace,
                hex.parseHex(SPAN_B),
                Map.of("span.name", "GET /cart", "thread.name", "w2"),
                "main",
                "handle",
                "db")
            .sample(5, "main", "gc")
            .build(),
        ref -> true);
    store.ingest(
        "anonymous",
        ProfileRequests.request()
            .service("checkout")
            .cpuProfile(T0 + HOUR + 60_000_000_000L)
            .sample(20, "main", "handle", "parse")
            .build(),
        ref -> true);
    store.ingest(
        "anonymous",
        ProfileRequests.request()
            .service("search")
            .cpuProfile(T0 + 120_000_000_000L)
            .sample(
                7,
                trace,
                hex.parseHex(SPAN_A),
                Map.of("span.name", "GET /cart"),
                "main",
                "search",
                "parse")
            .build(),
        ref -> true);
  }
}
