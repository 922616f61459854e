package dev.ember.backend;

import com.google.protobuf.InvalidProtocolBufferException;
import dev.ember.index.store.IngestResult;
import dev.ember.index.store.ProfileStore;
import dev.ember.wire.ProfilesValidator;
import dev.ember.wire.ValidationReport;
import io.grpc.MethodDescriptor;
import io.grpc.ServerServiceDefinition;
import io.grpc.ServiceDescriptor;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.protobuf.ProtoUtils;
import io.grpc.stub.ServerCalls;
import io.grpc.stub.StreamObserver;
import io.opentelemetry.proto.collector.profiles.v1development.ExportProfilesPartialSuccess;
import io.opentelemetry.proto.collector.profiles.v1development.ExportProfilesServiceRequest;
import io.opentelemetry.proto.collector.profiles.v1development.ExportProfilesServiceResponse;
import io.opentelemetry.proto.collector.profiles.v1development.ProfilesServiceGrpc;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * OTLP {@code ProfilesService/Export} over gRPC. The request arrives as raw bytes (a pass-through
 * marshaller) so that a payload protobuf cannot parse is answered with {@code INVALID_ARGUMENT} and
 * a message, not grpc-java's generic {@code INTERNAL}. Valid requests are checked by {@link
 * ProfilesValidator}: faults in the shared dictionary refuse the request, faults inside a profile
 * reject that profile through {@code partial_success} while the rest is stored durably.
 */
final class OtlpGrpcReceiver {
  private static final Logger logger = Logger.getLogger(OtlpGrpcReceiver.class.getName());

  private final ProfileStore store;

  OtlpGrpcReceiver(ProfileStore store) {
    this.store = store;
  }

  /** The service definition, with the generated schema so reflection still describes it. */
  ServerServiceDefinition definition() {
    MethodDescriptor<byte[], ExportProfilesServiceResponse> export =
        ProfilesServiceGrpc.getExportMethod().toBuilder(
                new RawBytes(),
                ProtoUtils.marshaller(ExportProfilesServiceResponse.getDefaultInstance()))
            .build();
    ServiceDescriptor generated = ProfilesServiceGrpc.getServiceDescriptor();
    ServiceDescriptor service =
        ServiceDescriptor.newBuilder(generated.getName())
            .setSchemaDescriptor(generated.getSchemaDescriptor())
            .addMethod(export)
            .build();
    return ServerServiceDefinition.builder(service)
        .addMethod(export, ServerCalls.asyncUnaryCall(this::export))
        .build();
  }

  void export(byte[] bytes, StreamObserver<ExportProfilesServiceResponse> response) {
    String tenant = TenantInterceptor.TENANT.get();
    try {
      response.onNext(ingest(tenant, bytes));
      response.onCompleted();
    } catch (StatusRuntimeException e) {
      response.onError(e);
    }
  }

  /** Parses, validates and stores one request; throws a status exception on refusal. */
  ExportProfilesServiceResponse ingest(String tenant, byte[] bytes) {
    ExportProfilesServiceRequest request;
    try {
      request = ExportProfilesServiceRequest.parseFrom(bytes);
    } catch (InvalidProtocolBufferException e) {
      throw Status.INVALID_ARGUMENT
          .withDescription(
              "request is not a valid ExportProfilesServiceRequest ("
                  + bytes.length
                  + " bytes): "
                  + e.getMessage())
          .asRuntimeException();
    }
    ValidationReport report = ProfilesValidator.validate(request);
    if (report.isRequestInvalid()) {
      throw Status.INVALID_ARGUMENT.withDescription(report.requestSummary()).asRuntimeException();
    }
    try {
      IngestResult stored = store.ingest(tenant, request, ref -> !report.isRejected(ref));
      logger.log(
          Level.FINE, "tenant {0}: stored {1} profiles", new Object[] {tenant, stored.profiles()});
    } catch (IOException | UncheckedIOException e) {
      logger.log(Level.WARNING, "storing a request failed", e);
      throw Status.UNAVAILABLE
          .withDescription("storage failed, nothing was acknowledged; retry: " + e.getMessage())
          .withCause(e)
          .asRuntimeException();
    } catch (IllegalArgumentException e) {
      throw Status.INVALID_ARGUMENT.withDescription(e.getMessage()).asRuntimeException();
    }
    ExportProfilesServiceResponse.Builder out = ExportProfilesServiceResponse.newBuilder();
    if (report.rejectedProfileCount() > 0) {
      out.setPartialSuccess(
          ExportProfilesPartialSuccess.newBuilder()
              .setRejectedProfiles(report.rejectedProfileCount())
              .setErrorMessage(report.profileSummary()));
    }
    return out.build();
  }

  /** Hands the request bytes through untouched; parsing happens in {@link #ingest}. */
  static final class RawBytes implements MethodDescriptor.Marshaller<byte[]> {
    @Override
    public InputStream stream(byte[] value) {
      return new ByteArrayInputStream(value);
    }

    @Override
    public byte[] parse(InputStream stream) {
      try {
        return stream.readAllBytes();
      } catch (IOException e) {
        throw Status.INTERNAL
            .withDescription("could not read the request")
            .withCause(e)
            .asRuntimeException();
      }
    }
  }
}
