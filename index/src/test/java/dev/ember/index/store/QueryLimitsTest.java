package dev.ember.index.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ember.index.query.FlameQL;
import dev.ember.index.query.QueryCancelledException;
import dev.ember.index.query.QueryContext;
import dev.ember.index.query.QueryLimitException;
import dev.ember.index.query.QueryLimits;
import dev.ember.index.query.Selection;
import dev.ember.wire.ProfileRequests;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Every limit fails with a message that names it, and cancellation stops a query. */
class QueryLimitsTest {
  static final long HOUR = 3_600_000_000_000L;
  static final long T0 = 1_763_769_600_000_000_000L;

  @TempDir Path dir;

  static QueryContext with(Duration range, int series, int nodes, Duration timeout) {
    return QueryContext.of(new QueryLimits(range, series, nodes, timeout));
  }

  @Test
  void limitsAreEnforcedWithClearErrors() throws Exception {
    try (LuceneProfileStore store = new LuceneProfileStore(StoreConfig.of(dir));
        ProfileQueries q = store.queries(2)) {
      for (String service : new String[] {"a", "b", "c"}) {
        ProfileRequests.Builder b = ProfileRequests.request().service(service).cpuProfile(T0 + 5);
        for (int i = 0; i < 20; i++) {
          b.sample(1, "main", "f" + i, "g" + i);
        }
        store.ingest("t", b.build(), ref -> true);
      }
      Selection all = new Selection(FlameQL.parse("cpu{}"), T0, T0 + HOUR);
      assertThat(q.merge("t", all, QueryContext.defaults()).tree().grandTotal()).isEqualTo(60);

      assertThatThrownBy(
              () -> q.merge("t", all, with(Duration.ofDays(1), 2, 1000, Duration.ofMinutes(1))))
          .isInstanceOf(QueryLimitException.class)
          .hasMessageContaining("3 series match")
          .hasMessageContaining("limit of 2")
          .extracting(e -> ((QueryLimitException) e).setting())
          .isEqualTo("--query-max-series");

      assertThatThrownBy(
              () -> q.merge("t", all, with(Duration.ofDays(1), 100, 30, Duration.ofMinutes(1))))
          .isInstanceOf(QueryLimitException.class)
          .hasMessageContaining("exceeds the limit of 30 nodes");

      assertThatThrownBy(
              () ->
                  q.merge(
                      "t",
                      new Selection(all.query(), T0 - 2 * HOUR, T0 + HOUR),
                      with(Duration.ofHours(2), 100, 1000, Duration.ofMinutes(1))))
          .isInstanceOf(QueryLimitException.class)
          .hasMessageContaining("the time range of 3h exceeds the limit of 2h");

      QueryContext cancelled = QueryContext.defaults();
      cancelled.cancel("the client went away");
      assertThatThrownBy(() -> q.merge("t", all, cancelled))
          .isInstanceOf(QueryCancelledException.class)
          .hasMessage("the client went away");

      QueryContext late = with(Duration.ofDays(1), 100, 1000, Duration.ofNanos(1));
      Thread.sleep(2);
      assertThatThrownBy(() -> q.merge("t", all, late))
          .isInstanceOfSatisfying(
              QueryCancelledException.class, e -> assertThat(e.timedOut()).isTrue());
    }
  }
}
