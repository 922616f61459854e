package dev.ember.backend;

import com.google.protobuf.InvalidProtocolBufferException;
import dev.ember.index.store.IngestResult;
import dev.ember.index.store.Limits;
import dev.ember.index.store.ProfileStore;
import dev.ember.index.store.Rejection;
import dev.ember.index.store.TenantLimits;
import dev.ember.wire.ProfileRef;
import dev.ember.wire.ProfilesValidator;
import dev.ember.wire.ValidationReport;
import io.opentelemetry.proto.collector.profiles.v1development.ExportProfilesPartialSuccess;
import io.opentelemetry.proto.collector.profiles.v1development.ExportProfilesServiceRequest;
import io.opentelemetry.proto.collector.profiles.v1development.ExportProfilesServiceResponse;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * The one path every receiver's requests take: the tenant's size and rate limits, the memory
 * budget, parsing, {@link ProfilesValidator}, the store, and the metrics. Receivers only decode
 * their protocol into an {@link ExportProfilesServiceRequest} (or hand over its bytes) and map
 * {@link IngestException} onto their status codes. Thread-safe.
 */
final class IngestPipeline {
  private static final Logger logger = Logger.getLogger(IngestPipeline.class.getName());

  /** Messages quoted in a partial-success answer; the rest are counted. */
  static final int MAX_MESSAGES = 5;

  private final ProfileStore store;
  private final TenantLimits limits;
  private final IngestGate gate;
  private final TenantRateLimiter rates;
  private final IngestMetrics metrics;

  IngestPipeline(ProfileStore store, TenantLimits limits, IngestGate gate, IngestMetrics metrics) {
    this.store = store;
    this.limits = limits;
    this.gate = gate;
    this.rates = new TenantRateLimiter(limits);
    this.metrics = metrics;
  }

  IngestGate gate() {
    return gate;
  }

  Limits limits(String tenant) {
    return limits.of(tenant);
  }

  /** What an accepted request led to: the OTLP response and what was stored. */
  record Outcome(ExportProfilesServiceResponse response, IngestResult stored) {}

  /** Ingests an OTLP request given as protobuf bytes (gRPC, OTLP/HTTP protobuf). */
  Outcome ingestBytes(String tenant, String receiver, byte[] bytes) {
    long start = System.nanoTime();
    try {
      admit(tenant, bytes.length);
      IngestGate.Reservation reservation = gate.reserve(bytes.length);
      try {
        ExportProfilesServiceRequest request;
        try {
          request = ExportProfilesServiceRequest.parseFrom(bytes);
        } catch (InvalidProtocolBufferException e) {
          throw IngestException.invalid(
              "unparseable",
              "request is not a valid ExportProfilesServiceRequest ("
                  + bytes.length
                  + " bytes): "
                  + e.getMessage());
        }
        Outcome out = store(tenant, receiver, request, bytes.length);
        observe(receiver, start);
        return out;
      } finally {
        reservation.close();
      }
    } catch (IngestException e) {
      refused(receiver, tenant, e, start);
      throw e;
    }
  }

  /**
   * Ingests a request another receiver decoded (OTLP/JSON, pprof); {@code bytes} is the size of the
   * decoded body, charged to the tenant's limits. The caller holds a reservation of the gate
   * covering the body it decoded.
   */
  Outcome ingestDecoded(
      String tenant,
      String receiver,
      ExportProfilesServiceRequest request,
      long bytes,
      long start) {
    try {
      Outcome out = store(tenant, receiver, request, bytes);
      observe(receiver, start);
      return out;
    } catch (IngestException e) {
      refused(receiver, tenant, e, start);
      throw e;
    }
  }

  /**
   * Counts a refused request (once, however many layers see the exception) and its latency;
   * receivers call it for refusals before the pipeline (bad body, gzip, content type).
   */
  void refused(String receiver, String tenant, IngestException e, long start) {
    if (e.counted) {
      return;
    }
    e.counted = true;
    metrics.rejectedRequests.inc(1, receiver, e.reason);
    metrics.requests.inc(1, receiver, tenant == null ? "" : tenant, "refused");
    observe(receiver, start);
  }

  private void observe(String receiver, long start) {
    metrics.latency.observe((System.nanoTime() - start) / 1e9, receiver);
  }

  /** The tenant's request size and rate limits; throws when the request may not proceed. */
  void admit(String tenant, long bytes) {
    Limits l = limits.of(tenant);
    if (bytes > l.maxRequestBytes()) {
      throw tooLarge(tenant, bytes, l);
    }
    rates.charge(tenant, bytes);
  }

  static IngestException tooLarge(String tenant, long bytes, Limits l) {
    return new IngestException(
        IngestException.Kind.TOO_LARGE,
        "too_large",
        "request of "
            + (bytes < 0 ? "more than " + l.maxRequestBytes() : bytes)
            + " bytes (decompressed) exceeds tenant '"
            + tenant
            + "''s limit of "
            + l.maxRequestBytes()
            + " bytes (max-message-size); split it into smaller requests");
  }

  private Outcome store(
      String tenant, String receiver, ExportProfilesServiceRequest request, long bytes) {
    ValidationReport report = ProfilesValidator.validate(request);
    if (report.isRequestInvalid()) {
      throw IngestException.invalid(
          report.requestSummary().startsWith("version skew") ? "version_skew" : "invalid",
          report.requestSummary());
    }
    IngestResult stored;
    try {
      stored = store.ingest(tenant, request, ref -> !report.isRejected(ref));
    } catch (IOException | UncheckedIOException e) {
      logger.log(Level.WARNING, "storing a request of tenant " + tenant + " failed", e);
      throw new IngestException(
          IngestException.Kind.UNAVAILABLE,
          "storage_failed",
          "storage failed, nothing was acknowledged; retry: " + e.getMessage());
    } catch (IllegalArgumentException e) {
      throw IngestException.invalid("invalid", e.getMessage());
    }
    int rejected = report.rejectedProfileCount() + stored.rejected().size();
    metrics.profiles.inc(stored.profiles(), receiver, tenant);
    metrics.samples.inc(stored.samples(), receiver, tenant);
    metrics.bytes.inc(bytes, receiver, tenant);
    if (report.rejectedProfileCount() > 0) {
      metrics.rejectedProfiles.inc(report.rejectedProfileCount(), receiver, tenant, "invalid");
    }
    for (Rejection r : stored.rejected()) {
      metrics.rejectedProfiles.inc(1, receiver, tenant, r.reason());
    }
    metrics.requests.inc(1, receiver, tenant, rejected == 0 ? "ok" : "partial");
    ExportProfilesServiceResponse.Builder out = ExportProfilesServiceResponse.newBuilder();
    if (rejected > 0) {
      out.setPartialSuccess(
          ExportProfilesPartialSuccess.newBuilder()
              .setRejectedProfiles(rejected)
              .setErrorMessage(partialMessage(report, stored.rejected(), rejected)));
    }
    logger.log(
        Level.FINE,
        "tenant {0} via {1}: stored {2} profiles, rejected {3}",
        new Object[] {tenant, receiver, stored.profiles(), rejected});
    return new Outcome(out.build(), stored);
  }

  /** "rejected N of M profile(s): first messages (and K more)", each naming field and index. */
  static String partialMessage(ValidationReport report, List<Rejection> stored, int rejected) {
    List<String> messages = new ArrayList<>();
    int total = 0;
    for (Map.Entry<ProfileRef, List<String>> e : report.profileErrors().entrySet()) {
      for (String m : e.getValue()) {
        total++;
        if (messages.size() < MAX_MESSAGES) {
          messages.add(m);
        }
      }
    }
    for (Rejection r : stored) {
      total++;
      if (messages.size() < MAX_MESSAGES) {
        messages.add(r.message());
      }
    }
    String joined = String.join("; ", messages);
    int more = total - messages.size();
    return "rejected "
        + rejected
        + " of "
        + report.profileCount()
        + " profile(s): "
        + joined
        + (more > 0 ? " (and " + more + " more)" : "");
  }
}
