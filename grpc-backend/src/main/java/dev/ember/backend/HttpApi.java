package dev.ember.backend;

import com.google.gson.stream.JsonWriter;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpHandler;
import com.sun.net.httpserver.HttpServer;
import dev.ember.index.query.QueryCancelledException;
import dev.ember.index.query.QueryLimitException;
import dev.ember.index.query.QueryLimits;
import dev.ember.index.store.ProfileQueries;
import dev.ember.index.store.Tenants;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.OutputStreamWriter;
import java.io.UncheckedIOException;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.HashMap;
import java.util.Map;
import java.util.function.BooleanSupplier;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * The HTTP side of the backend: routing, readiness, the UI's static assets, and the helpers the
 * query handlers share ({@link QueryApi} for {@code /api/v1/}, {@link PyroscopeApi} for {@code
 * /pyroscope/}). Runs on the JDK's built-in server with one virtual thread per request. A bad
 * request answers 400 with a message naming the problem (JSON under {@code /api/v1/}, plain text
 * elsewhere); nothing a client sends can stop the server.
 */
final class HttpApi {
  private static final Logger logger = Logger.getLogger(HttpApi.class.getName());

  private final BooleanSupplier ready;
  private final QueryApi queryApi;
  private final PyroscopeApi pyroscopeApi;
  private final boolean requireTenant;

  HttpApi(
      ProfileQueries queries,
      QueryLimits limits,
      BooleanSupplier ready,
      Clock clock,
      boolean requireTenant) {
    this.ready = ready;
    this.requireTenant = requireTenant;
    QueryRunner runner = new QueryRunner(limits);
    this.queryApi = new QueryApi(this, queries, runner, clock);
    this.pyroscopeApi = new PyroscopeApi(this, queries, runner, clock);
  }

  void register(HttpServer server) {
    server.createContext("/ready", wrap(this::ready, false));
    server.createContext("/api/v1/", wrap(queryApi::handle, true));
    server.createContext("/pyroscope/", wrap(pyroscopeApi::handle, false));
    server.createContext("/", wrap(this::ui, false));
  }

  /** A request failure that maps to an HTTP status with a message. */
  static final class HttpError extends RuntimeException {
    private static final long serialVersionUID = 1L;
    final int status;

    HttpError(int status, String message) {
      super(message);
      this.status = status;
    }
  }

  interface Handler {
    void handle(HttpExchange exchange) throws IOException;
  }

  private HttpHandler wrap(Handler h, boolean jsonErrors) {
    return exchange -> {
      try {
        h.handle(exchange);
      } catch (QueryCancelledException e) {
        if (e.timedOut()) {
          sendError(exchange, 503, e.getMessage(), jsonErrors);
        } else {
          logger.log(Level.FINE, "query cancelled: " + exchange.getRequestURI(), e);
        }
      } catch (UncheckedIOException e) {
        logger.log(Level.FINE, "I/O error on " + exchange.getRequestURI(), e);
      } catch (IOException e) {
        logger.log(Level.FINE, "I/O error on " + exchange.getRequestURI(), e);
      } catch (RuntimeException e) {
        int status = status(e);
        if (status >= 500) {
          logger.log(Level.WARNING, "internal error on " + exchange.getRequestURI(), e);
        }
        sendError(exchange, status, message(e), jsonErrors);
      } finally {
        exchange.close();
      }
    };
  }

  /** The HTTP status for a failure of a request or a query. */
  static int status(Throwable e) {
    if (e instanceof HttpError h) {
      return h.status;
    } else if (e instanceof QueryCancelledException c) {
      return c.timedOut() ? 503 : 499;
    } else if (e instanceof IllegalArgumentException) {
      return 400;
    }
    return 500; // a StorageError, or a bug
  }

  /** The message for a failure; limits name the option that raises them. */
  static String message(Throwable e) {
    if (e instanceof QueryLimitException l) {
      return l.getMessage() + " (limit: " + l.setting() + ")";
    } else if (e instanceof HttpError || e instanceof IllegalArgumentException) {
      return e.getMessage();
    } else if (e instanceof QueryCancelledException || e instanceof StorageError) {
      return e.getMessage();
    }
    return "internal error: " + e;
  }

  /** A storage failure while answering a query (the query itself was fine). */
  static final class StorageError extends RuntimeException {
    private static final long serialVersionUID = 1L;

    StorageError(IOException cause) {
      super("storage error while reading profiles: " + cause.getMessage(), cause);
    }
  }

  private void ready(HttpExchange ex) throws IOException {
    if (ready.getAsBoolean()) {
      sendText(ex, 200, "ready");
    } else {
      sendText(ex, 503, "starting");
    }
  }

  private void ui(HttpExchange ex) throws IOException {
    requireGet(ex);
    String path = ex.getRequestURI().getPath();
    if (path.equals("/")) {
      path = "/index.html";
    }
    if (path.contains("..")) {
      throw new HttpError(404, "not found");
    }
    try (InputStream in = HttpApi.class.getResourceAsStream("/ember-ui" + path)) {
      if (in == null) {
        throw new HttpError(404, "not found: " + path);
      }
      byte[] body = in.readAllBytes();
      ex.getResponseHeaders().set("Content-Type", contentType(path));
      ex.sendResponseHeaders(200, body.length);
      ex.getResponseBody().write(body);
    }
  }

  private static String contentType(String path) {
    if (path.endsWith(".html")) {
      return "text/html; charset=utf-8";
    } else if (path.endsWith(".js")) {
      return "text/javascript; charset=utf-8";
    } else if (path.endsWith(".css")) {
      return "text/css; charset=utf-8";
    } else if (path.endsWith(".svg")) {
      return "image/svg+xml";
    }
    return "application/octet-stream";
  }

  // ---- helpers ----

  String tenant(HttpExchange ex) {
    String t = ex.getRequestHeaders().getFirst("X-Scope-OrgID");
    if (t == null || t.isEmpty()) {
      if (requireTenant) {
        throw new HttpError(401, "missing X-Scope-OrgID: this backend requires a tenant id");
      }
      return Tenants.DEFAULT;
    }
    return Tenants.validate(t);
  }

  static void requireGet(HttpExchange ex) {
    if (!ex.getRequestMethod().equals("GET") && !ex.getRequestMethod().equals("HEAD")) {
      throw new HttpError(405, "method " + ex.getRequestMethod() + " not allowed here; use GET");
    }
  }

  static Map<String, String> query(HttpExchange ex) {
    Map<String, String> out = new HashMap<>();
    String raw = ex.getRequestURI().getRawQuery();
    if (raw == null) {
      return out;
    }
    for (String pair : raw.split("&")) {
      if (pair.isEmpty()) {
        continue;
      }
      int eq = pair.indexOf('=');
      String k = eq < 0 ? pair : pair.substring(0, eq);
      String v = eq < 0 ? "" : pair.substring(eq + 1);
      try {
        out.put(
            URLDecoder.decode(k, StandardCharsets.UTF_8),
            URLDecoder.decode(v, StandardCharsets.UTF_8));
      } catch (IllegalArgumentException e) {
        throw new HttpError(400, "malformed query string near '" + pair + "'");
      }
    }
    return out;
  }

  interface JsonBody {
    void write(JsonWriter w) throws IOException;
  }

  static void sendJson(HttpExchange ex, JsonBody body) throws IOException {
    ex.getResponseHeaders().set("Content-Type", "application/json");
    ex.sendResponseHeaders(200, 0);
    try (OutputStream os = ex.getResponseBody()) {
      writeJson(os, body);
    }
  }

  static void writeJson(OutputStream os, JsonBody body) throws IOException {
    JsonWriter w = new JsonWriter(new OutputStreamWriter(os, StandardCharsets.UTF_8));
    body.write(w);
    w.flush();
  }

  static void sendBytes(HttpExchange ex, String contentType, byte[] body) throws IOException {
    ex.getResponseHeaders().set("Content-Type", contentType);
    ex.sendResponseHeaders(200, body.length);
    ex.getResponseBody().write(body);
  }

  static byte[] bytes(OutputBody body) throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    body.write(out);
    return out.toByteArray();
  }

  interface OutputBody {
    void write(OutputStream out) throws IOException;
  }

  static void sendText(HttpExchange ex, int status, String text) {
    try {
      byte[] b = (text + "\n").getBytes(StandardCharsets.UTF_8);
      ex.getResponseHeaders().set("Content-Type", "text/plain; charset=utf-8");
      ex.sendResponseHeaders(status, b.length);
      ex.getResponseBody().write(b);
    } catch (IOException e) {
      logger.log(Level.FINE, "could not send an error response", e);
    }
  }

  static void sendError(HttpExchange ex, int status, String message, boolean json) {
    if (!json) {
      sendText(ex, status, message);
      return;
    }
    try {
      ByteArrayOutputStream out = new ByteArrayOutputStream();
      writeJson(out, w -> errorBody(w, status, message));
      byte[] b = out.toByteArray();
      ex.getResponseHeaders().set("Content-Type", "application/json");
      ex.sendResponseHeaders(status, b.length);
      ex.getResponseBody().write(b);
    } catch (IOException e) {
      logger.log(Level.FINE, "could not send an error response", e);
    }
  }

  static void errorBody(JsonWriter w, int status, String message) throws IOException {
    w.beginObject();
    w.name("error").value(message);
    w.name("status").value(status);
    w.endObject();
  }
}
