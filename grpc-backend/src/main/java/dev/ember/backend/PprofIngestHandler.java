package dev.ember.backend;

import com.google.protobuf.InvalidProtocolBufferException;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpHandler;
import dev.ember.index.query.TimeExpressions;
import dev.ember.index.store.Limits;
import dev.ember.proto.pprof.PprofProfile;
import io.opentelemetry.proto.collector.profiles.v1development.ExportProfilesServiceRequest;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Pyroscope-compatible push, {@code POST /ingest?name=<app>{k=v,...}&from=&until=&format=}, so
 * Pyroscope's SDKs and "store external profiles" tools (profefe, Chronicle style) can send here.
 * Formats: {@code pprof} (the body, gzip'd or not, or the {@code profile} field of a {@code
 * multipart/form-data} body), {@code folded} (Pyroscope's default) and {@code lines}; without
 * {@code format}, a gzip or multipart body is taken as pprof and text as folded. {@code jfr} is not
 * read: send JFR data through the Ember exporter or convert it to pprof. The body is converted to
 * OTLP ({@link PprofToOtlp}, {@link FoldedToOtlp}) and then takes the same path as OTLP.
 *
 * <p>Answers: 200 when stored (a text body lists profiles refused by limits, if any), 400 naming
 * the problem (bad name, times, pprof, format, or every profile refused), 401, 413, 415, 429 with
 * {@code Retry-After}, 503.
 */
final class PprofIngestHandler implements HttpHandler {
  static final String PATH = "/ingest";
  static final String RECEIVER = "pprof_ingest";
  private static final Logger logger = Logger.getLogger(PprofIngestHandler.class.getName());

  private final IngestPipeline pipeline;
  private final boolean requireTenant;
  private final Clock clock;

  PprofIngestHandler(IngestPipeline pipeline, boolean requireTenant, Clock clock) {
    this.pipeline = pipeline;
    this.requireTenant = requireTenant;
    this.clock = clock;
  }

  @Override
  public void handle(HttpExchange ex) throws IOException {
    long start = System.nanoTime();
    String tenant = null;
    try {
      HttpIngest.requirePost(ex);
      tenant = HttpIngest.tenant(ex, requireTenant);
      Map<String, String> q = query(ex);
      IngestName name = IngestName.parse(q.get("name"));
      Instant now = clock.instant();
      long until = time(q, "until", now, nanos(now));
      long from = time(q, "from", now, until - 10_000_000_000L);
      if (from > until) {
        throw IngestException.invalid(
            "bad_request", "from (" + from + " ns) lies after until (" + until + " ns)");
      }
      long sampleRate = sampleRate(q.get("sampleRate"));
      Limits limits = pipeline.limits(tenant);
      long declared = Math.max(0, HttpIngest.contentLength(ex));
      try (IngestGate.Reservation r =
          pipeline.gate().reserve(Math.min(limits.maxRequestBytes(), declared))) {
        byte[] body = HttpIngest.readBody(ex, tenant, limits, r);
        String mediaType = HttpIngest.mediaType(ex);
        if (mediaType.equals("multipart/form-data")) {
          Map<String, byte[]> parts =
              Multipart.parse(
                  body, Multipart.boundary(ex.getRequestHeaders().getFirst("Content-Type")));
          byte[] profile = parts.get("profile");
          if (profile == null) {
            throw IngestException.invalid(
                "bad_request",
                "multipart body without a 'profile' field (parts: " + parts.keySet() + ")");
          }
          body = profile;
        }
        String format = format(q.get("format"), body, mediaType);
        ExportProfilesServiceRequest request;
        long decoded = body.length;
        if (format.equals("pprof")) {
          if (isGzip(body)) {
            body = HttpIngest.gunzip(body, tenant, limits, r);
          }
          decoded = body.length;
          request = PprofToOtlp.convert(pprof(body), name, q.get("spyName"), from, until);
        } else {
          request =
              FoldedToOtlp.convert(
                  body,
                  format.equals("lines"),
                  name,
                  q.get("spyName"),
                  q.get("units"),
                  sampleRate,
                  from,
                  until);
        }
        pipeline.admit(tenant, decoded);
        IngestPipeline.Outcome out =
            pipeline.ingestDecoded(tenant, RECEIVER, request, decoded, start);
        int stored = out.stored().profiles();
        if (out.response().hasPartialSuccess()) {
          String message = out.response().getPartialSuccess().getErrorMessage();
          HttpIngest.sendText(ex, stored == 0 ? 400 : 200, message);
        } else {
          HttpIngest.send(ex, 200, "text/plain; charset=utf-8", new byte[0]);
        }
      }
    } catch (IngestException e) {
      pipeline.refused(RECEIVER, tenant, e, start);
      HttpIngest.retryAfter(ex, e);
      HttpIngest.sendText(ex, HttpIngest.status(e), e.getMessage());
    } catch (HttpIngest.MethodNotAllowed e) {
      HttpIngest.sendText(ex, 405, e.getMessage());
    } catch (IOException | UncheckedIOException e) {
      logger.log(Level.FINE, "I/O error on " + PATH, e);
    } catch (RuntimeException e) {
      logger.log(Level.WARNING, "internal error on " + PATH, e);
      HttpIngest.sendText(ex, 500, "internal error: " + e);
    } finally {
      ex.close();
    }
  }

  private static long nanos(Instant i) {
    return i.getEpochSecond() * 1_000_000_000L + i.getNano();
  }

  /** Pyroscope's times: Unix seconds (or ms, µs, ns by length), now-1h, RFC 3339. */
  private static long time(Map<String, String> q, String key, Instant now, long dflt) {
    String v = q.get(key);
    if (v == null || v.isBlank()) {
      return dflt;
    }
    try {
      return TimeExpressions.parse(v, now);
    } catch (IllegalArgumentException e) {
      throw IngestException.invalid("bad_request", key + ": " + e.getMessage());
    }
  }

  private static long sampleRate(String v) {
    if (v == null || v.isBlank()) {
      return 100;
    }
    try {
      long r = Long.parseLong(v.strip());
      if (r >= 1 && r <= 1_000_000_000L) {
        return r;
      }
    } catch (NumberFormatException e) {
      // fall through to the message
    }
    throw IngestException.invalid(
        "bad_request", "sampleRate must be a whole number of Hz from 1 to 1e9, got '" + v + "'");
  }

  private static String format(String requested, byte[] body, String mediaType) {
    if (requested == null || requested.isBlank()) {
      if (isGzip(body) || mediaType.equals("multipart/form-data") || !looksLikeText(body)) {
        return "pprof";
      }
      return "folded";
    }
    String f = requested.strip().toLowerCase(Locale.ROOT);
    return switch (f) {
      case "pprof", "folded", "lines" -> f;
      case "collapsed" -> "folded";
      case "jfr" ->
          throw new IngestException(
              IngestException.Kind.UNSUPPORTED,
              "unsupported_format",
              "format=jfr is not read here: profile JVMs with the Ember exporter (OTLP), or"
                  + " convert JFR to pprof first");
      default ->
          throw new IngestException(
              IngestException.Kind.UNSUPPORTED,
              "unsupported_format",
              "unknown format '" + requested + "': use pprof, folded or lines");
    };
  }

  private static boolean isGzip(byte[] b) {
    return b.length >= 2 && (b[0] & 0xff) == 0x1f && (b[1] & 0xff) == 0x8b;
  }

  private static boolean looksLikeText(byte[] b) {
    int n = Math.min(b.length, 512);
    for (int i = 0; i < n; i++) {
      int c = b[i] & 0xff;
      if (c < 0x09 || (c > 0x0d && c < 0x20)) {
        return false;
      }
    }
    return true;
  }

  private static PprofProfile pprof(byte[] body) {
    try {
      return PprofProfile.parseFrom(new ByteArrayInputStream(body));
    } catch (InvalidProtocolBufferException e) {
      throw IngestException.invalid(
          "invalid_pprof", "the body is not a valid pprof profile: " + e.getMessage());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static Map<String, String> query(HttpExchange ex) {
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
        throw IngestException.invalid("bad_request", "malformed query string near '" + pair + "'");
      }
    }
    return out;
  }
}
