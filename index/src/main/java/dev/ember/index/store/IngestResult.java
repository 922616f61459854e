package dev.ember.index.store;

import java.util.ArrayList;
import java.util.List;

/**
 * What an ingest stored: profiles and samples (after merging equal samples), and the profiles it
 * refused (over a limit, older than retention) while storing the rest.
 */
public record IngestResult(int profiles, long samples, List<Rejection> rejected) {
  public static final IngestResult EMPTY = new IngestResult(0, 0, List.of());

  public IngestResult {
    rejected = List.copyOf(rejected);
  }

  public IngestResult(int profiles, long samples) {
    this(profiles, samples, List.of());
  }

  public IngestResult plus(IngestResult o) {
    List<Rejection> r = rejected;
    if (!o.rejected.isEmpty()) {
      r = new ArrayList<>(rejected);
      r.addAll(o.rejected);
    }
    return new IngestResult(profiles + o.profiles, samples + o.samples, r);
  }
}
