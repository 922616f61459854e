package dev.ember.index.query;

import java.util.ArrayList;
import java.util.List;

/**
 * Parser for FlameQL, Pyroscope's selector grammar: a Prometheus metric selector whose metric name
 * is the profile type.
 *
 * <pre>
 * query   = [type] [ "{" [ matcher { "," matcher } [","] ] "}" ]   ; __name__="t" may give the type
 * type    = 1*( ALPHA / DIGIT / "_" / ":" / "." / "-" )
 * matcher = name ( "=" / "!=" / "=~" / "!~" ) string
 * name    = ( ALPHA / "_" ) *( ALPHA / DIGIT / "_" / "." )
 * string  = '"' ... '"' / "'" ... "'" / "`" ... "`"     ; Go escapes in the first two
 * </pre>
 *
 * Errors are {@link FlameQLException}s that say where (a 0-based column) and what was expected.
 */
public final class FlameQL {
  private final String src;
  private int pos;

  private FlameQL(String src) {
    this.src = src;
  }

  public static FlameQuery parse(String query) {
    if (query == null) {
      throw new FlameQLException("query is missing", 0, "");
    }
    return new FlameQL(query).query();
  }

  private FlameQuery query() {
    skipSpace();
    int start = pos;
    while (pos < src.length() && isTypeChar(src.charAt(pos))) {
      pos++;
    }
    String type = src.substring(start, pos);
    skipSpace();
    List<Matcher> matchers = new ArrayList<>();
    if (pos < src.length() && src.charAt(pos) == '{') {
      pos++;
      skipSpace();
      while (pos < src.length() && src.charAt(pos) != '}') {
        int at = pos;
        Matcher m = matcher();
        if (m.name().equals("__name__") || m.name().equals("__profile_type__")) {
          // Prometheus spells the metric name as a matcher too: {__name__="process_cpu:..."}.
          if (m.op() != Matcher.Op.EQ) {
            throw new FlameQLException(
                "only '=' can select the profile type with " + m.name(), at, src);
          }
          if (!type.isEmpty() && !type.equals(m.value())) {
            throw new FlameQLException(
                "the profile type is given twice: '" + type + "' and '" + m.value() + "'", at, src);
          }
          type = m.value();
        } else {
          matchers.add(m);
        }
        skipSpace();
        if (pos < src.length() && src.charAt(pos) == ',') {
          pos++;
          skipSpace();
        } else if (pos < src.length() && src.charAt(pos) != '}') {
          throw error("expected ',' or '}' after a matcher");
        }
      }
      if (pos >= src.length()) {
        throw error("expected '}' to close the selector");
      }
      pos++;
      skipSpace();
    } else if (type.isEmpty()) {
      throw error("expected a profile type or '{'");
    }
    if (pos < src.length()) {
      throw error("unexpected '" + src.charAt(pos) + "' after the selector");
    }
    return new FlameQuery(type, matchers);
  }

  private Matcher matcher() {
    int start = pos;
    if (pos >= src.length() || !(Character.isLetter(src.charAt(pos)) || src.charAt(pos) == '_')) {
      throw error("expected a label name");
    }
    while (pos < src.length()
        && (Character.isLetterOrDigit(src.charAt(pos))
            || src.charAt(pos) == '_'
            || src.charAt(pos) == '.')) {
      pos++;
    }
    String name = src.substring(start, pos);
    skipSpace();
    Matcher.Op op;
    if (src.startsWith("=~", pos)) {
      op = Matcher.Op.RE;
    } else if (src.startsWith("!~", pos)) {
      op = Matcher.Op.NRE;
    } else if (src.startsWith("!=", pos)) {
      op = Matcher.Op.NEQ;
    } else if (src.startsWith("=", pos)) {
      op = Matcher.Op.EQ;
    } else {
      throw error("expected '=', '!=', '=~' or '!~' after label name '" + name + "'");
    }
    pos += op.symbol.length();
    skipSpace();
    int valueAt = pos;
    String value = string();
    try {
      return Matcher.of(name, op, value);
    } catch (IllegalArgumentException e) {
      throw new FlameQLException(e.getMessage(), valueAt, src);
    }
  }

  private String string() {
    if (pos >= src.length()) {
      throw error("expected a quoted string");
    }
    char quote = src.charAt(pos);
    if (quote != '"' && quote != '\'' && quote != '`') {
      throw error("expected a quoted string (\"...\", '...' or `...`)");
    }
    int open = pos;
    pos++;
    StringBuilder b = new StringBuilder();
    while (pos < src.length()) {
      char c = src.charAt(pos++);
      if (c == quote) {
        return b.toString();
      }
      if (c == '\\' && quote != '`') {
        if (pos >= src.length()) {
          break;
        }
        char e = src.charAt(pos++);
        switch (e) {
          case 'n' -> b.append('\n');
          case 't' -> b.append('\t');
          case 'r' -> b.append('\r');
          case '\\', '"', '\'' -> b.append(e);
          default -> {
            // Keep unknown escapes (regex classes such as \d) as written.
            b.append('\\').append(e);
          }
        }
      } else {
        b.append(c);
      }
    }
    pos = open;
    throw error("unterminated string");
  }

  private static boolean isTypeChar(char c) {
    return Character.isLetterOrDigit(c) || c == '_' || c == ':' || c == '.' || c == '-';
  }

  private void skipSpace() {
    while (pos < src.length() && Character.isWhitespace(src.charAt(pos))) {
      pos++;
    }
  }

  private FlameQLException error(String what) {
    return new FlameQLException(what, pos, src);
  }
}
