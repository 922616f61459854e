package dev.ember.wire;

import io.grpc.stub.StreamObserver;
import io.opentelemetry.proto.collector.profiles.v1development.ExportProfilesServiceRequest;
import io.opentelemetry.proto.collector.profiles.v1development.ExportProfilesServiceResponse;
import io.opentelemetry.proto.collector.profiles.v1development.ProfilesServiceGrpc;
import java.util.function.Consumer;

/**
 * A stand-in OTLP profiles receiver for tests of producers: hands every request to a consumer and
 * acknowledges it. Tests put it on a real grpc-java server of their own (plain or TLS).
 */
public final class AcceptingProfilesService extends ProfilesServiceGrpc.ProfilesServiceImplBase {
  private final Consumer<ExportProfilesServiceRequest> received;

  public AcceptingProfilesService(Consumer<ExportProfilesServiceRequest> received) {
    this.received = received;
  }

  @Override
  public void export(
      ExportProfilesServiceRequest request,
      StreamObserver<ExportProfilesServiceResponse> response) {
    received.accept(request);
    response.onNext(ExportProfilesServiceResponse.getDefaultInstance());
    response.onCompleted();
  }
}
