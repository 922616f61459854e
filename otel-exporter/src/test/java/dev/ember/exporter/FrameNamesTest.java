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

  /** Generated names as the JVM, JFR and libraries spell them, and the stable name expected. */
  private static final String[][] GENERATED = {
    {"com/acme/Orders$$Lambda/0x0000000801234567", "com/acme/Orders$$Lambda"}, // JDK 21+
    {"com/acme/Orders$$Lambda$14/0x0000000800c03000", "com/acme/Orders$$Lambda"}, // JDK 17
    {"com.acme.Orders$$Lambda.0x0000000801234567", "com.acme.Orders$$Lambda"}, // JFR, JDK 25
    {"com.acme.Orders$$Lambda$692+0x00007fded41c0f68.1963075870", "com.acme.Orders$$Lambda"},
    {"java/lang/invoke/LambdaForm$MH/0x00007f3c10012400", "java/lang/invoke/LambdaForm$MH"},
    {"com/acme/Orders$$Lambda$/0x12", "com/acme/Orders$$Lambda$"}, // "$" without a counter stays
    {
      "jdk.internal.reflect.GeneratedMethodAccessor123",
      "jdk.internal.reflect.GeneratedMethodAccessor"
    },
    {"sun/reflect/GeneratedConstructorAccessor7", "sun/reflect/GeneratedConstructorAccessor"},
    {"jdk.proxy2.$Proxy45", "jdk.proxy.$Proxy"},
    {"com/sun/proxy/$Proxy12", "com/sun/proxy/$Proxy"},
    {"com.acme.Orders$$EnhancerBySpringCGLIB$$1a2b3c4d", "com.acme.Orders$$EnhancerBySpringCGLIB"},
    {"com.acme.Orders$$FastClassByCGLIB$$9f8e7d6c", "com.acme.Orders$$FastClassByCGLIB"},
    {"com/acme/Orders$$SpringCGLIB$$0", "com/acme/Orders$$SpringCGLIB"},
  };

  @Test
  void generatedNamesLoseTheirAddressOrNumber() {
    for (String[] c : GENERATED) {
      assertThat(FrameNames.stableType(c[0])).as(c[0]).isEqualTo(c[1]);
    }
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
