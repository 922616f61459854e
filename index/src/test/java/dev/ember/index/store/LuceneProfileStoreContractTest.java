package dev.ember.index.store;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Clock;

/** The store contract against the embedded Lucene store. */
class LuceneProfileStoreContractTest extends ProfileStoreContract {
  @Override
  protected ProfileStore open(Path dir, TenantLimits limits, Clock clock) throws IOException {
    return new LuceneProfileStore(StoreConfig.of(dir).withLimits(limits), clock);
  }
}
