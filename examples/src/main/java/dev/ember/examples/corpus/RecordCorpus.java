package dev.ember.examples.corpus;

import io.grpc.Server;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.grpc.stub.StreamObserver;
import io.opentelemetry.proto.collector.profiles.v1development.ExportProfilesServiceRequest;
import io.opentelemetry.proto.collector.profiles.v1development.ExportProfilesServiceResponse;
import io.opentelemetry.proto.collector.profiles.v1development.ProfilesServiceGrpc;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Records a corpus of real exporter output for benchmarks: runs several demo-app JVMs (different
 * services, versions and regions) with the Ember exporter, receives their OTLP requests on a
 * loopback gRPC port, and writes each request as {@code <out>/NNNNNN.pb} (the exact bytes that
 * arrived, ungzipped).
 *
 * <p>{@code java -cp examples/target/demo-app.jar dev.ember.examples.corpus.RecordCorpus <out dir>
 * [services=3] [seconds=30] [export interval=1s] [requests/s per service=100]}. Each app is the
 * {@link dev.ember.examples.demo.DemoApp} workload, so requests carry CPU, allocation, lock and
 * park profiles with span links, thread names and endpoint names.
 */
public final class RecordCorpus {
  private RecordCorpus() {}

  public static void main(String[] args) throws Exception {
    Path out = Path.of(args.length > 0 ? args[0] : "target/corpus");
    int services = args.length > 1 ? Integer.parseInt(args[1]) : 3;
    int seconds = args.length > 2 ? Integer.parseInt(args[2]) : 30;
    String interval = args.length > 3 ? args[3] : "1s";
    int rate = args.length > 4 ? Integer.parseInt(args[4]) : 100;
    int files = record(out, services, seconds, interval, rate);
    System.out.printf("recorded %d requests from %d services into %s%n", files, services, out);
  }

  /** Records and returns the number of requests written. */
  public static int record(Path out, int services, int seconds, String interval)
      throws IOException, InterruptedException {
    return record(out, services, seconds, interval, 100);
  }

  /** Records at {@code rate} requests per second per app; returns the number of requests. */
  public static int record(Path out, int services, int seconds, String interval, int rate)
      throws IOException, InterruptedException {
    Files.createDirectories(out);
    AtomicInteger count = new AtomicInteger();
    Server server =
        NettyServerBuilder.forAddress(new InetSocketAddress("127.0.0.1", 0))
            .maxInboundMessageSize(64 << 20)
            .addService(
                new ProfilesServiceGrpc.ProfilesServiceImplBase() {
                  @Override
                  public void export(
                      ExportProfilesServiceRequest request,
                      StreamObserver<ExportProfilesServiceResponse> response) {
                    try {
                      Path file = out.resolve(String.format("%06d.pb", count.getAndIncrement()));
                      Files.write(file, request.toByteArray());
                      response.onNext(ExportProfilesServiceResponse.getDefaultInstance());
                      response.onCompleted();
                    } catch (IOException e) {
                      response.onError(e);
                    }
                  }
                })
            .build()
            .start();
    try {
      String java = ProcessHandle.current().info().command().orElse("java");
      String cp = System.getProperty("java.class.path");
      String[] regions = {"eu-west", "us-east", "ap-south"};
      List<Process> apps = new ArrayList<>();
      for (int i = 0; i < services; i++) {
        apps.add(
            new ProcessBuilder(
                    java,
                    "-Dotel.service.name=svc-" + i,
                    "-Dotel.resource.attributes=service.version=v"
                        + (1 + i % 2)
                        + ".0,region="
                        + regions[i % regions.length]
                        + ",deployment.environment.name=bench",
                    "-Dotel.exporter.otlp.profiles.endpoint=http://127.0.0.1:" + server.getPort(),
                    "-Dotel.profiling.export.interval=" + interval,
                    "-Dember.demo.rate=" + rate,
                    "-cp",
                    cp,
                    "dev.ember.examples.demo.DemoApp",
                    Integer.toString(seconds))
                .redirectOutput(ProcessBuilder.Redirect.DISCARD)
                .redirectError(ProcessBuilder.Redirect.INHERIT)
                .start());
      }
      // The apps stop working after `seconds` but their JVMs may linger: stop them politely
      // (the shutdown hook flushes the last window), then for good.
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds + 15L);
      for (Process p : apps) {
        long left = deadline - System.nanoTime();
        if (!p.waitFor(Math.max(0, left), TimeUnit.NANOSECONDS)) {
          p.destroy();
        }
      }
      for (Process p : apps) {
        if (!p.waitFor(30, TimeUnit.SECONDS)) {
          p.destroyForcibly();
        }
      }
    } finally {
      server.shutdown().awaitTermination(10, TimeUnit.SECONDS);
    }
    return count.get();
  }
}
