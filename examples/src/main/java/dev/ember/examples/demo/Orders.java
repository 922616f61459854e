package dev.ember.examples.demo;

/** Pretend order pricing: floating-point work that shows up as a clear hot path. */
final class Orders {
  private Orders() {}

  static volatile double sink;

  static void priceAll(int n) {
    double total = 0;
    for (int i = 0; i < n; i++) {
      total += price(i);
    }
    sink = total;
  }

  private static double price(int i) {
    return Math.sqrt(i) * 1.07 + Math.log1p(i) * 0.3;
  }
}
