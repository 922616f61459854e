package dev.ember.backend;

import com.sun.net.httpserver.HttpServer;
import dev.ember.index.query.QueryLimits;
import dev.ember.index.store.LuceneProfileStore;
import dev.ember.index.store.ProfileQueries;
import dev.ember.index.store.ProfileStore;
import dev.ember.index.store.StoreConfig;
import io.grpc.Server;
import io.grpc.ServerInterceptors;
import io.grpc.health.v1.HealthCheckResponse.ServingStatus;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.grpc.protobuf.services.HealthStatusManager;
import io.grpc.protobuf.services.ProtoReflectionServiceV1;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.time.Clock;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.logging.Logger;

/**
 * The running backend: the embedded store, the OTLP gRPC server (with health and reflection) and
 * the HTTP server (query API, OTLP/HTTP, pprof push, metrics, UI); every receiver feeds one {@link
 * IngestPipeline}. {@link #start} returns once both listen and {@code GET /ready} answers 200;
 * {@link #close} stops taking requests, lets running ones finish (bounded), and closes the store so
 * its indexes are committed.
 */
public final class Backend implements AutoCloseable {
  private static final Logger logger = Logger.getLogger(Backend.class.getName());

  private final ProfileStore store;
  private final ProfileQueries queries;
  private final Server grpc;
  private final HttpServer http;
  private final HealthStatusManager health;
  private final IngestMetrics metrics;
  private final IngestGate gate;
  private final ExecutorService httpExecutor;
  private volatile boolean ready;

  private Backend(BackendConfig config, QueryLimits limits, int queryThreads) throws IOException {
    StoreConfig storeConfig =
        StoreConfig.of(config.dataDir())
            .withPartitionDuration(config.partition())
            .withLimits(config.limits())
            .withMaintenance(config.maintenance(), StoreConfig.DEFAULT_IDLE_CLOSE);
    this.store = new LuceneProfileStore(storeConfig);
    this.queries = store.queries(queryThreads);
    try {
      this.health = new HealthStatusManager();
      this.gate = new IngestGate(config.ingestMemoryBytes());
      this.metrics = new IngestMetrics(store, gate);
      IngestPipeline pipeline = new IngestPipeline(store, config.limits(), gate, metrics);
      OtlpGrpcReceiver receiver = new OtlpGrpcReceiver(pipeline);
      TenantInterceptor tenants = new TenantInterceptor(config.requireTenant());
      this.grpc =
          NettyServerBuilder.forAddress(
                  new InetSocketAddress(config.bindAddress(), config.grpcPort()))
              .maxInboundMessageSize(config.maxMessageBytes())
              .addService(ServerInterceptors.intercept(receiver.definition(), tenants))
              .addService(
                  ServerInterceptors.intercept(
                      new QueryGrpcService(queries, limits, Clock.systemUTC()), tenants))
              .addService(health.getHealthService())
              .addService(ProtoReflectionServiceV1.newInstance())
              .build()
              .start();
      this.httpExecutor = Executors.newVirtualThreadPerTaskExecutor();
      this.http =
          HttpServer.create(new InetSocketAddress(config.bindAddress(), config.httpPort()), 128);
      http.setExecutor(httpExecutor);
      new HttpApi(queries, limits, () -> ready, Clock.systemUTC(), config.requireTenant())
          .register(http);
      http.createContext(
          OtlpHttpReceiver.PATH, new OtlpHttpReceiver(pipeline, config.requireTenant()));
      http.createContext(
          PprofIngestHandler.PATH,
          new PprofIngestHandler(pipeline, config.requireTenant(), Clock.systemUTC()));
      http.createContext(MetricsHandler.PATH, new MetricsHandler(metrics.registry));
      http.start();
      health.setStatus("", ServingStatus.SERVING);
      ready = true;
      logger.info(
          "Ember backend ready: OTLP gRPC on "
              + config.bindAddress()
              + ":"
              + grpcPort()
              + ", HTTP on "
              + config.bindAddress()
              + ":"
              + httpPort()
              + ", data in "
              + config.dataDir().toAbsolutePath());
    } catch (IOException | RuntimeException e) {
      queries.close();
      store.close();
      throw e;
    }
  }

  public static Backend start(BackendConfig config) throws IOException {
    return start(config, QueryLimits.DEFAULTS, Runtime.getRuntime().availableProcessors());
  }

  /** Starts with query limits and the number of threads that work on query partitions. */
  public static Backend start(BackendConfig config, QueryLimits limits, int queryThreads)
      throws IOException {
    return new Backend(config, limits, queryThreads);
  }

  public int grpcPort() {
    return grpc.getPort();
  }

  public int httpPort() {
    return http.getAddress().getPort();
  }

  public ProfileStore store() {
    return store;
  }

  /** The ingest memory budget, for tests that fill it. */
  IngestGate gate() {
    return gate;
  }

  @Override
  public void close() throws IOException {
    ready = false;
    health.enterTerminalState();
    grpc.shutdown();
    http.stop(5); // waits for running exchanges, at most this many seconds
    try {
      if (!grpc.awaitTermination(10, TimeUnit.SECONDS)) {
        grpc.shutdownNow();
      }
    } catch (InterruptedException e) {
      grpc.shutdownNow();
      Thread.currentThread().interrupt();
    }
    httpExecutor.shutdown();
    queries.close();
    store.close();
  }
}
