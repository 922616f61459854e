package dev.ember.backend;

import com.google.protobuf.Any;
import com.google.rpc.Code;
import com.google.rpc.RetryInfo;
import io.grpc.MethodDescriptor;
import io.grpc.ServerServiceDefinition;
import io.grpc.ServiceDescriptor;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.protobuf.ProtoUtils;
import io.grpc.protobuf.StatusProto;
import io.grpc.stub.ServerCalls;
import io.grpc.stub.StreamObserver;
import io.opentelemetry.proto.collector.profiles.v1development.ExportProfilesServiceResponse;
import io.opentelemetry.proto.collector.profiles.v1development.ProfilesServiceGrpc;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;

/**
 * OTLP {@code ProfilesService/Export} over gRPC. The request arrives as raw bytes (a pass-through
 * marshaller) so that a payload protobuf cannot parse is answered with {@code INVALID_ARGUMENT} and
 * a message, not grpc-java's generic {@code INTERNAL}. Everything else is the {@link
 * IngestPipeline}: faults in the shared dictionary refuse the request, faults inside a profile
 * reject that profile through {@code partial_success} while the rest is stored durably.
 *
 * <p>Status codes: {@code INVALID_ARGUMENT} (bad data, do not retry), {@code RESOURCE_EXHAUSTED}
 * with a {@code google.rpc.RetryInfo} (over the tenant's rate or the backend's memory budget: retry
 * later) or without one (larger than allowed: do not retry), {@code UNAVAILABLE} (storage failed:
 * retry), {@code UNAUTHENTICATED} (missing tenant, from {@link TenantInterceptor}).
 */
final class OtlpGrpcReceiver {
  static final String RECEIVER = "otlp_grpc";

  private final IngestPipeline pipeline;

  OtlpGrpcReceiver(IngestPipeline pipeline) {
    this.pipeline = pipeline;
  }

  /** The service definition, with the generated schema so reflection still describes it. */
  ServerServiceDefinition definition() {
    MethodDescriptor<Payload, ExportProfilesServiceResponse> export =
        ProfilesServiceGrpc.getExportMethod().toBuilder(
                new PayloadMarshaller(),
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

  void export(Payload payload, StreamObserver<ExportProfilesServiceResponse> response) {
    String tenant = TenantInterceptor.TENANT.get();
    if (payload.error() != null) {
      IngestException e = payload.error();
      pipeline.refused(RECEIVER, tenant, e, System.nanoTime());
      response.onError(status(e));
      return;
    }
    try {
      response.onNext(pipeline.ingestBytes(tenant, RECEIVER, payload.bytes()).response());
      response.onCompleted();
    } catch (IngestException e) {
      response.onError(status(e));
    }
  }

  /** The gRPC status for a refusal, with retry information when a retry can succeed. */
  static StatusRuntimeException status(IngestException e) {
    Code code =
        switch (e.kind) {
          case INVALID, UNSUPPORTED -> Code.INVALID_ARGUMENT;
          case TOO_LARGE, OVERLOADED -> Code.RESOURCE_EXHAUSTED;
          case UNAVAILABLE -> Code.UNAVAILABLE;
          case UNAUTHENTICATED -> Code.UNAUTHENTICATED;
        };
    com.google.rpc.Status.Builder s =
        com.google.rpc.Status.newBuilder().setCode(code.getNumber()).setMessage(e.getMessage());
    if (e.retryAfter != null) {
      s.addDetails(
          Any.pack(
              RetryInfo.newBuilder()
                  .setRetryDelay(
                      com.google.protobuf.Duration.newBuilder()
                          .setSeconds(e.retryAfter.getSeconds())
                          .setNanos(e.retryAfter.getNano()))
                  .build()));
    }
    return StatusProto.toStatusRuntimeException(s.build());
  }

  /** The request bytes as they arrived, or why reading them failed. */
  record Payload(byte[] bytes, IngestException error) {}

  /**
   * Hands the request bytes through untouched; parsing happens in the pipeline. grpc-java
   * decompresses and enforces the size limit while this reads the stream; a failure there must not
   * escape, or grpc-java answers {@code UNKNOWN "Application error processing RPC"}: it becomes a
   * payload error with a proper status instead.
   */
  static final class PayloadMarshaller implements MethodDescriptor.Marshaller<Payload> {
    @Override
    public InputStream stream(Payload value) {
      return new ByteArrayInputStream(value.bytes());
    }

    @Override
    public Payload parse(InputStream stream) {
      try {
        return new Payload(stream.readAllBytes(), null);
      } catch (StatusRuntimeException e) {
        boolean size = e.getStatus().getCode() == Status.Code.RESOURCE_EXHAUSTED;
        return new Payload(
            null,
            new IngestException(
                size ? IngestException.Kind.TOO_LARGE : IngestException.Kind.INVALID,
                size ? "too_large" : "bad_compression",
                e.getStatus().getDescription()
                    + (size
                        ? " (the backend's max-message-size); split it into smaller requests"
                        : "")));
      } catch (IOException e) {
        return new Payload(
            null,
            IngestException.invalid(
                "bad_compression",
                "could not read the request; is its grpc-encoding right? " + e.getMessage()));
      }
    }
  }

  /** Writes byte arrays as they are: for clients (tests, tools) that send prepared bytes. */
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
