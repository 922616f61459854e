package dev.ember.exporter;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.Any;
import com.google.rpc.Code;
import com.google.rpc.RetryInfo;
import dev.ember.wire.AcceptingProfilesService;
import io.grpc.Metadata;
import io.grpc.Server;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.ServerInterceptors;
import io.grpc.Status;
import io.grpc.netty.shaded.io.grpc.netty.GrpcSslContexts;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.grpc.protobuf.StatusProto;
import io.grpc.stub.StreamObserver;
import io.opentelemetry.proto.collector.profiles.v1development.ExportProfilesServiceRequest;
import io.opentelemetry.proto.collector.profiles.v1development.ExportProfilesServiceResponse;
import io.opentelemetry.proto.collector.profiles.v1development.ProfilesServiceGrpc;
import io.opentelemetry.proto.profiles.v1development.ProfilesDictionary;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/**
 * The sender against a real grpc-java server on a loopback port: retries with backoff and
 * RetryInfo, no retry of INVALID_ARGUMENT, gzip and headers, a queue bounded by windows and bytes
 * that drops the oldest, a backend that is down and comes back, and the flush on shutdown.
 */
class GrpcProfileSenderIT {
  /** Scripted answers, one per call; when empty the call succeeds. */
  final ArrayDeque<Supplier<Throwable>> script = new ArrayDeque<>();

  final List<ExportProfilesServiceRequest> received =
      Collections.synchronizedList(new ArrayList<>());
  final List<Long> callTimes = Collections.synchronizedList(new ArrayList<>());
  final Map<String, String> lastHeaders = Collections.synchronizedMap(new HashMap<>());
  volatile CountDownLatch hold;
  Server server;
  GrpcProfileSender sender;

  Server start(int port) throws IOException {
    ProfilesServiceGrpc.ProfilesServiceImplBase service =
        new ProfilesServiceGrpc.ProfilesServiceImplBase() {
          @Override
          public void export(
              ExportProfilesServiceRequest request,
              StreamObserver<ExportProfilesServiceResponse> response) {
            callTimes.add(System.nanoTime());
            CountDownLatch h = hold;
            if (h != null) {
              try {
                h.await(30, TimeUnit.SECONDS);
              } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
              }
            }
            Supplier<Throwable> next;
            synchronized (script) {
              next = script.pollFirst();
            }
            if (next != null) {
              response.onError(next.get());
              return;
            }
            received.add(request);
            response.onNext(ExportProfilesServiceResponse.getDefaultInstance());
            response.onCompleted();
          }
        };
    ServerInterceptor headers =
        new ServerInterceptor() {
          @Override
          public <ReqT, RespT> ServerCall.Listener<ReqT> interceptCall(
              ServerCall<ReqT, RespT> call, Metadata md, ServerCallHandler<ReqT, RespT> next) {
            for (String k : md.keys()) {
              if (!k.endsWith("-bin")) {
                lastHeaders.put(k, md.get(Metadata.Key.of(k, Metadata.ASCII_STRING_MARSHALLER)));
              }
            }
            return next.startCall(call, md);
          }
        };
    server =
        NettyServerBuilder.forAddress(new InetSocketAddress("127.0.0.1", port))
            .addService(ServerInterceptors.intercept(service, headers))
            .build()
            .start();
    return server;
  }

  @AfterEach
  void stop() throws InterruptedException {
    if (hold != null) {
      hold.countDown();
    }
    if (sender != null) {
      sender.close();
    }
    if (server != null) {
      server.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    }
  }

  static ProfilingConfig config(int port, String... kv) {
    Map<String, String> p = new HashMap<>();
    p.put("otel.exporter.otlp.profiles.endpoint", "http://127.0.0.1:" + port);
    p.put("otel.exporter.otlp.profiles.timeout", "2s");
    p.put("otel.profiling.export.interval", "1s");
    p.put("otel.profiling.shutdown.timeout", "3s");
    p.put("otel.exporter.otlp.profiles.headers", "X-Scope-OrgID=team-a");
    for (int i = 0; i < kv.length; i += 2) {
      p.put(kv[i], kv[i + 1]);
    }
    return ProfilingConfig.from(p::get);
  }

  /** The bytes of a request made unique (and of a chosen size) by its string table. */
  static byte[] request(int id, int padBytes) {
    return ExportProfilesServiceRequest.newBuilder()
        .setDictionary(
            ProfilesDictionary.newBuilder()
                .addStringTable("")
                .addStringTable("request-" + id)
                .addStringTable("x".repeat(padBytes)))
        .build()
        .toByteArray();
  }

  static int id(ExportProfilesServiceRequest r) {
    return Integer.parseInt(r.getDictionary().getStringTable(1).substring("request-".length()));
  }

  static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0)) {
      return s.getLocalPort();
    }
  }

  void awaitReceived(int n, long seconds) throws InterruptedException {
    long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
    while (received.size() < n && System.nanoTime() < end) {
      Thread.sleep(20);
    }
  }

  @Test
  void retriesUnavailableWithBackoffAndSendsGzipAndHeaders() throws Exception {
    int port = start(0).getPort();
    script.add(() -> Status.UNAVAILABLE.withDescription("warming up").asRuntimeException());
    script.add(() -> Status.UNAVAILABLE.withDescription("still warming up").asRuntimeException());
    sender = new GrpcProfileSender(config(port));
    sender.enqueue(request(1, 10));
    awaitReceived(1, 10);
    assertThat(received).hasSize(1);
    assertThat(callTimes).hasSize(3);
    long firstGapMs = TimeUnit.NANOSECONDS.toMillis(callTimes.get(1) - callTimes.get(0));
    long secondGapMs = TimeUnit.NANOSECONDS.toMillis(callTimes.get(2) - callTimes.get(1));
    // Full jitter in [b/2, b] with b = 1 s, then 2 s.
    assertThat(firstGapMs).isBetween(450L, 1500L);
    assertThat(secondGapMs).isBetween(950L, 2600L);
    assertThat(lastHeaders).containsEntry("x-scope-orgid", "team-a");
    assertThat(lastHeaders).containsEntry("grpc-encoding", "gzip");
    assertThat(sender.wireBytes()).isPositive();
  }

  @Test
  void invalidArgumentIsNotRetried() throws Exception {
    int port = start(0).getPort();
    script.add(() -> Status.INVALID_ARGUMENT.withDescription("bad profile").asRuntimeException());
    sender = new GrpcProfileSender(config(port));
    sender.enqueue(request(1, 10));
    sender.enqueue(request(2, 10));
    awaitReceived(1, 10);
    Thread.sleep(300);
    assertThat(callTimes).hasSize(2);
    assertThat(received).extracting(GrpcProfileSenderIT::id).containsExactly(2);
    assertThat(sender.droppedCount()).isEqualTo(1);
  }

  @Test
  void resourceExhaustedIsRetriedOnlyWithRetryInfoAfterTheDelayItAsks() throws Exception {
    int port = start(0).getPort();
    script.add(() -> Status.RESOURCE_EXHAUSTED.withDescription("slow down").asRuntimeException());
    script.add(
        () ->
            StatusProto.toStatusRuntimeException(
                com.google.rpc.Status.newBuilder()
                    .setCode(Code.RESOURCE_EXHAUSTED_VALUE)
                    .setMessage("slow down, with advice")
                    .addDetails(
                        Any.pack(
                            RetryInfo.newBuilder()
                                .setRetryDelay(
                                    com.google.protobuf.Duration.newBuilder().setNanos(300_000_000))
                                .build()))
                    .build()));
    sender = new GrpcProfileSender(config(port));
    sender.enqueue(request(1, 10)); // RESOURCE_EXHAUSTED without RetryInfo: dropped
    sender.enqueue(request(2, 10)); // with RetryInfo 300 ms: retried once, then delivered
    awaitReceived(1, 10);
    assertThat(received).extracting(GrpcProfileSenderIT::id).containsExactly(2);
    assertThat(callTimes).hasSize(3);
    long gapMs = TimeUnit.NANOSECONDS.toMillis(callTimes.get(2) - callTimes.get(1));
    assertThat(gapMs).isBetween(290L, 900L);
  }

  @Test
  void queueIsBoundedByWindowsAndDropsTheOldest() throws Exception {
    int port = start(0).getPort();
    hold = new CountDownLatch(1); // the backend hangs on the first call
    sender = new GrpcProfileSender(config(port, "otel.profiling.queue.max.windows", "3"));
    sender.enqueue(request(0, 10));
    while (callTimes.isEmpty()) {
      Thread.sleep(10);
    }
    long t0 = System.nanoTime();
    for (int i = 1; i <= 10; i++) {
      sender.enqueue(request(i, 10));
    }
    assertThat(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0))
        .as("enqueue never blocks")
        .isLessThan(500);
    assertThat(sender.queuedCount()).isEqualTo(3);
    hold.countDown();
    awaitReceived(3, 10);
    Thread.sleep(200);
    // Request 0 was in flight and dropped from the queue; the newest three survive.
    assertThat(received).extracting(GrpcProfileSenderIT::id).containsExactly(0, 8, 9, 10);
    assertThat(sender.droppedCount()).isGreaterThanOrEqualTo(7);
  }

  @Test
  void queueIsBoundedByBytes() throws Exception {
    int port = freePort(); // nothing listens: the backend is down
    sender = new GrpcProfileSender(config(port, "otel.profiling.queue.max.bytes", "256KiB"));
    for (int i = 0; i < 20; i++) {
      sender.enqueue(request(i, 60_000));
    }
    assertThat(sender.queuedBytes()).isLessThanOrEqualTo(256 << 10);
    assertThat(sender.queuedCount()).isBetween(1, 4);
    assertThat(sender.droppedCount()).isGreaterThanOrEqualTo(16);
  }

  @Test
  void backendDownThenBackDeliversWhatIsQueued() throws Exception {
    int port = freePort();
    sender = new GrpcProfileSender(config(port));
    for (int i = 0; i < 3; i++) {
      sender.enqueue(request(i, 10));
    }
    Thread.sleep(1500); // a couple of failed attempts
    assertThat(received).isEmpty();
    start(port);
    awaitReceived(3, 40);
    assertThat(received).extracting(GrpcProfileSenderIT::id).containsExactly(0, 1, 2);
  }

  @Test
  void closeFlushesTheQueueWithinTheShutdownTimeout() throws Exception {
    int port = start(0).getPort();
    sender = new GrpcProfileSender(config(port));
    for (int i = 0; i < 5; i++) {
      sender.enqueue(request(i, 1000));
    }
    sender.close();
    sender = null;
    assertThat(received).extracting(GrpcProfileSenderIT::id).containsExactly(0, 1, 2, 3, 4);
  }

  @Test
  void closeGivesUpWithinTheShutdownTimeoutWhenTheBackendIsDown() throws Exception {
    int port = freePort();
    sender = new GrpcProfileSender(config(port, "otel.profiling.shutdown.timeout", "1s"));
    for (int i = 0; i < 5; i++) {
      sender.enqueue(request(i, 1000));
    }
    long t0 = System.nanoTime();
    sender.close();
    sender = null;
    assertThat(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0)).isLessThan(2500);
  }

  static void run(Path dir, String... cmd) throws Exception {
    Process p = new ProcessBuilder(cmd).directory(dir.toFile()).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
    assertThat(p.exitValue()).as(out).isZero();
  }

  /** A CA and a server certificate for localhost/127.0.0.1, made with openssl. */
  static Path certificates() throws Exception {
    Path dir = Files.createTempDirectory("ember-tls");
    run(
        dir,
        "openssl",
        "req",
        "-x509",
        "-newkey",
        "rsa:2048",
        "-nodes",
        "-keyout",
        "ca.key",
        "-out",
        "ca.pem",
        "-days",
        "2",
        "-subj",
        "/CN=ember-test-ca");
    run(
        dir,
        "openssl",
        "req",
        "-newkey",
        "rsa:2048",
        "-nodes",
        "-keyout",
        "server.key",
        "-out",
        "server.csr",
        "-subj",
        "/CN=localhost");
    Files.writeString(dir.resolve("ext.cnf"), "subjectAltName=DNS:localhost,IP:127.0.0.1\n");
    run(
        dir,
        "openssl",
        "x509",
        "-req",
        "-in",
        "server.csr",
        "-CA",
        "ca.pem",
        "-CAkey",
        "ca.key",
        "-CAcreateserial",
        "-out",
        "server.pem",
        "-days",
        "2",
        "-extfile",
        "ext.cnf");
    return dir;
  }

  @Test
  void sendsOverTlsTrustingTheConfiguredCertificateOnly() throws Exception {
    Assumptions.assumeTrue(
        Files.isExecutable(Path.of("/usr/bin/openssl")), "openssl is needed to make certificates");
    Path certs = certificates();
    server =
        NettyServerBuilder.forAddress(new InetSocketAddress("127.0.0.1", 0))
            .sslContext(
                GrpcSslContexts.forServer(
                        certs.resolve("server.pem").toFile(), certs.resolve("server.key").toFile())
                    .build())
            .addService(new AcceptingProfilesService(received::add))
            .build()
            .start();
    String endpoint = "https://localhost:" + server.getPort();
    // Without the CA the server is not trusted: nothing is delivered.
    GrpcProfileSender untrusting =
        new GrpcProfileSender(
            config(
                0,
                "otel.exporter.otlp.profiles.endpoint",
                endpoint,
                "otel.profiling.shutdown.timeout",
                "0s"));
    untrusting.enqueue(request(1, 10));
    Thread.sleep(1500);
    untrusting.close();
    assertThat(received).isEmpty();
    sender =
        new GrpcProfileSender(
            config(
                0,
                "otel.exporter.otlp.profiles.endpoint",
                endpoint,
                "otel.exporter.otlp.profiles.certificate",
                certs.resolve("ca.pem").toString()));
    sender.enqueue(request(2, 10));
    awaitReceived(1, 10);
    assertThat(received).extracting(GrpcProfileSenderIT::id).containsExactly(2);
  }
}
