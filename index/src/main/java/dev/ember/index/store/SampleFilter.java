package dev.ember.index.store;

import dev.ember.index.query.Matcher;
import java.util.Arrays;
import java.util.List;

/**
 * Decides per sample whether the per-sample matchers ({@code trace_id}, {@code span_id}, and sample
 * attributes such as {@code span_name}, {@code thread_name}) accept it. Exact span and trace ids
 * arrive resolved to the partition's link ids ({@link LinkIndex}), so they are a membership test;
 * other link matchers (regexes, {@code !=}) and attribute matchers are answered once per link id
 * and per attribute-set id and cached, so each distinct value is tested once per partition.
 */
final class SampleFilter {
  /** Accepts every sample. */
  static final SampleFilter NONE = new SampleFilter(List.of(), null, null);

  private final int[][] linkIds; // per exact span or trace matcher, its links (ascending)
  private final List<Matcher> linkMatchers;
  private final List<Matcher> attributeMatchers;
  private final Symbols symbols;
  private byte[] linkOk; // 0 unknown, 1 yes, 2 no; allocated on first use
  private byte[] setOk;

  /**
   * @param linkIds the link ids the exact span and trace matchers resolved to (see {@code
   *     LuceneQueries.linkIds}), or null to test those matchers on the ids' hex like the others
   */
  SampleFilter(List<Matcher> sampleMatchers, Symbols symbols, int[][] linkIds) {
    this.linkIds = linkIds;
    this.linkMatchers =
        sampleMatchers.stream()
            .filter(m -> PartitionScan.isLinkLabel(m.name()))
            .filter(m -> linkIds == null || !isExactId(m))
            .toList();
    this.attributeMatchers =
        sampleMatchers.stream().filter(m -> !PartitionScan.isLinkLabel(m.name())).toList();
    this.symbols = symbols;
  }

  /** An exact, non-empty span or trace id: what {@link LinkIndex} resolves. */
  static boolean isExactId(Matcher m) {
    return m.op() == Matcher.Op.EQ && !m.value().isEmpty();
  }

  boolean isEmpty() {
    return (linkIds == null || linkIds.length == 0)
        && linkMatchers.isEmpty()
        && attributeMatchers.isEmpty();
  }

  boolean accepts(int link, int attributeSet) {
    return idsAccept(link) && linkAccepts(link) && setAccepts(attributeSet);
  }

  private boolean idsAccept(int link) {
    if (linkIds != null) {
      for (int[] ids : linkIds) {
        if (Arrays.binarySearch(ids, link) < 0) {
          return false;
        }
      }
    }
    return true;
  }

  private boolean linkAccepts(int link) {
    if (linkMatchers.isEmpty()) {
      return true;
    }
    if (linkOk == null) {
      linkOk = new byte[symbols.linkCount()];
    }
    if (linkOk[link] == 0) {
      String trace = "";
      String span = "";
      if (link != 0) {
        trace = symbols.traceHex(link);
        span = symbols.spanHex(link);
      }
      boolean ok = true;
      for (Matcher m : linkMatchers) {
        ok &= m.matches(m.name().equals("trace_id") ? trace : span);
      }
      linkOk[link] = (byte) (ok ? 1 : 2);
    }
    return linkOk[link] == 1;
  }

  private boolean setAccepts(int set) {
    if (attributeMatchers.isEmpty()) {
      return true;
    }
    if (setOk == null) {
      setOk = new byte[symbols.attributeSetCount()];
    }
    if (setOk[set] == 0) {
      int[] attrs = symbols.attributeSet(set);
      boolean ok = true;
      for (Matcher m : attributeMatchers) {
        String value = null;
        for (int a : attrs) {
          if (symbols.string(symbols.attributeKey(a)).equals(m.name())) {
            value = symbols.string(symbols.attributeValue(a));
            break;
          }
        }
        ok &= m.matches(value);
      }
      setOk[set] = (byte) (ok ? 1 : 2);
    }
    return setOk[set] == 1;
  }
}
