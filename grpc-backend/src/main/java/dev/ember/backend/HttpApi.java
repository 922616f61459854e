package dev.ember.backend;

import com.google.gson.stream.JsonWriter;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpHandler;
import com.sun.net.httpserver.HttpServer;
import dev.ember.index.query.FlameGraph;
import dev.ember.index.query.FlameQL;
import dev.ember.index.query.FlameQuery;
import dev.ember.index.query.FlameTree;
import dev.ember.index.query.ProfileTypes;
import dev.ember.index.query.Selection;
import dev.ember.index.query.TimeExpressions;
import dev.ember.index.store.ProfileStore;
import dev.ember.index.store.Tenants;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.OutputStreamWriter;
import java.io.UncheckedIOException;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import java.util.function.BooleanSupplier;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * The HTTP side of the backend: readiness, the query API and the UI's static assets, on the JDK's
 * built-in server with one virtual thread per request. Errors in a request answer 400 with a
 * message naming the problem; nothing a client sends can stop the server.
 */
final class HttpApi {
  private static final Logger logger = Logger.getLogger(HttpApi.class.getName());
  static final int DEFAULT_MAX_NODES = 8192;
  static final int MAX_NODES_LIMIT = 1 << 20;

  private final ProfileStore store;
  private final BooleanSupplier ready;
  private final Clock clock;
  private final boolean requireTenant;

  HttpApi(ProfileStore store, BooleanSupplier ready, Clock clock, boolean requireTenant) {
    this.store = store;
    this.ready = ready;
    this.clock = clock;
    this.requireTenant = requireTenant;
  }

  void register(HttpServer server) {
    server.createContext("/ready", wrap(this::ready));
    server.createContext("/pyroscope/render", wrap(this::render));
    server.createContext("/", wrap(this::ui));
  }

  /** A request failure that maps to an HTTP status with a plain-text message. */
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

  private HttpHandler wrap(Handler h) {
    return exchange -> {
      try {
        h.handle(exchange);
      } catch (HttpError e) {
        sendText(exchange, e.status, e.getMessage());
      } catch (IllegalArgumentException e) {
        sendText(exchange, 400, e.getMessage());
      } catch (IOException | UncheckedIOException e) {
        logger.log(Level.FINE, "I/O error on " + exchange.getRequestURI(), e);
      } catch (RuntimeException e) {
        logger.log(Level.WARNING, "internal error on " + exchange.getRequestURI(), e);
        sendText(exchange, 500, "internal error: " + e);
      } finally {
        exchange.close();
      }
    };
  }

  private void ready(HttpExchange ex) throws IOException {
    if (ready.getAsBoolean()) {
      sendText(ex, 200, "ready");
    } else {
      sendText(ex, 503, "starting");
    }
  }

  private void render(HttpExchange ex) throws IOException {
    requireGet(ex);
    Map<String, String> q = query(ex);
    String tenant = tenant(ex);
    Instant now = clock.instant();
    FlameQuery query = FlameQL.parse(required(q, "query"));
    long from = TimeExpressions.parse(q.getOrDefault("from", "now-1h"), now);
    long until = TimeExpressions.parse(q.getOrDefault("until", "now"), now);
    int maxNodes = maxNodes(q);
    Selection selection = new Selection(query, from, until);
    String type =
        ProfileTypes.resolve(query.profileType(), store.profileTypes(tenant, from, until));
    FlameTree tree = store.merge(tenant, selection);
    FlameGraph graph = FlameGraph.of(tree, maxNodes);
    sendJson(ex, w -> FlamebearerJson.write(w, graph, type));
  }

  static int maxNodes(Map<String, String> q) {
    String v = q.getOrDefault("maxNodes", q.get("max-nodes"));
    if (v == null || v.isEmpty()) {
      return DEFAULT_MAX_NODES;
    }
    try {
      int n = Integer.parseInt(v);
      if (n < 1 || n > MAX_NODES_LIMIT) {
        throw new NumberFormatException();
      }
      return n;
    } catch (NumberFormatException e) {
      throw new HttpError(
          400, "maxNodes must be an integer from 1 to " + MAX_NODES_LIMIT + ", got '" + v + "'");
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

  static String required(Map<String, String> q, String name) {
    String v = q.get(name);
    if (v == null || v.isEmpty()) {
      throw new HttpError(400, "missing query parameter '" + name + "'");
    }
    return v;
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
    try (OutputStream os = ex.getResponseBody();
        JsonWriter w = new JsonWriter(new OutputStreamWriter(os, StandardCharsets.UTF_8))) {
      body.write(w);
    }
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
}
