package dev.ember.index.store;

import dev.ember.proto.store.v1.StoredProfile;
import java.io.IOException;

/**
 * A stored profile as read back from the log: its header (id, time, series, type, total; the {@link
 * StoredProfile} record) and its samples decoded into {@link SampleColumns}.
 */
record LoggedProfile(StoredProfile header, SampleColumns samples) {

  /** Decodes the samples of a logged profile, in either of the forms logs hold. */
  static LoggedProfile of(StoredProfile p) throws IOException {
    if (!p.getSamples().isEmpty()) {
      return new LoggedProfile(p, SampleColumns.decode(p.getSamples()));
    }
    // Logs written before the columns: parallel repeated fields (or no samples at all).
    int n = p.getStacksCount();
    if (p.getValuesCount() != n
        || (p.getLinksCount() != 0 && p.getLinksCount() != n)
        || (p.getAttributeSetsCount() != 0 && p.getAttributeSetsCount() != n)) {
      throw new IOException("corrupt profile record: sample arrays of different lengths");
    }
    int[] stacks = new int[n];
    long[] values = new long[n];
    int[] links = p.getLinksCount() == 0 ? null : new int[n];
    int[] sets = p.getAttributeSetsCount() == 0 ? null : new int[n];
    for (int i = 0; i < n; i++) {
      stacks[i] = p.getStacks(i);
      values[i] = p.getValues(i);
      if (links != null) {
        links[i] = p.getLinks(i);
      }
      if (sets != null) {
        sets[i] = p.getAttributeSets(i);
      }
    }
    return new LoggedProfile(p, new SampleColumns(n, stacks, values, links, sets));
  }
}
