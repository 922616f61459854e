package dev.ember.exporter;

import com.google.protobuf.Any;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.rpc.RetryInfo;
import io.grpc.CallOptions;
import io.grpc.Channel;
import io.grpc.ClientCall;
import io.grpc.ClientInterceptor;
import io.grpc.ClientInterceptors;
import io.grpc.ClientStreamTracer;
import io.grpc.Compressor;
import io.grpc.CompressorRegistry;
import io.grpc.Drainable;
import io.grpc.KnownLength;
import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.MethodDescriptor;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.netty.shaded.io.grpc.netty.GrpcSslContexts;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.netty.shaded.io.netty.handler.ssl.SslContextBuilder;
import io.grpc.protobuf.ProtoUtils;
import io.grpc.protobuf.StatusProto;
import io.grpc.stub.ClientCalls;
import io.grpc.stub.MetadataUtils;
import io.opentelemetry.proto.collector.profiles.v1development.ExportProfilesServiceResponse;
import io.opentelemetry.proto.collector.profiles.v1development.ProfilesServiceGrpc;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.util.ArrayDeque;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.logging.Level;
import java.util.logging.Logger;
import java.util.zip.GZIPOutputStream;
import javax.net.ssl.SSLException;

/**
 * Sends export requests over grpc-java from one daemon thread.
 *
 * <ul>
 *   <li>Requests wait in a queue bounded by count and by bytes; when either bound is exceeded the
 *       oldest request is dropped and counted.
 *   <li>Retryable failures (CANCELLED, DEADLINE_EXCEEDED, ABORTED, OUT_OF_RANGE, UNAVAILABLE,
 *       DATA_LOSS, and RESOURCE_EXHAUSTED when the server sends RetryInfo) back off exponentially
 *       with full jitter, or wait as long as the server's RetryInfo asks. Other codes, {@code
 *       INVALID_ARGUMENT} first among them, drop the request: sending it again cannot help.
 *   <li>While the backend is unreachable it logs at most one warning per export interval.
 *   <li>{@link #enqueue} never blocks beyond a queue operation and never throws.
 *   <li>{@link #close} sends what is queued, bounded by the shutdown timeout.
 * </ul>
 */
final class GrpcProfileSender implements AutoCloseable {
  private static final Logger logger = Logger.getLogger(GrpcProfileSender.class.getName());
  static final long INITIAL_BACKOFF_MS = 1_000;
  static final long MAX_BACKOFF_MS = 30_000;

  private final ProfilingConfig config;
  private final ManagedChannel channel;
  private final Channel channelWithHeaders;
  private final CallOptions callOptions;

  /**
   * OTLP's {@code Export} method with the request as ready-made bytes ({@link OtlpEncoder} writes
   * them), so nothing is built or serialized again here; the response is parsed as usual.
   */
  static final MethodDescriptor<byte[], ExportProfilesServiceResponse> EXPORT_BYTES =
      ProfilesServiceGrpc.getExportMethod().toBuilder(
              new BytesMarshaller(),
              ProtoUtils.marshaller(ExportProfilesServiceResponse.getDefaultInstance()))
          .build();

  private final ArrayDeque<byte[]> queue = new ArrayDeque<>();
  private final Thread thread;
  private final long warnEveryNanos;
  private long queuedBytes;
  private volatile boolean closing;
  private volatile long closeDeadlineNanos = Long.MAX_VALUE;

  private final AtomicLong sent = new AtomicLong();
  private final AtomicLong dropped = new AtomicLong();
  private final AtomicLong failedAttempts = new AtomicLong();
  private final AtomicLong wireBytes = new AtomicLong();
  private final AtomicLong rawBytes = new AtomicLong();
  private long lastWarnNanos;
  private long suppressedWarnings;

  GrpcProfileSender(ProfilingConfig config) {
    this.config = config;
    this.warnEveryNanos = config.exportInterval().toNanos();
    this.lastWarnNanos = System.nanoTime() - warnEveryNanos;
    keepRelocatedNettyOffNativeCode();
    NettyChannelBuilder builder =
        NettyChannelBuilder.forAddress(config.endpoint().getHost(), port(config));
    if ("https".equals(config.endpoint().getScheme())) {
      builder.useTransportSecurity();
      if (config.trustedCertificates() != null || config.clientKey() != null) {
        try {
          SslContextBuilder ssl = GrpcSslContexts.forClient();
          if (config.trustedCertificates() != null) {
            ssl.trustManager(config.trustedCertificates().toFile());
          }
          if (config.clientKey() != null) {
            ssl.keyManager(config.clientCertificate().toFile(), config.clientKey().toFile());
          }
          builder.sslContext(ssl.build());
        } catch (SSLException | IllegalArgumentException e) {
          throw new ConfigurationError(
              ProfilingConfig.CERTIFICATE, "could not load the TLS files (" + e.getMessage() + ")");
        }
      }
    } else {
      builder.usePlaintext();
    }
    if (config.gzip()) {
      CompressorRegistry compressors = CompressorRegistry.newEmptyInstance();
      compressors.register(new LeveledGzip(config.gzipLevel()));
      builder.compressorRegistry(compressors);
    }
    this.channel = builder.build();
    Metadata headers = new Metadata();
    for (Map.Entry<String, String> h : config.headers().entrySet()) {
      headers.put(Metadata.Key.of(h.getKey(), Metadata.ASCII_STRING_MARSHALLER), h.getValue());
    }
    this.channelWithHeaders =
        ClientInterceptors.intercept(
            channel, MetadataUtils.newAttachHeadersInterceptor(headers), new WireBytesCounter());
    this.callOptions =
        config.gzip() ? CallOptions.DEFAULT.withCompression("gzip") : CallOptions.DEFAULT;
    this.thread = new Thread(this::run, "ember-profile-sender");
    thread.setDaemon(true);
    thread.start();
  }

  /**
   * The extension jar carries Netty relocated under Ember's package and without its native
   * libraries (they cannot load once relocated; NIO is used). Left alone, that Netty still looks
   * for them, and on JDK 24+ each look makes the JVM print a restricted-method warning into the
   * application's output. Netty's switches are read from properties whose names were relocated with
   * it, so setting them touches only Ember's copy. Nothing is set when Ember runs on an
   * application's own, unrelocated gRPC (the autoconfigure dependency): that Netty is theirs.
   */
  static void keepRelocatedNettyOffNativeCode() {
    String marker = "channel.epoll.Epoll";
    String netty =
        io.grpc.netty.shaded.io.netty.channel.epoll.Epoll.class.getName(); // not initialized
    if (!netty.startsWith("dev.ember.") || !netty.endsWith(marker)) {
      return;
    }
    String prefix = netty.substring(0, netty.length() - marker.length());
    System.setProperty(prefix + "transport.noNative", "true");
    System.setProperty(prefix + "handler.ssl.noOpenSsl", "true");
  }

  private static int port(ProfilingConfig config) {
    int port = config.endpoint().getPort();
    if (port > 0) {
      return port;
    }
    return "https".equals(config.endpoint().getScheme()) ? 443 : 4317;
  }

  /**
   * Queues a request (the bytes of an {@code ExportProfilesServiceRequest}); drops the oldest when
   * the queue is over its bounds. Never throws.
   */
  void enqueue(byte[] request) {
    long size = request.length;
    int droppedNow = 0;
    synchronized (queue) {
      if (closing) {
        return;
      }
      if (size > config.queueMaxBytes()) {
        droppedNow++;
      } else {
        queue.addLast(request);
        queuedBytes += size;
        while (queue.size() > config.queueMaxWindows() || queuedBytes > config.queueMaxBytes()) {
          byte[] old = queue.pollFirst();
          queuedBytes -= old.length;
          droppedNow++;
        }
      }
      queue.notifyAll();
    }
    if (droppedNow > 0) {
      long total = dropped.addAndGet(droppedNow);
      warn(
          "Ember profile queue full (backend slow or down): dropped the oldest window; {0}"
              + " dropped so far",
          total);
    }
  }

  long sentCount() {
    return sent.get();
  }

  long droppedCount() {
    return dropped.get();
  }

  long wireBytes() {
    return wireBytes.get();
  }

  long rawBytes() {
    return rawBytes.get();
  }

  int queuedCount() {
    synchronized (queue) {
      return queue.size();
    }
  }

  long queuedBytes() {
    synchronized (queue) {
      return queuedBytes;
    }
  }

  private void run() {
    while (true) {
      byte[] next;
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
      boolean delivered = send(next);
      synchronized (queue) {
        if (queue.peekFirst() == next) {
          queue.pollFirst();
          queuedBytes -= next.length;
          if (!delivered) {
            dropped.incrementAndGet();
          }
        }
      }
      if (delivered) {
        sent.incrementAndGet();
        rawBytes.addAndGet(next.length);
      }
    }
  }

  /** Sends one request with retries; true once delivered, false when given up. */
  private boolean send(byte[] request) {
    long backoff = INITIAL_BACKOFF_MS;
    while (true) {
      long timeoutMs = config.timeout().toMillis();
      if (closing) {
        long left = TimeUnit.NANOSECONDS.toMillis(closeDeadlineNanos - System.nanoTime());
        if (left <= 0) {
          return false;
        }
        timeoutMs = Math.min(timeoutMs, left);
      }
      Status status;
      try {
        ExportProfilesServiceResponse response =
            ClientCalls.blockingUnaryCall(
                channelWithHeaders,
                EXPORT_BYTES,
                callOptions.withDeadlineAfter(timeoutMs, TimeUnit.MILLISECONDS),
                request);
        if (response.hasPartialSuccess()
            && (response.getPartialSuccess().getRejectedProfiles() > 0
                || !response.getPartialSuccess().getErrorMessage().isEmpty())) {
          warn(
              "Ember profiles: the backend rejected {0} profile(s): {1}",
              response.getPartialSuccess().getRejectedProfiles(),
              response.getPartialSuccess().getErrorMessage());
        }
        return true;
      } catch (StatusRuntimeException e) {
        status = e.getStatus();
        failedAttempts.incrementAndGet();
        Long retryAfter = retryDelayMillis(e);
        if (!retryable(status.getCode(), retryAfter != null)) {
          warn(
              "Ember profiles: dropped a profile export the backend refused ({0}); not retrying",
              status);
          return false;
        }
        if (closing) {
          return false; // the backend is failing: do not hold up shutdown
        }
        long sleep =
            retryAfter != null
                ? retryAfter
                : ThreadLocalRandom.current().nextLong(backoff / 2, backoff + 1);
        warn(
            "Ember profiles: export failed ({0}); retrying in {1} ms; {2} window(s) queued, {3}"
                + " dropped so far",
            status, sleep, queuedCount(), dropped.get());
        if (!sleepUntilRetry(sleep, request)) {
          return false;
        }
        backoff = Math.min(backoff * 2, MAX_BACKOFF_MS);
      } catch (RuntimeException e) {
        logger.log(Level.WARNING, "Ember profiles: dropped a profile export", e);
        return false;
      }
    }
  }

  /** Sleeps before a retry; false when the request left the queue meanwhile or we are closing. */
  private boolean sleepUntilRetry(long millis, byte[] request) {
    long until = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(millis);
    synchronized (queue) {
      while (!closing && queue.peekFirst() == request) {
        long left = until - System.nanoTime();
        if (left <= 0) {
          return true;
        }
        try {
          TimeUnit.NANOSECONDS.timedWait(queue, left);
        } catch (InterruptedException e) {
          return false;
        }
      }
      // Dropped for newer windows while we waited, or closing: during shutdown the request is
      // tried once more only if time is left.
      return closing && queue.peekFirst() == request && System.nanoTime() < closeDeadlineNanos;
    }
  }

  /** The server's RetryInfo delay in milliseconds, or null when it sent none. */
  static Long retryDelayMillis(StatusRuntimeException e) {
    com.google.rpc.Status details = StatusProto.fromThrowable(e);
    if (details == null) {
      return null;
    }
    for (Any any : details.getDetailsList()) {
      if (any.is(RetryInfo.class)) {
        try {
          RetryInfo info = any.unpack(RetryInfo.class);
          com.google.protobuf.Duration d = info.getRetryDelay();
          long ms = d.getSeconds() * 1000 + d.getNanos() / 1_000_000;
          return Math.max(0, Math.min(ms, TimeUnit.MINUTES.toMillis(5)));
        } catch (InvalidProtocolBufferException ignored) {
          return null;
        }
      }
    }
    return null;
  }

  static boolean retryable(Status.Code code, boolean hasRetryInfo) {
    switch (code) {
      case CANCELLED:
      case DEADLINE_EXCEEDED:
      case ABORTED:
      case OUT_OF_RANGE:
      case UNAVAILABLE:
      case DATA_LOSS:
        return true;
      case RESOURCE_EXHAUSTED:
        return hasRetryInfo;
      default:
        return false;
    }
  }

  /** At most one warning per export interval; the ones in between are counted. */
  private void warn(String message, Object... params) {
    long now = System.nanoTime();
    synchronized (this) {
      if (now - lastWarnNanos < warnEveryNanos) {
        suppressedWarnings++;
        logger.log(Level.FINE, message, params);
        return;
      }
      lastWarnNanos = now;
      if (suppressedWarnings > 0) {
        message = message + " (" + suppressedWarnings + " similar messages suppressed)";
        suppressedWarnings = 0;
      }
    }
    logger.log(Level.WARNING, message, params);
  }

  /** Sends what is queued within the shutdown timeout, then releases the channel. */
  @Override
  public void close() {
    long timeout = config.shutdownTimeout().toNanos();
    closeDeadlineNanos = System.nanoTime() + timeout;
    synchronized (queue) {
      closing = true;
      queue.notifyAll();
    }
    try {
      thread.join(Math.max(1, TimeUnit.NANOSECONDS.toMillis(timeout)));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    thread.interrupt();
    channel.shutdownNow();
    int left = queuedCount();
    logger.log(
        left > 0 ? Level.WARNING : Level.INFO,
        "Ember profiles: sender stopped: {0} requests sent ({1} bytes on the wire, {2}"
            + " uncompressed), {3} dropped, {4} left unsent at shutdown",
        new Object[] {sent.get(), wireBytes.get(), rawBytes.get(), dropped.get(), left});
  }

  /**
   * gzip at a chosen level ({@code otel.exporter.otlp.profiles.compression.level}); gRPC's own gzip
   * always uses level 6. Any gzip reader decompresses it.
   */
  private static final class LeveledGzip implements Compressor {
    private final int level;

    LeveledGzip(int level) {
      this.level = level;
    }

    @Override
    public String getMessageEncoding() {
      return "gzip";
    }

    @Override
    public OutputStream compress(OutputStream os) throws IOException {
      return new GZIPOutputStream(os) {
        {
          def.setLevel(level);
        }
      };
    }
  }

  /** Passes a request's bytes through as they are. */
  private static final class BytesMarshaller implements MethodDescriptor.Marshaller<byte[]> {
    @Override
    public InputStream stream(byte[] value) {
      return new BytesStream(value);
    }

    @Override
    public byte[] parse(InputStream stream) {
      try {
        return stream.readAllBytes();
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
  }

  /**
   * The request's bytes as gRPC likes a message stream: of known length (framed without a copy) and
   * drainable (written to the compressor or transport in one call).
   */
  private static final class BytesStream extends ByteArrayInputStream
      implements KnownLength, Drainable {
    BytesStream(byte[] bytes) {
      super(bytes);
    }

    @Override
    public int drainTo(OutputStream target) throws IOException {
      int n = count - pos;
      target.write(buf, pos, n);
      pos = count;
      return n;
    }
  }

  /** Counts the bytes each request puts on the wire, after compression. */
  private final class WireBytesCounter implements ClientInterceptor {
    private final ClientStreamTracer.Factory factory =
        new ClientStreamTracer.Factory() {
          @Override
          public ClientStreamTracer newClientStreamTracer(
              ClientStreamTracer.StreamInfo info, Metadata headers) {
            return new ClientStreamTracer() {
              @Override
              public void outboundWireSize(long bytes) {
                wireBytes.addAndGet(bytes);
              }
            };
          }
        };

    @Override
    public <ReqT, RespT> ClientCall<ReqT, RespT> interceptCall(
        MethodDescriptor<ReqT, RespT> method, CallOptions options, Channel next) {
      return next.newCall(method, options.withStreamTracerFactory(factory));
    }
  }
}
