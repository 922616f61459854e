package dev.ember.index.query;

/** Short human forms of nanosecond durations, for messages: 90s, 1h30m, 7d. */
final class Durations {
  private Durations() {}

  static String format(long nanos) {
    long s = nanos / 1_000_000_000L;
    if (s == 0) {
      return nanos / 1_000_000L + "ms";
    }
    StringBuilder b = new StringBuilder();
    long d = s / 86_400;
    long h = s % 86_400 / 3600;
    long m = s % 3600 / 60;
    long sec = s % 60;
    if (d > 0) {
      b.append(d).append('d');
    }
    if (h > 0) {
      b.append(h).append('h');
    }
    if (m > 0) {
      b.append(m).append('m');
    }
    if (sec > 0) {
      b.append(sec).append('s');
    }
    return b.toString();
  }
}
