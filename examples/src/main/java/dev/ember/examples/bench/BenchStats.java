package dev.ember.examples.bench;

import java.util.Arrays;
import java.util.SplittableRandom;

/**
 * Robust summaries of a few noisy measurements: median, quartiles, and a bootstrap confidence
 * interval of the median (percentile method, fixed seed so a report can be reproduced from its
 * numbers).
 */
final class BenchStats {
  private BenchStats() {}

  static final int RESAMPLES = 10_000;

  static double median(double[] v) {
    return quantile(v, 0.5);
  }

  /** Linear interpolation between order statistics (type 7, as R and numpy default). */
  static double quantile(double[] v, double q) {
    if (v.length == 0) {
      return Double.NaN;
    }
    double[] s = v.clone();
    Arrays.sort(s);
    double pos = q * (s.length - 1);
    int lo = (int) Math.floor(pos);
    int hi = Math.min(lo + 1, s.length - 1);
    return s[lo] + (pos - lo) * (s[hi] - s[lo]);
  }

  /** The {@code level} (e.g. 0.95) bootstrap interval of the median: {low, high}. */
  static double[] medianInterval(double[] v, double level, long seed) {
    if (v.length < 2) {
      return new double[] {Double.NaN, Double.NaN};
    }
    SplittableRandom random = new SplittableRandom(seed);
    double[] medians = new double[RESAMPLES];
    double[] sample = new double[v.length];
    for (int r = 0; r < RESAMPLES; r++) {
      for (int i = 0; i < sample.length; i++) {
        sample[i] = v[random.nextInt(v.length)];
      }
      medians[r] = median(sample);
    }
    double tail = (1 - level) / 2;
    return new double[] {quantile(medians, tail), quantile(medians, 1 - tail)};
  }
}
