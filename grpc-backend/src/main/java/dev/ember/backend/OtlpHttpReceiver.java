package dev.ember.backend;

import com.google.protobuf.InvalidProtocolBufferException;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpHandler;
import dev.ember.index.store.Limits;
import io.grpc.protobuf.StatusProto;
import io.opentelemetry.proto.collector.profiles.v1development.ExportProfilesServiceRequest;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * OTLP/HTTP {@code POST /v1development/profiles}: the body is an {@code
 * ExportProfilesServiceRequest} as {@code application/x-protobuf} or OTLP/JSON {@code
 * application/json}, optionally with {@code Content-Encoding: gzip}; the answer comes in the
 * request's content type. Refusals answer 400 (bad data), 401 (tenant required), 413 (too large),
 * 415 (content type or encoding), 429 with {@code Retry-After} (rate or memory budget) or 503
 * (storage), with a {@code google.rpc.Status} body as OTLP/HTTP specifies.
 */
final class OtlpHttpReceiver implements HttpHandler {
  static final String PATH = "/v1development/profiles";
  static final String RECEIVER_PROTOBUF = "otlp_http_protobuf";
  static final String RECEIVER_JSON = "otlp_http_json";
  static final String PROTOBUF = "application/x-protobuf";
  static final String JSON = "application/json";
  private static final Logger logger = Logger.getLogger(OtlpHttpReceiver.class.getName());

  private final IngestPipeline pipeline;
  private final boolean requireTenant;

  OtlpHttpReceiver(IngestPipeline pipeline, boolean requireTenant) {
    this.pipeline = pipeline;
    this.requireTenant = requireTenant;
  }

  @Override
  public void handle(HttpExchange ex) throws IOException {
    long start = System.nanoTime();
    String type = HttpIngest.mediaType(ex);
    boolean json = type.equals(JSON);
    String receiver = json ? RECEIVER_JSON : RECEIVER_PROTOBUF;
    String tenant = null;
    try {
      HttpIngest.requirePost(ex);
      if (!json && !type.equals(PROTOBUF)) {
        throw new IngestException(
            IngestException.Kind.UNSUPPORTED,
            "unsupported_content_type",
            "unsupported Content-Type '"
                + (type.isEmpty() ? "(none)" : type)
                + "': send "
                + PROTOBUF
                + " or "
                + JSON);
      }
      tenant = HttpIngest.tenant(ex, requireTenant);
      Limits limits = pipeline.limits(tenant);
      long declared = Math.max(0, HttpIngest.contentLength(ex));
      try (IngestGate.Reservation r =
          pipeline.gate().reserve(Math.min(limits.maxRequestBytes(), declared))) {
        byte[] body = HttpIngest.readBody(ex, tenant, limits, r);
        if (json) {
          // A JSON tree and its protobuf take several times the text on the heap.
          r.growTo(4L * body.length);
        }
        pipeline.admit(tenant, body.length);
        ExportProfilesServiceRequest request = json ? OtlpJson.parse(body) : parse(body);
        IngestPipeline.Outcome out =
            pipeline.ingestDecoded(tenant, receiver, request, body.length, start);
        HttpIngest.send(
            ex,
            200,
            json ? JSON : PROTOBUF,
            json ? OtlpJson.print(out.response()) : out.response().toByteArray());
      }
    } catch (IngestException e) {
      pipeline.refused(receiver, tenant, e, start);
      refuse(ex, e, json);
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

  private static ExportProfilesServiceRequest parse(byte[] body) {
    try {
      return ExportProfilesServiceRequest.parseFrom(body);
    } catch (InvalidProtocolBufferException e) {
      throw IngestException.invalid(
          "unparseable",
          "request is not a valid ExportProfilesServiceRequest ("
              + body.length
              + " bytes): "
              + e.getMessage());
    }
  }

  /** A {@code google.rpc.Status} body in the request's content type. */
  private static void refuse(HttpExchange ex, IngestException e, boolean json) throws IOException {
    com.google.rpc.Status status = StatusProto.fromThrowable(OtlpGrpcReceiver.status(e));
    HttpIngest.retryAfter(ex, e);
    HttpIngest.send(
        ex,
        HttpIngest.status(e),
        json ? JSON : PROTOBUF,
        json ? OtlpJson.print(status) : status.toByteArray());
  }
}
