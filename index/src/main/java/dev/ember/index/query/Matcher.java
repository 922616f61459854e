package dev.ember.index.query;

import com.google.re2j.Pattern;
import com.google.re2j.PatternSyntaxException;
import java.util.Objects;

/**
 * One label matcher with Prometheus semantics: {@code =}, {@code !=}, {@code =~}, {@code !~};
 * regexes are RE2 (linear time, so a user's pattern cannot hang the server) and fully anchored; a
 * missing label has the value "", so {@code l=""} matches series without {@code l}.
 */
public record Matcher(String name, Op op, String value, Pattern pattern) {

  public enum Op {
    EQ("="),
    NEQ("!="),
    RE("=~"),
    NRE("!~");

    final String symbol;

    Op(String symbol) {
      this.symbol = symbol;
    }

    @Override
    public String toString() {
      return symbol;
    }
  }

  public Matcher {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(op, "op");
    Objects.requireNonNull(value, "value");
  }

  /** Creates a matcher; throws {@link IllegalArgumentException} for an invalid regex. */
  public static Matcher of(String name, Op op, String value) {
    Pattern p = null;
    if (op == Op.RE || op == Op.NRE) {
      try {
        p = Pattern.compile("^(?:" + value + ")$", Pattern.DOTALL);
      } catch (PatternSyntaxException e) {
        throw new IllegalArgumentException(
            "invalid regular expression for " + name + ": " + e.getMessage(), e);
      }
    }
    return new Matcher(name, op, value, p);
  }

  /** Whether a label value (null when the label is absent) satisfies this matcher. */
  public boolean matches(String labelValue) {
    String v = labelValue == null ? "" : labelValue;
    return switch (op) {
      case EQ -> v.equals(value);
      case NEQ -> !v.equals(value);
      case RE -> pattern.matches(v);
      case NRE -> !pattern.matches(v);
    };
  }

  /** True when the matcher accepts the empty value, i.e. also series that lack the label. */
  public boolean matchesEmpty() {
    return matches("");
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof Matcher m && m.name.equals(name) && m.op == op && m.value.equals(value);
  }

  @Override
  public int hashCode() {
    return Objects.hash(name, op, value);
  }

  @Override
  public String toString() {
    return name + op + '"' + value.replace("\\", "\\\\").replace("\"", "\\\"") + '"';
  }
}
