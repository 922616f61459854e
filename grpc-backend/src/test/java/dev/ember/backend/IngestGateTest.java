package dev.ember.backend;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class IngestGateTest {
  @Test
  void refusesWithARetryDelayWhenTheBudgetIsTaken() {
    IngestGate gate = new IngestGate(100);
    try (IngestGate.Reservation a = gate.reserve(60)) {
      assertThat(gate.inFlight()).isEqualTo(60);
      assertThatThrownBy(() -> gate.reserve(50))
          .isInstanceOfSatisfying(
              IngestException.class,
              e -> {
                assertThat(e.kind).isEqualTo(IngestException.Kind.OVERLOADED);
                assertThat(e.retryAfter).isEqualTo(Duration.ofSeconds(1));
                assertThat(e.getMessage()).contains("busy");
              });
      try (IngestGate.Reservation b = gate.reserve(40)) {
        assertThat(gate.inFlight()).isEqualTo(100);
      }
    }
    assertThat(gate.inFlight()).isZero();
  }

  @Test
  void aRequestLargerThanTheBudgetPassesAloneAndMayGrow() {
    IngestGate gate = new IngestGate(100);
    try (IngestGate.Reservation big = gate.reserve(500)) {
      big.growTo(900);
      assertThat(gate.inFlight()).isEqualTo(900);
      assertThatThrownBy(() -> gate.reserve(1)).isInstanceOf(IngestException.class);
    }
    assertThat(gate.inFlight()).isZero();
  }

  @Test
  void waitersGetRoomWhenItIsReleased() throws Exception {
    IngestGate gate = new IngestGate(100);
    IngestGate.Reservation a = gate.reserve(100);
    Thread t =
        new Thread(
            () -> {
              try {
                Thread.sleep(50);
              } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
              }
              a.close();
            });
    t.start();
    try (IngestGate.Reservation b = gate.reserve(100)) {
      assertThat(gate.inFlight()).isEqualTo(100);
    }
    t.join();
  }
}
