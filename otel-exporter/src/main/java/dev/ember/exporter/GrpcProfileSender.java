package dev.ember.exporter;

import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.stub.MetadataUtils;
import io.opentelemetry.proto.collector.profiles.v1development.ExportProfilesServiceRequest;
import io.opentelemetry.proto.collector.profiles.v1development.ExportProfilesServiceResponse;
import io.opentelemetry.proto.collector.profiles.v1development.ProfilesServiceGrpc;
import java.util.ArrayDeque;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Sends export requests over grpc-java from one daemon thread. Requests wait in a bounded queue;
 * when it is full the oldest is dropped and counted. Retryable failures back off exponentially with
 * jitter; {@code INVALID_ARGUMENT} and other permanent failures drop the request. Callers never
 * block: {@link #enqueue} only takes a lock for a queue operation.
 */
final class GrpcProfileSender implements AutoCloseable {
  private static final Logger logger = Logger.getLogger(GrpcProfileSender.class.getName());
  static final int MAX_QUEUED = 6;
  static final long INITIAL_BACKOFF_MS = 1_000;
  static final long MAX_BACKOFF_MS = 30_000;

  private final ProfilingConfig config;
  private final ManagedChannel channel;
  private final ProfilesServiceGrpc.ProfilesServiceBlockingStub stub;
  private final ArrayDeque<ExportProfilesServiceRequest> queue = new ArrayDeque<>();
  private final Thread thread;
  private volatile boolean closing;
  private long dropped;
  private long sent;

  GrpcProfileSender(ProfilingConfig config) {
    this.config = config;
    NettyChannelBuilder builder =
        NettyChannelBuilder.forAddress(config.endpoint().getHost(), port(config));
    if ("https".equals(config.endpoint().getScheme())) {
      builder.useTransportSecurity();
    } else {
      builder.usePlaintext();
    }
    this.channel = builder.build();
    Metadata headers = new Metadata();
    for (Map.Entry<String, String> h : config.headers().entrySet()) {
      headers.put(Metadata.Key.of(h.getKey(), Metadata.ASCII_STRING_MARSHALLER), h.getValue());
    }
    ProfilesServiceGrpc.ProfilesServiceBlockingStub s =
        ProfilesServiceGrpc.newBlockingStub(channel)
            .withInterceptors(MetadataUtils.newAttachHeadersInterceptor(headers));
    this.stub = config.gzip() ? s.withCompression("gzip") : s;
    this.thread = new Thread(this::run, "ember-profile-sender");
    thread.setDaemon(true);
    thread.start();
  }

  private static int port(ProfilingConfig config) {
    int port = config.endpoint().getPort();
    if (port > 0) {
      return port;
    }
    return "https".equals(config.endpoint().getScheme()) ? 443 : 4317;
  }

  void enqueue(ExportProfilesServiceRequest request) {
    synchronized (queue) {
      if (queue.size() >= MAX_QUEUED) {
        queue.pollFirst();
        dropped++;
        logger.log(
            Level.WARNING,
            "Ember profile queue full (backend slow or down): dropped the oldest window, {0}"
                + " dropped so far",
            dropped);
      }
      queue.addLast(request);
      queue.notifyAll();
    }
  }

  long sentCount() {
    synchronized (queue) {
      return sent;
    }
  }

  private void run() {
    while (true) {
      ExportProfilesServiceRequest next;
      synchronized (queue) {
        while (queue.isEmpty() && !closing) {
          try {
            queue.wait();
          } catch (InterruptedException e) {
            return;
          }
        }
        if (queue.isEmpty()) {
          return;
        }
        next = queue.peekFirst();
      }
      boolean done = send(next);
      synchronized (queue) {
        if (queue.peekFirst() == next) {
          queue.pollFirst();
          if (done) {
            sent++;
          }
        }
      }
    }
  }

  /** Sends one request with retries; returns true once delivered, false when dropped. */
  private boolean send(ExportProfilesServiceRequest request) {
    long backoff = INITIAL_BACKOFF_MS;
    while (true) {
      try {
        ExportProfilesServiceResponse response =
            stub.withDeadlineAfter(config.timeout().toMillis(), TimeUnit.MILLISECONDS)
                .export(request);
        if (response.hasPartialSuccess()
            && response.getPartialSuccess().getRejectedProfiles() > 0) {
          logger.log(
              Level.WARNING,
              "backend rejected {0} profile(s): {1}",
              new Object[] {
                response.getPartialSuccess().getRejectedProfiles(),
                response.getPartialSuccess().getErrorMessage()
              });
        }
        return true;
      } catch (StatusRuntimeException e) {
        if (!retryable(e.getStatus().getCode()) || closing) {
          logger.log(Level.WARNING, "dropped a profile export: {0}", e.getStatus());
          return false;
        }
        logger.log(Level.FINE, "profile export failed, retrying: {0}", e.getStatus());
      } catch (RuntimeException e) {
        logger.log(Level.WARNING, "dropped a profile export", e);
        return false;
      }
      long sleep = backoff / 2 + ThreadLocalRandom.current().nextLong(backoff / 2 + 1);
      try {
        Thread.sleep(sleep);
      } catch (InterruptedException e) {
        return false;
      }
      backoff = Math.min(backoff * 2, MAX_BACKOFF_MS);
    }
  }

  static boolean retryable(Status.Code code) {
    switch (code) {
      case CANCELLED:
      case DEADLINE_EXCEEDED:
      case ABORTED:
      case OUT_OF_RANGE:
      case UNAVAILABLE:
      case DATA_LOSS:
        return true;
      default:
        return false;
    }
  }

  /** Stops after the queue drains or the timeout passes, whichever is first. */
  @Override
  public void close() {
    closing = true;
    synchronized (queue) {
      queue.notifyAll();
    }
    try {
      thread.join(config.timeout().toMillis());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    thread.interrupt();
    channel.shutdownNow();
  }
}
