package dev.ember.backend;

import com.sun.net.httpserver.HttpExchange;
import dev.ember.index.store.Limits;
import dev.ember.index.store.Tenants;
import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.zip.GZIPInputStream;
import java.util.zip.ZipException;

/**
 * What the HTTP ingest endpoints share: the tenant header, reading a body within the tenant's size
 * limit and the memory budget (with {@code Content-Encoding: gzip} inflated under the same bound,
 * so a gzip bomb stops at the limit), and the HTTP status for each refusal.
 */
final class HttpIngest {
  static final String TENANT_HEADER = "X-Scope-OrgID";

  private HttpIngest() {}

  /** The request's tenant: the header, or the default tenant unless one is required. */
  static String tenant(HttpExchange ex, boolean required) {
    String t = ex.getRequestHeaders().getFirst(TENANT_HEADER);
    if (t == null || t.isEmpty()) {
      if (required) {
        throw new IngestException(
            IngestException.Kind.UNAUTHENTICATED,
            "missing_tenant",
            "missing " + TENANT_HEADER + ": this backend requires a tenant id");
      }
      return Tenants.DEFAULT;
    }
    try {
      return Tenants.validate(t);
    } catch (IllegalArgumentException e) {
      throw IngestException.invalid("invalid_tenant", e.getMessage());
    }
  }

  static void requirePost(HttpExchange ex) {
    if (!ex.getRequestMethod().equals("POST")) {
      throw new MethodNotAllowed(ex.getRequestMethod());
    }
  }

  /** A request with the wrong HTTP method (405); not an ingest refusal. */
  static final class MethodNotAllowed extends RuntimeException {
    private static final long serialVersionUID = 1L;

    MethodNotAllowed(String method) {
      super("method " + method + " not allowed here; use POST", null, false, false);
    }
  }

  /** The media type without parameters, lower case; "" when absent. */
  static String mediaType(HttpExchange ex) {
    String ct = ex.getRequestHeaders().getFirst("Content-Type");
    if (ct == null) {
      return "";
    }
    int semi = ct.indexOf(';');
    return (semi < 0 ? ct : ct.substring(0, semi)).trim().toLowerCase(Locale.ROOT);
  }

  /** The declared body length, or -1. */
  static long contentLength(HttpExchange ex) {
    String v = ex.getRequestHeaders().getFirst("Content-Length");
    if (v == null) {
      return -1;
    }
    try {
      return Long.parseLong(v.trim());
    } catch (NumberFormatException e) {
      throw IngestException.invalid("bad_request", "Content-Length '" + v + "' is not a number");
    }
  }

  static boolean isGzip(HttpExchange ex) {
    String enc = ex.getRequestHeaders().getFirst("Content-Encoding");
    if (enc == null || enc.isBlank() || enc.equalsIgnoreCase("identity")) {
      return false;
    }
    if (enc.trim().equalsIgnoreCase("gzip")) {
      return true;
    }
    throw new IngestException(
        IngestException.Kind.UNSUPPORTED,
        "unsupported_encoding",
        "unsupported Content-Encoding '" + enc + "': send the body plain or with gzip");
  }

  /**
   * Reads the whole body, decompressed, refusing more than the tenant's request size on the wire or
   * after inflating. The reservation is grown as the body turns out larger than first reserved.
   */
  static byte[] readBody(
      HttpExchange ex, String tenant, Limits limits, IngestGate.Reservation reservation)
      throws IOException {
    long limit = limits.maxRequestBytes();
    boolean gzip = isGzip(ex);
    long declared = contentLength(ex);
    if (declared > limit) {
      throw IngestPipeline.tooLarge(tenant, declared, limits);
    }
    InputStream raw = new BoundedInputStream(ex.getRequestBody(), limit, tenant, limits);
    return readAll(raw, gzip, declared, tenant, limits, reservation);
  }

  /** Inflates a gzip'd payload (a pprof file inside the body) under the same bounds. */
  static byte[] gunzip(byte[] gz, String tenant, Limits limits, IngestGate.Reservation reservation)
      throws IOException {
    return readAll(
        new java.io.ByteArrayInputStream(gz), true, gz.length, tenant, limits, reservation);
  }

  private static byte[] readAll(
      InputStream raw,
      boolean gzip,
      long sizeHint,
      String tenant,
      Limits limits,
      IngestGate.Reservation reservation)
      throws IOException {
    long limit = limits.maxRequestBytes();
    try (InputStream in = gzip ? gunzip(raw) : raw) {
      ByteArrayOutputStream out =
          new ByteArrayOutputStream((int) Math.min(Math.max(sizeHint, 1024), 1 << 20));
      byte[] buf = new byte[64 << 10];
      long reserved = 0;
      while (true) {
        int n;
        try {
          n = in.read(buf);
        } catch (ZipException | EOFException e) {
          if (gzip) {
            throw badGzip(e);
          }
          throw e;
        }
        if (n < 0) {
          break;
        }
        if ((long) out.size() + n > limit) {
          throw IngestPipeline.tooLarge(tenant, -1, limits);
        }
        out.write(buf, 0, n);
        if (out.size() > reserved) {
          reserved = Math.min(limit, Math.max(2L * out.size(), 1 << 20));
          reservation.growTo(reserved);
        }
      }
      return out.toByteArray();
    }
  }

  private static InputStream gunzip(InputStream raw) throws IOException {
    try {
      return new GZIPInputStream(raw, 64 << 10);
    } catch (ZipException | EOFException e) {
      throw badGzip(e);
    }
  }

  private static IngestException badGzip(IOException e) {
    return IngestException.invalid(
        "bad_gzip",
        "the body is not valid gzip (Content-Encoding: gzip): "
            + (e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage()));
  }

  /** Stops reading the wire past the limit (a body without Content-Length, or a lying one). */
  private static final class BoundedInputStream extends java.io.FilterInputStream {
    private final long limit;
    private final String tenant;
    private final Limits limits;
    private long count;

    BoundedInputStream(InputStream in, long limit, String tenant, Limits l) {
      super(in);
      this.limit = limit;
      this.tenant = tenant;
      this.limits = l;
    }

    @Override
    public int read() throws IOException {
      int b = super.read();
      if (b >= 0 && ++count > limit) {
        throw IngestPipeline.tooLarge(tenant, -1, limits);
      }
      return b;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
      int n = super.read(b, off, len);
      if (n > 0 && (count += n) > limit) {
        throw IngestPipeline.tooLarge(tenant, -1, limits);
      }
      return n;
    }
  }

  /** The HTTP status for a refusal. */
  static int status(IngestException e) {
    return switch (e.kind) {
      case INVALID -> 400;
      case TOO_LARGE -> 413;
      case OVERLOADED -> 429;
      case UNAVAILABLE -> 503;
      case UNAUTHENTICATED -> 401;
      case UNSUPPORTED -> 415;
    };
  }

  /** Sets Retry-After (whole seconds, at least 1) when the refusal can pass later. */
  static void retryAfter(HttpExchange ex, IngestException e) {
    if (e.retryAfter != null) {
      long seconds = Math.max(1, (e.retryAfter.toMillis() + 999) / 1000);
      ex.getResponseHeaders().set("Retry-After", Long.toString(seconds));
    } else if (e.kind == IngestException.Kind.UNAVAILABLE) {
      ex.getResponseHeaders().set("Retry-After", "1");
    }
  }

  static void send(HttpExchange ex, int status, String contentType, byte[] body)
      throws IOException {
    ex.getResponseHeaders().set("Content-Type", contentType);
    ex.sendResponseHeaders(status, body.length == 0 ? -1 : body.length);
    if (body.length > 0) {
      try (OutputStream os = ex.getResponseBody()) {
        os.write(body);
      }
    }
  }

  static void sendText(HttpExchange ex, int status, String text) throws IOException {
    send(ex, status, "text/plain; charset=utf-8", (text + "\n").getBytes(StandardCharsets.UTF_8));
  }
}
