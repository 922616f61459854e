package dev.ember.exporter;

import java.util.regex.Pattern;

/**
 * Stable names for classes the JVM or a framework generates at run time. Their names carry an
 * address or a load-order number, so the same code gets a new name in every process and after every
 * restart: merged flame graphs would split it into one node per pod, and a diff against last week's
 * deploy would show it as removed and added. Dropping the varying part names the code by what it
 * is; the method name still tells frames of one generated class apart.
 *
 * <p>Lambdas are hidden classes named after their address. Spellings seen: {@code Class.getName()}
 * on JDK 21+ {@code Foo$$Lambda/0x0000000801234567}; JFR on JDK 25 {@code
 * Foo$$Lambda.0x0000000801234567} (it turns slashes into dots); JFR on JDK 17 {@code
 * Foo$$Lambda$692+0x00007fded41c0f68.1963075870} (counter, address, then a number of its own). Also
 * numbered: reflection accessors ({@code GeneratedMethodAccessor123}, JDK 17), dynamic proxies
 * ({@code jdk.proxy2.$Proxy45}, {@code com.sun.proxy.$Proxy12}) and CGLIB subclasses ({@code
 * Foo$$EnhancerBySpringCGLIB$$1a2b3c4d}, {@code Foo$$SpringCGLIB$$0}). Called once per distinct
 * method, so regular expressions cost nothing that matters.
 */
final class FrameNames {
  /** The address of a hidden class, and JDK 17 JFR's number after it, at the end of the name. */
  private static final Pattern HIDDEN_SUFFIX = Pattern.compile("[/.+]0x\\p{XDigit}+(?:[/.]\\d+)?$");

  /** Numbers that only say in which order the JVM or a library generated the class. */
  private static final Pattern LOAD_ORDER_NUMBER =
      Pattern.compile(
          "(?<=\\$\\$Lambda)\\$\\d+$"
              + "|(?<=Generated(?:Method|Constructor|SerializationConstructor)Accessor)\\d+$"
              + "|(?<=\\$Proxy)\\d+$"
              + "|(?<=^jdk[./]proxy)\\d+(?=[./])"
              + "|(?<=\\$\\$(?:Enhancer|FastClass)By(?:Spring)?CGLIB)\\$\\$\\p{XDigit}+"
              + "|(?<=\\$\\$SpringCGLIB)\\$\\$\\d+");

  private FrameNames() {}

  /** The name without varying parts; package separators are kept as given. */
  static String stableType(String type) {
    var hidden = HIDDEN_SUFFIX.matcher(type);
    String named = hidden.find() ? type.substring(0, hidden.start()) : type;
    return LOAD_ORDER_NUMBER.matcher(named).replaceAll("");
  }
}
