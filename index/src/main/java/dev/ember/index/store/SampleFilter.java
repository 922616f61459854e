package dev.ember.index.store;

import dev.ember.index.query.Matcher;
import java.util.List;

/**
 * Decides per sample whether the per-sample matchers ({@code trace_id}, {@code span_id}, and sample
 * attributes such as {@code span_name}, {@code thread_name}) accept it. Answers are cached per link
 * id and per attribute-set id, so each distinct value is tested once per partition.
 */
final class SampleFilter {
  /** Accepts every sample. */
  static final SampleFilter NONE = new SampleFilter();

  private final List<Matcher> linkMatchers;
  private final List<Matcher> attributeMatchers;
  private final Symbols symbols;
  private byte[] linkOk; // 0 unknown, 1 yes, 2 no
  private byte[] setOk;

  SampleFilter(List<Matcher> sampleMatchers, Symbols symbols) {
    this.linkMatchers =
        sampleMatchers.stream()
            .filter(m -> m.name().equals("trace_id") || m.name().equals("span_id"))
            .toList();
    this.attributeMatchers =
        sampleMatchers.stream()
            .filter(m -> !m.name().equals("trace_id") && !m.name().equals("span_id"))
            .toList();
    this.symbols = symbols;
    this.linkOk = new byte[symbols.linkCount()];
    this.setOk = new byte[symbols.attributeSetCount()];
  }

  private SampleFilter() {
    this.linkMatchers = List.of();
    this.attributeMatchers = List.of();
    this.symbols = null;
    this.linkOk = new byte[0];
    this.setOk = new byte[0];
  }

  boolean isEmpty() {
    return linkMatchers.isEmpty() && attributeMatchers.isEmpty();
  }

  boolean accepts(int link, int attributeSet) {
    return linkAccepts(link) && setAccepts(attributeSet);
  }

  private boolean linkAccepts(int link) {
    if (linkMatchers.isEmpty()) {
      return true;
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
