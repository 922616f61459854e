package dev.ember.exporter;

import java.util.regex.Pattern;

/**
 * Stable names for classes the JVM generates at run time. A lambda's class is a hidden class named
 * after its address, so the same lambda gets a new name in every process and after every restart:
 * merged flame graphs would split it into one node per pod, and a diff against last week's deploy
 * would show it as removed and added. Dropping the address, and the load-order counter of lambdas,
 * names it by the class it was written in.
 *
 * <p>Spellings seen: {@code Class.getName()} on JDK 21+ {@code Foo$$Lambda/0x0000000801234567}; JFR
 * on JDK 25 {@code Foo$$Lambda.0x0000000801234567} (it turns slashes into dots); JFR on JDK 17
 * {@code Foo$$Lambda$692+0x00007fded41c0f68.1963075870} (counter, address, then a number of its
 * own). Called once per distinct method, so a regular expression costs nothing that matters.
 */
final class FrameNames {
  /** The address of a hidden class, and JDK 17 JFR's number after it, at the end of the name. */
  private static final Pattern HIDDEN_SUFFIX = Pattern.compile("[/.+]0x\\p{XDigit}+(?:[/.]\\d+)?$");

  /** The load-order counter of a lambda class on JDK 17 ({@code Foo$$Lambda$14}). */
  private static final Pattern LAMBDA_COUNTER = Pattern.compile("(?<=\\$\\$Lambda)\\$\\d+$");

  private FrameNames() {}

  /** The name without a hidden class's address; package separators are kept as given. */
  static String stableType(String type) {
    var hidden = HIDDEN_SUFFIX.matcher(type);
    if (!hidden.find()) {
      return type;
    }
    String named = type.substring(0, hidden.start());
    return LAMBDA_COUNTER.matcher(named).replaceFirst("");
  }
}
