package dev.ember.index.store;

import dev.ember.index.query.FlameTree;
import dev.ember.index.query.QueryContext;
import dev.ember.index.query.QueryLimits;
import dev.ember.index.query.Selection;
import dev.ember.wire.ProfileRef;
import io.opentelemetry.proto.collector.profiles.v1development.ExportProfilesServiceRequest;
import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * The embedded store: per tenant, per time partition, a durable log plus a Lucene index (see {@link
 * Partition}). Needs no set-up beyond a data directory. Thread-safe.
 *
 * <p>Layout: {@code <dataDir>/tenants/<tenant>/p-<start s>-<duration s>/{profiles.log,lucene/}}.
 */
public final class LuceneProfileStore implements ProfileStore {
  private static final Logger logger = Logger.getLogger(LuceneProfileStore.class.getName());

  /** A partition is sealed (compacted, closable when idle) this long after its end: late data. */
  static final long SEAL_GRACE_NANOS = 10 * 60 * 1_000_000_000L;

  private final StoreConfig config;
  private final Clock clock;
  private final Path tenantsDir;
  private final ConcurrentHashMap<String, TenantStore> tenants = new ConcurrentHashMap<>();
  private final ScheduledExecutorService background;

  public LuceneProfileStore(StoreConfig config) throws IOException {
    this(config, Clock.systemUTC());
  }

  public LuceneProfileStore(StoreConfig config, Clock clock) throws IOException {
    this.config = config;
    this.clock = clock;
    this.tenantsDir = config.dataDir().resolve("tenants");
    Files.createDirectories(tenantsDir);
    try (DirectoryStream<Path> ds = Files.newDirectoryStream(tenantsDir)) {
      for (Path p : ds) {
        if (Files.isDirectory(p)) {
          String tenant = p.getFileName().toString();
          tenants.put(tenant, new TenantStore(tenant, p, partitionNanos()));
        }
      }
    }
    this.background =
        Executors.newSingleThreadScheduledExecutor(
            r -> {
              Thread t = new Thread(r, "ember-store-maintenance");
              t.setDaemon(true);
              return t;
            });
    long every = config.commitInterval().toMillis();
    background.scheduleWithFixedDelay(this::commitAll, every, every, TimeUnit.MILLISECONDS);
    long maintenance = config.maintenanceInterval().toMillis();
    background.scheduleWithFixedDelay(
        this::maintainQuietly, maintenance, maintenance, TimeUnit.MILLISECONDS);
  }

  private long partitionNanos() {
    return config.partitionDuration().toNanos();
  }

  private TenantStore tenant(String tenant, boolean create) throws IOException {
    Tenants.validate(tenant);
    TenantStore t = tenants.get(tenant);
    if (t == null && create) {
      try {
        t =
            tenants.computeIfAbsent(
                tenant,
                name -> {
                  try {
                    return new TenantStore(name, tenantsDir.resolve(name), partitionNanos());
                  } catch (IOException e) {
                    throw new java.io.UncheckedIOException(e);
                  }
                });
      } catch (java.io.UncheckedIOException e) {
        throw e.getCause();
      }
    }
    return t;
  }

  @Override
  public IngestResult ingest(
      String tenant, ExportProfilesServiceRequest request, Predicate<ProfileRef> accepted)
      throws IOException {
    Tenants.validate(tenant);
    long now = nowNanos();
    Limits limits = config.limits().of(tenant);
    OtlpProfiles.Read read = OtlpProfiles.read(request, accepted, now, limits);
    IngestResult result = new IngestResult(0, 0, read.rejected());
    if (read.inputs().isEmpty()) {
      return result;
    }
    TenantStore t = tenant(tenant, true);
    // Group by partition, keeping request order inside each group.
    Map<Partition, List<ProfileInput>> groups = new LinkedHashMap<>();
    for (ProfileInput in : read.inputs()) {
      groups.computeIfAbsent(t.partitionFor(in.timeNanos()), p -> new ArrayList<>()).add(in);
    }
    List<Partition.Appended> appended = new ArrayList<>();
    List<Partition> order = new ArrayList<>();
    for (Map.Entry<Partition, List<ProfileInput>> e : groups.entrySet()) {
      Partition.Appended a = e.getKey().append(e.getValue(), request.getDictionary(), limits);
      appended.add(a);
      order.add(e.getKey());
      result = result.plus(new IngestResult(a.profiles(), a.samples(), a.rejected()));
    }
    for (int i = 0; i < order.size(); i++) {
      order.get(i).sync(appended.get(i).logPosition());
    }
    return result;
  }

  private long nowNanos() {
    Instant i = clock.instant();
    return i.getEpochSecond() * 1_000_000_000L + i.getNano();
  }

  @Override
  public FlameTree merge(String tenant, Selection selection) throws IOException {
    try (ProfileQueries q = queries(1)) {
      // A storage-level call: the query limits are the servers' business.
      return q.merge(tenant, selection, QueryContext.of(QueryLimits.UNBOUNDED)).tree();
    }
  }

  @Override
  public List<String> profileTypes(String tenant, long fromNanos, long untilNanos)
      throws IOException {
    TenantStore t = tenant(tenant, false);
    if (t == null) {
      return List.of();
    }
    return List.copyOf(typesIn(t.overlapping(fromNanos, untilNanos)));
  }

  private static TreeSet<String> typesIn(List<Partition> partitions) {
    TreeSet<String> types = new TreeSet<>();
    for (Partition p : partitions) {
      Symbols s = p.symbols();
      for (int i = 1; i < s.typeCount(); i++) {
        types.add(s.typeId(i));
      }
    }
    return types;
  }

  private void commitAll() {
    for (TenantStore t : tenants.values()) {
      t.commit();
    }
  }

  /** The tenant's partitions, for tests of this package. */
  TenantStore tenantForTests(String tenant) throws IOException {
    return tenant(tenant, true);
  }

  @Override
  public StoreStats stats() {
    Map<String, TenantStats> out = new TreeMap<>();
    for (TenantStore t : tenants.values()) {
      out.put(t.tenant, t.stats());
    }
    return new StoreStats(out);
  }

  @Override
  public int enforceRetention() {
    int dropped = maintain();
    for (TenantStore t : tenants.values()) {
      t.deleteRetiredNow();
    }
    return dropped;
  }

  /**
   * One round of background maintenance for every tenant: retention, compaction of sealed
   * partitions (ended more than {@link #SEAL_GRACE_NANOS} ago), closing idle ones.
   */
  private int maintain() {
    long now = nowNanos();
    long sealedBefore = now - SEAL_GRACE_NANOS;
    long idle = config.idleClose().toNanos();
    int dropped = 0;
    for (TenantStore t : tenants.values()) {
      Limits limits = config.limits().of(t.tenant);
      long retainFrom = limits.hasRetention() ? now - limits.retention().toNanos() : Long.MIN_VALUE;
      dropped += t.maintain(retainFrom, sealedBefore, idle).dropped();
    }
    return dropped;
  }

  private void maintainQuietly() {
    try {
      maintain();
    } catch (RuntimeException e) {
      logger.log(Level.WARNING, "store maintenance failed; retrying next round", e);
    }
  }

  @Override
  public void close() throws IOException {
    // Let a running commit or compaction finish (interrupting Lucene mid-merge helps nobody);
    // periodic runs stop here.
    background.shutdown();
    try {
      if (!background.awaitTermination(30, TimeUnit.SECONDS)) {
        background.shutdownNow();
      }
    } catch (InterruptedException e) {
      background.shutdownNow();
      Thread.currentThread().interrupt();
    }
    IOException first = null;
    for (TenantStore t : tenants.values()) {
      try {
        t.close();
      } catch (IOException e) {
        first = first == null ? e : first;
      }
    }
    if (first != null) {
      throw first;
    }
  }

  /**
   * The query engine over this store, with its own pool of {@code parallelism} threads (1: queries
   * run on their callers' threads); close it before the store.
   */
  @Override
  public ProfileQueries queries(int parallelism) {
    return new LuceneQueries(this::partitions, parallelism);
  }

  /** The tenant's partitions overlapping [from, until), oldest first; none for a new tenant. */
  List<Partition> partitions(String tenant, long fromNanos, long untilNanos) throws IOException {
    TenantStore t = tenant(tenant, false);
    return t == null ? List.of() : t.overlapping(fromNanos, untilNanos);
  }
}
