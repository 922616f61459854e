package dev.ember.index.store;

/** Names of the Lucene fields of a profile document (one document per stored profile). */
final class Fields {
  private Fields() {}

  /**
   * The tenant (each tenant also has its own directories; this makes documents self-describing).
   */
  static final String TENANT = "tenant";

  /** Profile id, 32 hex digits. */
  static final String ID = "id";

  /** Profile start, Unix ns: a LongPoint for ranges and a doc value for reading. */
  static final String TIME = "t";

  /** Profile type ID, e.g. process_cpu:cpu:nanoseconds:cpu:nanoseconds. */
  static final String TYPE = "type";

  /**
   * The partition's id of the profile type (doc value), checked per document where a term query
   * would cost more than the lookup it narrows.
   */
  static final String TYPE_ID = "type_id";

  /** Series id within the partition: an IntPoint for set queries and a doc value. */
  static final String SERIES = "series";

  /** Offset of the profile's record in the partition log (doc value). */
  static final String OFFSET = "off";

  /** Sum of the profile's values (doc value). */
  static final String TOTAL = "total";

  /** Prefix of one field per series label, e.g. {@code l.service_name}. */
  static final String LABEL_PREFIX = "l.";

  /** The names of the series labels present, for "label absent" queries and label listing. */
  static final String LABEL_NAMES = "labels";

  /**
   * The partition link ids of the samples' span links, as a few {@code IntRange}s covering them
   * (see {@link LinkRanges}); trace and span ids resolve to link ids through {@link LinkIndex}.
   */
  static final String LINKS = "links";

  /** Prefix of one field per sample attribute key, e.g. {@code a.thread_name}. */
  static final String ATTRIBUTE_PREFIX = "a.";
}
