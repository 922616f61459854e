package dev.ember.index.store;

import dev.ember.wire.ProfileRef;
import dev.ember.wire.ProfileRequests;
import io.opentelemetry.proto.collector.profiles.v1development.ExportProfilesServiceRequest;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.Predicate;

/**
 * Random ingest batches and queries with their expected answers, computed by brute force over a
 * flat list of every stored sample. Used by {@link ProfileStoreContract}'s duel.
 */
final class StoreOracle {
  private static final String CPU = "process_cpu:cpu:nanoseconds:cpu:nanoseconds";
  private static final long HOUR = 3_600_000_000_000L;
  private static final String[] TENANTS = {"t1", "t2"};
  private static final String[] SERVICES = {"svc-0", "svc-1", "svc-2", "svc-3"};
  private static final String[] REGIONS = {"eu", "us"};
  private static final String[] ROOTS = {"main", "worker"};
  private static final String[] FRAMES = {
    "a", "b", "c", "d", "e", "f", "g", "h", "java/util/HashMap.get", "Foo$Bar.<init>"
  };
  private static final String[] THREADS = {"w0", "w1", "w2"};

  private final Random random;
  private final long t0;
  private final List<Stored> stored = new ArrayList<>();
  private final byte[][] traces = new byte[4][];
  private final byte[][] spans = new byte[6][];

  /** One sample as the oracle remembers it. */
  record Stored(
      String tenant,
      String service,
      String region,
      long time,
      String path,
      long value,
      String trace,
      String span,
      String thread) {}

  record Batch(
      String tenant,
      ExportProfilesServiceRequest request,
      Set<ProfileRef> refused,
      int acceptedProfiles) {}

  record Check(String tenant, String query, long from, long until, Map<String, Long> expected) {}

  StoreOracle(Random random, long t0) {
    this.random = random;
    this.t0 = t0;
    for (int i = 0; i < traces.length; i++) {
      traces[i] = new byte[16];
      random.nextBytes(traces[i]);
    }
    for (int i = 0; i < spans.length; i++) {
      spans[i] = new byte[8];
      random.nextBytes(spans[i]);
    }
  }

  List<Batch> batches(int n) {
    List<Batch> out = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      out.add(batch());
    }
    return out;
  }

  private Batch batch() {
    String tenant = TENANTS[random.nextInt(TENANTS.length)];
    ProfileRequests.Builder b = ProfileRequests.request();
    Set<ProfileRef> refused = new HashSet<>();
    List<Stored> pending = new ArrayList<>();
    int accepted = 0;
    int resources = 1 + random.nextInt(3);
    for (int r = 0; r < resources; r++) {
      String service = SERVICES[random.nextInt(SERVICES.length)];
      String region = REGIONS[random.nextInt(REGIONS.length)];
      b.resource(Map.of("service.name", service, "region", region));
      int profiles = 1 + random.nextInt(2);
      for (int p = 0; p < profiles; p++) {
        long time = t0 + (long) (random.nextDouble() * 3 * HOUR);
        b.cpuProfile(time);
        boolean refuse = random.nextInt(10) == 0;
        if (refuse) {
          refused.add(new ProfileRef(r, 0, p));
        } else {
          accepted++;
        }
        int samples = 1 + random.nextInt(6);
        for (int s = 0; s < samples; s++) {
          String[] stack = stack();
          long value = 1 + random.nextInt(100);
          int link = random.nextInt(2) == 0 ? -1 : random.nextInt(spans.length);
          String thread = random.nextInt(10) < 7 ? THREADS[random.nextInt(THREADS.length)] : null;
          byte[] trace = link < 0 ? null : traces[link % traces.length];
          byte[] span = link < 0 ? null : spans[link];
          b.sample(
              value, trace, span, thread == null ? Map.of() : Map.of("thread.name", thread), stack);
          if (!refuse) {
            pending.add(
                new Stored(
                    tenant,
                    service,
                    region,
                    time,
                    String.join(";", stack),
                    value,
                    trace == null ? "" : HexFormat.of().formatHex(trace),
                    span == null ? "" : HexFormat.of().formatHex(span),
                    thread));
          }
        }
      }
    }
    stored.addAll(pending);
    return new Batch(tenant, b.build(), refused, accepted);
  }

  private String[] stack() {
    int depth = 1 + random.nextInt(5);
    String[] out = new String[depth];
    out[0] = ROOTS[random.nextInt(ROOTS.length)];
    for (int i = 1; i < depth; i++) {
      out[i] = FRAMES[random.nextInt(FRAMES.length)];
    }
    return out;
  }

  List<Check> checks(int n) {
    List<Check> out = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      out.add(check());
    }
    return out;
  }

  private Check check() {
    String tenant = TENANTS[random.nextInt(TENANTS.length)];
    List<String> matchers = new ArrayList<>();
    List<Predicate<Stored>> tests = new ArrayList<>();
    String svc = SERVICES[random.nextInt(SERVICES.length)];
    switch (random.nextInt(5)) {
      case 0 -> {}
      case 1 -> {
        matchers.add("service_name=\"" + svc + "\"");
        tests.add(x -> x.service().equals(svc));
      }
      case 2 -> {
        matchers.add("service_name!=\"" + svc + "\"");
        tests.add(x -> !x.service().equals(svc));
      }
      case 3 -> {
        matchers.add("service_name=~\"svc-[01]\"");
        tests.add(x -> x.service().equals("svc-0") || x.service().equals("svc-1"));
      }
      default -> {
        String region = REGIONS[random.nextInt(REGIONS.length)];
        matchers.add("region=\"" + region + "\"");
        tests.add(x -> x.region().equals(region));
      }
    }
    switch (random.nextInt(6)) {
      case 0 -> {
        String thread = THREADS[random.nextInt(THREADS.length)];
        matchers.add("thread_name=\"" + thread + "\"");
        tests.add(x -> thread.equals(x.thread()));
      }
      case 1 -> {
        String span = HexFormat.of().formatHex(spans[random.nextInt(spans.length)]);
        matchers.add("span_id=\"" + span + "\"");
        tests.add(x -> x.span().equals(span));
      }
      case 2 -> {
        String trace = HexFormat.of().formatHex(traces[random.nextInt(traces.length)]);
        matchers.add("trace_id=\"" + trace + "\"");
        tests.add(x -> x.trace().equals(trace));
      }
      case 3 -> {
        matchers.add("trace_id=\"\"");
        tests.add(x -> x.trace().isEmpty());
      }
      default -> {}
    }
    long from;
    long until;
    if (random.nextBoolean()) {
      // Partition-aligned: whole partitions answer from their aggregates.
      int a = random.nextInt(3);
      int b = a + 1 + random.nextInt(3 - a);
      from = t0 + a * HOUR;
      until = t0 + b * HOUR;
    } else {
      from = t0 + (long) (random.nextDouble() * 3 * HOUR);
      until = from + 1 + (long) (random.nextDouble() * 2 * HOUR);
    }
    Map<String, Long> expected = new TreeMap<>();
    for (Stored x : stored) {
      if (!x.tenant().equals(tenant) || x.time() < from || x.time() >= until) {
        continue;
      }
      boolean ok = true;
      for (Predicate<Stored> t : tests) {
        ok &= t.test(x);
      }
      if (ok) {
        expected.merge(x.path(), x.value(), Long::sum);
      }
    }
    return new Check(tenant, CPU + "{" + String.join(",", matchers) + "}", from, until, expected);
  }
}
