package dev.ember.backend;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The {@code name} parameter of Pyroscope's {@code /ingest}: an application name with optional
 * labels, {@code my-app{env=staging,region=us-west-1}}. Values may be double-quoted (then {@code ,}
 * and {@code }} may appear inside, and {@code \"} escapes a quote).
 *
 * @param app the application name; it becomes {@code service.name}, so the series label {@code
 *     service_name}
 * @param labels the labels, in the order given
 */
record IngestName(String app, Map<String, String> labels) {

  IngestName {
    labels = Collections.unmodifiableMap(new LinkedHashMap<>(labels));
  }

  /** Parses the parameter; throws {@link IngestException} naming the problem and its position. */
  static IngestName parse(String name) {
    if (name == null || name.isBlank()) {
      throw IngestException.invalid(
          "bad_request", "missing query parameter 'name' (e.g. name=my-app{env=prod})");
    }
    int brace = name.indexOf('{');
    String app = (brace < 0 ? name : name.substring(0, brace)).trim();
    if (app.isEmpty()) {
      throw IngestException.invalid(
          "bad_request", "name '" + name + "' has no application name before '{'");
    }
    Map<String, String> labels = new LinkedHashMap<>();
    if (brace >= 0) {
      if (!name.endsWith("}")) {
        throw IngestException.invalid(
            "bad_request", "name '" + name + "': labels must end with '}'");
      }
      String body = name.substring(brace + 1, name.length() - 1);
      int i = 0;
      while (i < body.length()) {
        int eq = body.indexOf('=', i);
        if (eq < 0) {
          throw bad(name, brace + 1 + i, "expected key=value");
        }
        String key = body.substring(i, eq).trim();
        if (key.isEmpty()) {
          throw bad(name, brace + 1 + i, "empty label name");
        }
        i = eq + 1;
        StringBuilder value = new StringBuilder();
        if (i < body.length() && body.charAt(i) == '"') {
          i++;
          while (i < body.length() && body.charAt(i) != '"') {
            if (body.charAt(i) == '\\' && i + 1 < body.length()) {
              i++;
            }
            value.append(body.charAt(i++));
          }
          if (i >= body.length()) {
            throw bad(name, brace + 1 + i, "unterminated quoted value");
          }
          i++;
          while (i < body.length() && body.charAt(i) == ' ') {
            i++;
          }
          if (i < body.length() && body.charAt(i) != ',') {
            throw bad(name, brace + 1 + i, "expected ',' after a quoted value");
          }
        } else {
          int comma = body.indexOf(',', i);
          int end = comma < 0 ? body.length() : comma;
          value.append(body, i, end);
          i = end;
        }
        labels.put(key, value.toString().trim());
        if (i < body.length()) {
          i++; // the comma
        }
      }
    }
    return new IngestName(app, labels);
  }

  private static IngestException bad(String name, int column, String what) {
    return IngestException.invalid(
        "bad_request", "name '" + name + "': " + what + " at column " + (column + 1));
  }
}
