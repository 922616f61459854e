package dev.ember.exporter;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class FrameNamesTest {

  @Test
  void lambdaOfThisJvmLosesItsAddress() {
    Runnable r = () -> {};
    String name =
        r.getClass().getName(); // "...FrameNamesTest$$Lambda/0x..." (or "$$Lambda$N/0x...")
    assertThat(name).contains("/0x");
    assertThat(FrameNames.stableType(name)).isEqualTo("dev.ember.exporter.FrameNamesTest$$Lambda");
  }

  @Test
  void bothJdkSpellingsOfLambdasAndOtherHiddenClasses() {
    assertThat(FrameNames.stableType("com/acme/Orders$$Lambda/0x0000000801234567"))
        .isEqualTo("com/acme/Orders$$Lambda");
    assertThat(FrameNames.stableType("com/acme/Orders$$Lambda$14/0x0000000800c03000"))
        .isEqualTo("com/acme/Orders$$Lambda");
    assertThat(FrameNames.stableType("com.acme.Orders$$Lambda.0x0000000801234567")) // JFR
        .isEqualTo("com.acme.Orders$$Lambda");
    assertThat(FrameNames.stableType("com.acme.Orders$$Lambda$14.0x0000000800c03000"))
        .isEqualTo("com.acme.Orders$$Lambda");
    assertThat(FrameNames.stableType("com.acme.Orders$$Lambda$692+0x00007fded41c0f68.1963075870"))
        .isEqualTo("com.acme.Orders$$Lambda"); // JFR on JDK 17
    assertThat(FrameNames.stableType("java/lang/invoke/LambdaForm$MH/0x00007f3c10012400"))
        .isEqualTo("java/lang/invoke/LambdaForm$MH");
    // A "$" that is not followed by a counter is part of the name.
    assertThat(FrameNames.stableType("com/acme/Orders$$Lambda$/0x12"))
        .isEqualTo("com/acme/Orders$$Lambda$");
  }

  @Test
  void ordinaryNamesAreUntouched() {
    for (String name :
        new String[] {
          "java/util/HashMap",
          "com/acme/Orders$1",
          "com/acme/Orders$$Lambda$Inner",
          "com/acme/0x12/Type",
          "com/acme/Type/0x",
          "com/acme/Type/0xZZ",
        }) {
      assertThat(FrameNames.stableType(name)).as(name).isEqualTo(name);
    }
  }
}
