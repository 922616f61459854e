package dev.ember.index.store;

import dev.ember.index.query.FlameTree;
import dev.ember.index.query.Selection;
import dev.ember.wire.ProfileRef;
import io.opentelemetry.proto.collector.profiles.v1development.ExportProfilesServiceRequest;
import java.io.Closeable;
import java.io.IOException;
import java.util.List;
import java.util.function.Predicate;

/**
 * Durable, tenant-separated storage of profiles with the queries the API needs. The embedded {@link
 * LuceneProfileStore} is the default; other engines implement this interface and pass the same
 * contract tests. No method ever reads across tenants.
 */
public interface ProfileStore extends Closeable {

  /**
   * Stores the accepted profiles of a request that passed validation. Returns only once they are
   * durable: an acknowledged ingest survives a crash. Profiles that break the tenant's limits (too
   * old for retention, too many samples or labels, a new series over the series limit) are not
   * stored and come back in {@link IngestResult#rejected()}; the rest is stored.
   */
  IngestResult ingest(
      String tenant, ExportProfilesServiceRequest request, Predicate<ProfileRef> accepted)
      throws IOException;

  /** Merges every sample the selection picks into one call tree. */
  FlameTree merge(String tenant, Selection selection) throws IOException;

  /** The profile type IDs stored for the tenant in [from, until), sorted. */
  List<String> profileTypes(String tenant, long fromNanos, long untilNanos) throws IOException;

  /**
   * The query engine over this store (see {@link ProfileQueries}), working on up to {@code
   * parallelism} partitions at once; limits come with each query's context. The caller closes it,
   * before the store.
   */
  ProfileQueries queries(int parallelism);

  // ---- operations of the ingest side: size and retention ----

  /** Size of the store by tenant: partitions and bytes on disk. */
  StoreStats stats() throws IOException;

  /**
   * Applies every tenant's retention now (it also runs in the background): deletes the data that
   * ended before {@code now - retention}. Returns the number of partitions (or equivalent units)
   * dropped.
   */
  int enforceRetention() throws IOException;
}
