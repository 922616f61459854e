package dev.ember.backend;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.protobuf.ByteString;
import com.google.protobuf.UnknownFieldSet;
import com.google.rpc.Status;
import dev.ember.index.store.Limits;
import dev.ember.index.store.TenantLimits;
import dev.ember.wire.ProfileRequests;
import io.grpc.Codec;
import io.grpc.CompressorRegistry;
import io.grpc.ManagedChannel;
import io.grpc.StatusRuntimeException;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.protobuf.StatusProto;
import io.opentelemetry.proto.collector.profiles.v1development.ExportProfilesServiceRequest;
import io.opentelemetry.proto.collector.profiles.v1development.ExportProfilesServiceResponse;
import io.opentelemetry.proto.collector.profiles.v1development.ProfilesServiceGrpc;
import io.opentelemetry.proto.profiles.v1development.Location;
import io.opentelemetry.proto.profiles.v1development.Sample;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * Bad input, each case with the error a user sees, over a real backend: no crash, a clear error,
 * and the data stored before (in this tenant and another) answers exactly as before.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class BadInputIT {
  static final String CPU = TestBackend.CPU;
  static final String TENANT = "acme";
  static final String OTHER = "other";

  @TempDir static Path dir;
  TestBackend b;
  final long now = Instant.now().getEpochSecond() * 1_000_000_000L;
  final Map<String, String> snapshot = new LinkedHashMap<>();
  // Fixed bounds, so that the render's timeline (which follows from/until) compares equal too.
  final String from = Long.toString(java.time.Instant.now().getEpochSecond() - 3 * 86_400);
  final String until = Long.toString(java.time.Instant.now().getEpochSecond() - 86_400);

  @BeforeAll
  void start() throws Exception {
    // A small request limit keeps the oversize cases cheap; everything else is default.
    Limits limits = Limits.DEFAULT.withMaxRequestBytes(2 << 20);
    b = new TestBackend(BackendConfig.forTests(dir).withLimits(TenantLimits.of(limits)));
    for (String t : new String[] {TENANT, OTHER}) {
      ExportProfilesServiceResponse r =
          b.stub(t)
              .export(
                  ProfileRequests.request()
                      .service("before")
                      .cpuProfile(now - 2 * 86_400_000_000_000L)
                      .sample(30, "main", "handle", "parse")
                      .sample(12, "main", "gc")
                      .build());
      assertThat(r.hasPartialSuccess()).isFalse();
    }
    for (String t : new String[] {TENANT, OTHER}) {
      for (String q : new String[] {CPU + "{}", CPU + "{service_name=\"before\"}"}) {
        snapshot.put(t + " " + q, b.render(t, q, from, until));
      }
    }
    assertThat(snapshot.values()).allSatisfy(v -> assertThat(v).contains("\"numTicks\":42"));
  }

  @AfterAll
  void stop() throws Exception {
    b.close();
  }

  @BeforeEach
  void unchanged() throws Exception {
    assertUnchanged();
  }

  void assertUnchanged() throws Exception {
    for (Map.Entry<String, String> e : snapshot.entrySet()) {
      String[] tq = e.getKey().split(" ", 2);
      assertThat(b.render(tq[0], tq[1], from, until)).as(e.getKey()).isEqualTo(e.getValue());
    }
  }

  ExportProfilesServiceRequest valid() {
    return ProfileRequests.request()
        .service("fresh")
        .cpuProfile(now - 3_600_000_000_000L)
        .sample(5, "main", "a")
        .sample(7, "main", "b")
        .build();
  }

  /** The gRPC status of an export of these bytes, or OK. */
  Status grpc(byte[] bytes) {
    try {
      ProfilesServiceGrpc.ProfilesServiceBlockingStub unused = b.stub(TENANT);
      b.exportBytes(bytes);
      return Status.newBuilder().setCode(0).build();
    } catch (StatusRuntimeException e) {
      Status s = StatusProto.fromThrowable(e);
      return s != null
          ? s
          : Status.newBuilder()
              .setCode(e.getStatus().getCode().value())
              .setMessage(String.valueOf(e.getStatus().getDescription()))
              .build();
    }
  }

  StatusRuntimeException refusal(ExportProfilesServiceRequest r) {
    try {
      b.stub(TENANT).export(r);
    } catch (StatusRuntimeException e) {
      return e;
    }
    throw new AssertionError("the request was accepted");
  }

  void expectInvalid(ExportProfilesServiceRequest r, String message) throws Exception {
    StatusRuntimeException e = refusal(r);
    assertThat(e.getStatus().getCode()).isEqualTo(io.grpc.Status.Code.INVALID_ARGUMENT);
    assertThat(e.getStatus().getDescription()).contains(message);
    assertUnchanged();
  }

  ExportProfilesServiceRequest modified(Consumer<ExportProfilesServiceRequest.Builder> change) {
    ExportProfilesServiceRequest.Builder r = valid().toBuilder();
    change.accept(r);
    return r.build();
  }

  HttpResponse<byte[]> postOtlp(byte[] body, String... headers) throws Exception {
    String[] all = Arrays.copyOf(headers, headers.length + 2);
    if (Arrays.asList(headers).contains("Content-Type")) {
      all = headers;
    } else {
      all[headers.length] = "Content-Type";
      all[headers.length + 1] = "application/x-protobuf";
    }
    return b.post(OtlpHttpReceiver.PATH, TENANT, body, all);
  }

  static String statusMessage(HttpResponse<byte[]> r) throws Exception {
    return Status.parseFrom(r.body()).getMessage();
  }

  // ---- unparseable bytes ----

  @Test
  void truncatedPayloads() throws Exception {
    byte[] bytes = valid().toByteArray();
    for (int cut : new int[] {1, 7, bytes.length / 2}) {
      byte[] truncated = Arrays.copyOf(bytes, bytes.length - cut);
      Status s = grpc(truncated);
      assertThat(s.getCode()).as("cut %d", cut).isEqualTo(3); // INVALID_ARGUMENT
      assertThat(s.getMessage()).contains("not a valid ExportProfilesServiceRequest");
      HttpResponse<byte[]> h = postOtlp(truncated);
      assertThat(h.statusCode()).isEqualTo(400);
      assertThat(statusMessage(h)).contains("not a valid ExportProfilesServiceRequest");
    }
    assertUnchanged();
  }

  @Test
  void bitFlippedPayloadsAreRefusedOrStoredNeverCrash() throws Exception {
    long seed = Long.getLong("tests.seed", System.nanoTime());
    System.out.println("BadInputIT bit flips: -Dtests.seed=" + seed);
    Random random = new Random(seed);
    byte[] bytes = valid().toByteArray();
    int refused = 0;
    for (int i = 0; i < 150; i++) {
      byte[] flipped = bytes.clone();
      int flips = 1 + random.nextInt(3);
      for (int f = 0; f < flips; f++) {
        int bit = random.nextInt(flipped.length * 8);
        flipped[bit / 8] ^= (byte) (1 << (bit % 8));
      }
      Status s = grpc(flipped);
      // OK (still a valid request), partial success, or INVALID_ARGUMENT naming the problem.
      assertThat(s.getCode()).as("seed %d, case %d: %s", seed, i, s.getMessage()).isIn(0, 3);
      if (s.getCode() == 3) {
        refused++;
        assertThat(s.getMessage()).isNotBlank();
      }
    }
    assertThat(refused).isPositive();
    assertUnchanged();
    assertThat(b.stub(TENANT).export(valid()).hasPartialSuccess()).isFalse();
  }

  @Test
  void invalidUtf8InAString() throws Exception {
    ExportProfilesServiceRequest r =
        ProfileRequests.request()
            .service("ZZZZ")
            .cpuProfile(now - 3_600_000_000_000L)
            .sample(1, "main")
            .build();
    byte[] bytes = r.toByteArray();
    byte[] needle = "ZZZZ".getBytes(StandardCharsets.UTF_8);
    int at = indexOf(bytes, needle);
    bytes[at] = (byte) 0xc3;
    bytes[at + 1] = 0x28;
    Status s = grpc(bytes);
    assertThat(s.getCode()).isEqualTo(3);
    assertThat(s.getMessage()).contains("invalid UTF-8");
    assertThat(statusMessage(postOtlp(bytes))).contains("invalid UTF-8");
    assertUnchanged();
  }

  // ---- indices and index-0 entries ----

  @Test
  void outOfRangeAndNegativeIndices() throws Exception {
    expectInvalid(
        modified(r -> r.getDictionaryBuilder().getStackTableBuilder(1).setLocationIndices(0, 99)),
        "dictionary.stack_table[1].location_indices[0]=99 is out of range for location_table");
    expectInvalid(
        modified(r -> r.getDictionaryBuilder().getStackTableBuilder(1).setLocationIndices(0, -5)),
        "dictionary.stack_table[1].location_indices[0]=-5 is out of range");
    expectInvalid(
        modified(
            r ->
                r.getDictionaryBuilder()
                    .getFunctionTableBuilder(1)
                    .setNameStrindex(Integer.MAX_VALUE)),
        "dictionary.function_table[1].name_strindex=2147483647 is out of range");
    // Inside one profile: that profile is rejected through partial success, the rest stored.
    for (int bad : new int[] {-1, 1000}) {
      ExportProfilesServiceResponse resp =
          b.stub(TENANT)
              .export(
                  modified(
                      r ->
                          r.getResourceProfilesBuilder(0)
                              .getScopeProfilesBuilder(0)
                              .getProfilesBuilder(0)
                              .getSamplesBuilder(1)
                              .setStackIndex(bad)));
      assertThat(resp.getPartialSuccess().getRejectedProfiles()).isEqualTo(1);
      assertThat(resp.getPartialSuccess().getErrorMessage())
          .contains(
              "resource_profiles[0].scope_profiles[0].profiles[0].samples[1].stack_index="
                  + bad
                  + " is out of range for stack_table");
    }
    assertUnchanged();
  }

  @Test
  void missingIndexZeroEntries() throws Exception {
    expectInvalid(
        modified(r -> r.getDictionaryBuilder().setStringTable(0, "not-empty")),
        "dictionary.string_table[0] must be \"\"");
    expectInvalid(
        modified(
            r ->
                r.getDictionaryBuilder()
                    .setLocationTable(0, Location.newBuilder().setAddress(42).build())),
        "location_table[0]");
    expectInvalid(
        modified(r -> r.getDictionaryBuilder().clearStringTable()),
        "missing or empty string_table");
    expectInvalid(modified(r -> r.clearDictionary()), "missing or empty string_table");
  }

  @Test
  void protoVersionSkewIsNamed() throws Exception {
    // A 1.8/1.9 producer writes attribute_indices as field 3 (packed), which 1.10+ reads as
    // link_index with the wrong wire type: it lands in unknown fields.
    UnknownFieldSet old =
        UnknownFieldSet.newBuilder()
            .addField(
                3,
                UnknownFieldSet.Field.newBuilder()
                    .addLengthDelimited(ByteString.copyFrom(new byte[] {1, 2}))
                    .build())
            .build();
    ExportProfilesServiceRequest skewed =
        modified(
            r ->
                r.getResourceProfilesBuilder(0)
                    .getScopeProfilesBuilder(0)
                    .getProfilesBuilder(0)
                    .setSamples(
                        0,
                        Sample.newBuilder(
                                r.getResourceProfiles(0)
                                    .getScopeProfiles(0)
                                    .getProfiles(0)
                                    .getSamples(0))
                            .setUnknownFields(old)));
    expectInvalid(skewed, "version skew");
    StatusRuntimeException e = refusal(skewed);
    assertThat(e.getStatus().getDescription())
        .contains("resource_profiles[0].scope_profiles[0].profiles[0].samples[0]")
        .contains("opentelemetry-proto >= 1.10");
  }

  // ---- sizes ----

  @Test
  void hugeRepeatedFieldsAndOversizeBodies() throws Exception {
    // More samples than a profile may have: that profile is refused, the request answered.
    ProfileRequests.Builder many =
        ProfileRequests.request().service("many").cpuProfile(now - 3_600_000_000_000L);
    for (int i = 0; i < 200_001; i++) {
      many.sample(1, "main", "x");
    }
    ExportProfilesServiceResponse resp = b.stub(TENANT).export(many.build());
    assertThat(resp.getPartialSuccess().getRejectedProfiles()).isEqualTo(1);
    assertThat(resp.getPartialSuccess().getErrorMessage())
        .contains("has 200001 samples")
        .contains("max-samples-per-profile");

    // Beyond the request size: gRPC refuses it before our code runs; HTTP answers 413.
    ExportProfilesServiceRequest.Builder big = valid().toBuilder();
    big.getDictionaryBuilder().addStringTable("x".repeat(3 << 20));
    StatusRuntimeException tooBig = refusal(big.build());
    assertThat(tooBig.getStatus().getCode()).isEqualTo(io.grpc.Status.Code.RESOURCE_EXHAUSTED);
    assertThat(tooBig.getStatus().getDescription()).contains("exceeds maximum size");
    byte[] bigBytes = big.build().toByteArray();
    HttpResponse<byte[]> h = postOtlp(bigBytes);
    assertThat(h.statusCode()).isEqualTo(413);
    assertThat(statusMessage(h)).contains("exceeds tenant 'acme''s limit of 2097152 bytes");

    // A gzip bomb: 20 KiB on the wire, 3 MiB inflated, stopped at the limit.
    HttpResponse<byte[]> bomb = postOtlp(TestBackend.gzip(bigBytes), "Content-Encoding", "gzip");
    assertThat(bomb.statusCode()).isEqualTo(413);
    assertThat(statusMessage(bomb)).contains("max-message-size");
    assertUnchanged();
  }

  // ---- encodings and content types ----

  @Test
  void badGzip() throws Exception {
    byte[] garbage = {0x1f, (byte) 0x8b, 8, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9};
    HttpResponse<byte[]> h = postOtlp(garbage, "Content-Encoding", "gzip");
    assertThat(h.statusCode()).isEqualTo(400);
    assertThat(statusMessage(h)).contains("not valid gzip");
    HttpResponse<byte[]> notGzipAtAll = postOtlp(valid().toByteArray(), "Content-Encoding", "gzip");
    assertThat(notGzipAtAll.statusCode()).isEqualTo(400);
    assertThat(statusMessage(notGzipAtAll)).contains("not valid gzip");
    HttpResponse<byte[]> br = postOtlp(valid().toByteArray(), "Content-Encoding", "br");
    assertThat(br.statusCode()).isEqualTo(415);
    assertThat(statusMessage(br)).contains("unsupported Content-Encoding 'br'");

    // gRPC: a client whose "gzip" writes garbage; grpc-java fails while inflating it.
    ManagedChannel broken =
        NettyChannelBuilder.forAddress("127.0.0.1", b.backend.grpcPort())
            .usePlaintext()
            .compressorRegistry(brokenGzip())
            .build();
    try {
      assertThatThrownBy(
              () ->
                  ProfilesServiceGrpc.newBlockingStub(broken)
                      .withCompression("gzip")
                      .withDeadlineAfter(10, TimeUnit.SECONDS)
                      .export(valid()))
          .isInstanceOfSatisfying(
              StatusRuntimeException.class,
              e -> {
                System.out.println("bad gRPC gzip answers: " + e.getStatus());
                assertThat(e.getStatus().getCode()).isEqualTo(io.grpc.Status.Code.INVALID_ARGUMENT);
                assertThat(e.getStatus().getDescription())
                    .contains("could not read the request; is its grpc-encoding right?");
              });
    } finally {
      broken.shutdownNow();
    }
    assertUnchanged();
  }

  private static CompressorRegistry brokenGzip() {
    CompressorRegistry r = CompressorRegistry.newEmptyInstance();
    r.register(
        new Codec() {
          @Override
          public String getMessageEncoding() {
            return "gzip";
          }

          @Override
          public OutputStream compress(OutputStream os) {
            return new OutputStream() {
              @Override
              public void write(int v) throws IOException {
                os.write(v ^ 0x5a);
              }

              @Override
              public void close() throws IOException {
                os.close();
              }
            };
          }

          @Override
          public InputStream decompress(InputStream is) {
            return is;
          }
        });
    return r;
  }

  @Test
  void wrongContentTypeAndMethod() throws Exception {
    HttpResponse<byte[]> h =
        b.post(OtlpHttpReceiver.PATH, TENANT, valid().toByteArray(), "Content-Type", "text/plain");
    assertThat(h.statusCode()).isEqualTo(415);
    assertThat(statusMessage(h))
        .contains("unsupported Content-Type 'text/plain'")
        .contains("application/x-protobuf or application/json");
    HttpResponse<byte[]> none = b.post(OtlpHttpReceiver.PATH, TENANT, valid().toByteArray());
    assertThat(none.statusCode()).isEqualTo(415);
    HttpResponse<String> get = b.get(OtlpHttpReceiver.PATH, TENANT);
    assertThat(get.statusCode()).isEqualTo(405);
    assertThat(get.body()).contains("use POST");
    HttpResponse<byte[]> json =
        b.post(
            OtlpHttpReceiver.PATH,
            TENANT,
            valid().toByteArray(),
            "Content-Type",
            "application/json");
    assertThat(json.statusCode()).isEqualTo(400);
    assertThat(new String(json.body(), StandardCharsets.UTF_8)).contains("\"message\":");
    assertUnchanged();
  }

  @Test
  void invalidPprof() throws Exception {
    HttpResponse<byte[]> h =
        b.post("/ingest?name=app&format=pprof", TENANT, new byte[] {(byte) 0xff, 1, 2, 3});
    assertThat(h.statusCode()).isEqualTo(400);
    assertThat(new String(h.body(), StandardCharsets.UTF_8)).contains("not a valid pprof profile");
    HttpResponse<byte[]> gz =
        b.post("/ingest?name=app", TENANT, new byte[] {0x1f, (byte) 0x8b, 8, 0, 9, 9});
    assertThat(gz.statusCode()).isEqualTo(400);
    assertThat(new String(gz.body(), StandardCharsets.UTF_8)).contains("not valid gzip");
    HttpResponse<byte[]> jfr = b.post("/ingest?name=app&format=jfr", TENANT, new byte[] {1});
    assertThat(jfr.statusCode()).isEqualTo(415);
    HttpResponse<byte[]> noName = b.post("/ingest?format=pprof", TENANT, new byte[] {1});
    assertThat(noName.statusCode()).isEqualTo(400);
    assertThat(new String(noName.body(), StandardCharsets.UTF_8))
        .contains("missing query parameter 'name'");
    assertUnchanged();
  }

  static int indexOf(byte[] haystack, byte[] needle) {
    return Multipart.indexOf(haystack, needle, 0);
  }
}
