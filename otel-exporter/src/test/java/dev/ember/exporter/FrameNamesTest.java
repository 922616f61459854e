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
  void numberedReflectionProxyAndCglibClasses() {
    assertThat(FrameNames.stableType("jdk.internal.reflect.GeneratedMethodAccessor123"))
        .isEqualTo("jdk.internal.reflect.GeneratedMethodAccessor");
    assertThat(FrameNames.stableType("sun/reflect/GeneratedConstructorAccessor7"))
        .isEqualTo("sun/reflect/GeneratedConstructorAccessor");
    assertThat(FrameNames.stableType("jdk.proxy2.$Proxy45")).isEqualTo("jdk.proxy.$Proxy");
    assertThat(FrameNames.stableType("com/sun/proxy/$Proxy12")).isEqualTo("com/sun/proxy/$Proxy");
    assertThat(FrameNames.stableType("com.acme.Orders$$EnhancerBySpringCGLIB$$1a2b3c4d"))
        .isEqualTo("com.acme.Orders$$EnhancerBySpringCGLIB");
    assertThat(FrameNames.stableType("com.acme.Orders$$FastClassByCGLIB$$9f8e7d6c"))
        .isEqualTo("com.acme.Orders$$FastClassByCGLIB");
    assertThat(FrameNames.stableType("com/acme/Orders$$SpringCGLIB$$0"))
        .isEqualTo("com/acme/Orders$$SpringCGLIB");
  }

  @Test
  void proxyOfThisJvmLosesItsNumber() {
    Runnable proxy =
        (Runnable)
            java.lang.reflect.Proxy.newProxyInstance(
                getClass().getClassLoader(), new Class<?>[] {Runnable.class}, (p, m, a) -> null);
    String name = proxy.getClass().getName(); // "jdk.proxy1.$Proxy12" or "com.sun.proxy.$Proxy12"
    assertThat(name).matches(".*\\$Proxy\\d+");
    assertThat(FrameNames.stableType(name)).endsWith(".$Proxy").doesNotContainPattern("\\d");
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
          "com/acme/Proxy12",
          "com/acme/jdk/proxy2/Type",
          "com/acme/GeneratedMethodAccessorFactory",
          "com/acme/Orders$$SpringCGLIB$$Helper",
        }) {
      assertThat(FrameNames.stableType(name)).as(name).isEqualTo(name);
    }
  }
}
