package dev.ember.backend;

import dev.ember.index.store.Tenants;
import io.grpc.Context;
import io.grpc.Contexts;
import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.Status;

/**
 * Reads the tenant from gRPC metadata {@code X-Scope-OrgID} into the call's {@link Context}. Absent
 * means the default tenant unless tenants are required; an invalid id is refused before any work.
 */
final class TenantInterceptor implements ServerInterceptor {
  static final Metadata.Key<String> HEADER =
      Metadata.Key.of("x-scope-orgid", Metadata.ASCII_STRING_MARSHALLER);
  static final Context.Key<String> TENANT = Context.key("ember-tenant");

  private final boolean required;

  TenantInterceptor(boolean required) {
    this.required = required;
  }

  @Override
  public <Q, R> ServerCall.Listener<Q> interceptCall(
      ServerCall<Q, R> call, Metadata headers, ServerCallHandler<Q, R> next) {
    String tenant = headers.get(HEADER);
    if (tenant == null || tenant.isEmpty()) {
      if (required) {
        call.close(
            Status.UNAUTHENTICATED.withDescription(
                "missing X-Scope-OrgID: this backend requires a tenant id"),
            new Metadata());
        return new ServerCall.Listener<>() {};
      }
      tenant = Tenants.DEFAULT;
    }
    try {
      Tenants.validate(tenant);
    } catch (IllegalArgumentException e) {
      call.close(Status.INVALID_ARGUMENT.withDescription(e.getMessage()), new Metadata());
      return new ServerCall.Listener<>() {};
    }
    return Contexts.interceptCall(Context.current().withValue(TENANT, tenant), call, headers, next);
  }
}
