package dev.ember.backend;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ember.index.store.Limits;
import dev.ember.index.store.TenantLimits;
import org.junit.jupiter.api.Test;

class TenantRateLimiterTest {
  @Test
  void limitsOnlyTenantsWithARateAndSaysWhenToRetry() {
    Limits slow = Limits.DEFAULT.withMaxRequestBytes(4096).withIngestBytesPerSecond(1000);
    TenantRateLimiter r =
        new TenantRateLimiter(TenantLimits.of(Limits.DEFAULT).withOverride("slow", slow));
    for (int i = 0; i < 100; i++) {
      r.charge("fast", 10 << 20);
    }
    r.charge("slow", 4096); // the burst: one maximal request
    assertThatThrownBy(() -> r.charge("slow", 2000))
        .isInstanceOfSatisfying(
            IngestException.class,
            e -> {
              assertThat(e.kind).isEqualTo(IngestException.Kind.OVERLOADED);
              assertThat(e.reason).isEqualTo("rate_limited");
              assertThat(e.retryAfter.toMillis()).isBetween(1500L, 2100L);
              assertThat(e.getMessage()).contains("tenant 'slow'").contains("1000 bytes/s");
            });
    assertThatCode(() -> r.charge("other", 1 << 20)).doesNotThrowAnyException();
  }
}
