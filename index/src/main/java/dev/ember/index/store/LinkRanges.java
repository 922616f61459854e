package dev.ember.index.store;

import java.util.Arrays;
import org.apache.lucene.document.Document;
import org.apache.lucene.document.IntRange;
import org.apache.lucene.search.BooleanClause;
import org.apache.lucene.search.BooleanQuery;
import org.apache.lucene.search.Query;

/**
 * How the index finds the profiles that hold given links. A partition numbers its links in the
 * order it first sees them, so the links of one profile are a few runs of nearby ids: each profile
 * document gets at most {@link #PER_PROFILE} {@code IntRange}s covering its link ids, split at the
 * widest gaps. A lookup resolves a span or trace id to link ids in memory ({@link LinkIndex}) and
 * asks for the documents whose ranges hold one of them. Ranges may also cover ids the profile does
 * not hold, so the candidates are a superset: readers keep only the samples whose link matches.
 *
 * <p>A handful of ranges per profile cost a few bytes, where indexing every trace and span id as
 * terms cost about as much as the ids themselves, and more than the rest of the document to add.
 */
final class LinkRanges {
  /** Ranges per profile document. */
  static final int PER_PROFILE = 8;

  /** Ranges per lookup: more wanted ids are covered by this many ranges. */
  static final int PER_QUERY = 64;

  private LinkRanges() {}

  /** Adds the ranges covering {@code sortedIds} (ascending, distinct) to a document. */
  static void addTo(Document doc, int[] sortedIds) {
    int[] ranges = cover(sortedIds, PER_PROFILE);
    for (int i = 0; i < ranges.length; i += 2) {
      doc.add(new IntRange(Fields.LINKS, new int[] {ranges[i]}, new int[] {ranges[i + 1]}));
    }
  }

  /** Documents holding a range that contains one of {@code sortedIds} (ascending, distinct). */
  static Query query(int[] sortedIds) {
    int[] ranges = cover(sortedIds, PER_QUERY);
    if (ranges.length == 2) {
      return range(ranges[0], ranges[1]);
    }
    BooleanQuery.Builder q = new BooleanQuery.Builder();
    for (int i = 0; i < ranges.length; i += 2) {
      q.add(range(ranges[i], ranges[i + 1]), BooleanClause.Occur.SHOULD);
    }
    return q.build();
  }

  private static Query range(int lo, int hi) {
    return IntRange.newIntersectsQuery(Fields.LINKS, new int[] {lo}, new int[] {hi});
  }

  /**
   * At most {@code max} ranges {@code [lo0, hi0, lo1, hi1, ...]} covering ascending distinct ids:
   * runs of consecutive ids stay whole, and the cuts go where the gaps are widest.
   */
  static int[] cover(int[] ids, int max) {
    int n = ids.length;
    if (n == 0) {
      return new int[0];
    }
    // The (max - 1) widest gaps, kept in a small array sorted by width, narrowest first.
    int cuts = Math.min(max - 1, n - 1);
    long[] widest = new long[cuts]; // width << 32 | position, 0 = none
    for (int i = 0; i + 1 < n; i++) {
      long gap = (long) ids[i + 1] - ids[i];
      if (gap <= 1 || cuts == 0) {
        continue;
      }
      long key = gap << 32 | i;
      if (key > widest[0]) {
        int at = 0;
        while (at + 1 < cuts && widest[at + 1] < key) {
          widest[at] = widest[at + 1];
          at++;
        }
        widest[at] = key;
      }
    }
    int[] at = new int[cuts];
    int k = 0;
    for (long w : widest) {
      if (w != 0) {
        at[k++] = (int) w;
      }
    }
    Arrays.sort(at, 0, k);
    int[] out = new int[2 * (k + 1)];
    int lo = ids[0];
    for (int c = 0; c < k; c++) {
      out[2 * c] = lo;
      out[2 * c + 1] = ids[at[c]];
      lo = ids[at[c] + 1];
    }
    out[2 * k] = lo;
    out[2 * k + 1] = ids[n - 1];
    return out;
  }
}
