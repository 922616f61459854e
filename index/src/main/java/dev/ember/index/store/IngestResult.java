package dev.ember.index.store;

/** What an ingest stored: profiles and samples (after merging equal samples). */
public record IngestResult(int profiles, long samples) {
  public static final IngestResult EMPTY = new IngestResult(0, 0);

  public IngestResult plus(IngestResult o) {
    return new IngestResult(profiles + o.profiles, samples + o.samples);
  }
}
