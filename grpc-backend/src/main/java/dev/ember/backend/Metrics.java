package dev.ember.backend;

import java.io.IOException;
import java.io.Writer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.concurrent.atomic.DoubleAdder;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Supplier;

/**
 * A small metrics registry that writes the Prometheus text exposition format (version 0.0.4):
 * counters, histograms and callback gauges, each a family of labelled series. Enough for the
 * backend's own metrics without another dependency. Thread-safe; recording is lock-free.
 */
final class Metrics {
  private final Map<String, Family> families = new ConcurrentSkipListMap<>();

  private abstract static class Family {
    final String name;
    final String help;
    final String type;
    final List<String> labelNames;

    Family(String name, String help, String type, String[] labelNames) {
      this.name = name;
      this.help = help;
      this.type = type;
      this.labelNames = List.of(labelNames);
    }

    abstract void writeSeries(Writer w) throws IOException;

    String labels(List<String> values, String extraName, String extraValue) {
      if (values.isEmpty() && extraName == null) {
        return "";
      }
      StringBuilder b = new StringBuilder("{");
      for (int i = 0; i < values.size(); i++) {
        if (i > 0) {
          b.append(',');
        }
        b.append(labelNames.get(i)).append("=\"").append(escape(values.get(i))).append('"');
      }
      if (extraName != null) {
        if (!values.isEmpty()) {
          b.append(',');
        }
        b.append(extraName).append("=\"").append(extraValue).append('"');
      }
      return b.append('}').toString();
    }

    List<String> key(String... values) {
      if (values.length != labelNames.size()) {
        throw new IllegalArgumentException(
            name + " takes labels " + labelNames + ", got " + Arrays.toString(values));
      }
      return List.of(values);
    }
  }

  static String escape(String v) {
    return v.replace("\\", "\\\\").replace("\"", "\\\"").replace("\n", "\\n");
  }

  static String number(double v) {
    if (v == Math.rint(v) && !Double.isInfinite(v) && Math.abs(v) < 1e15) {
      return Long.toString((long) v);
    }
    return Double.toString(v);
  }

  /** A monotonically increasing count per label combination. */
  static final class Counter extends Family {
    private final ConcurrentHashMap<List<String>, LongAdder> series = new ConcurrentHashMap<>();

    Counter(String name, String help, String[] labelNames) {
      super(name, help, "counter", labelNames);
    }

    void inc(long n, String... labelValues) {
      series.computeIfAbsent(key(labelValues), k -> new LongAdder()).add(n);
    }

    long get(String... labelValues) {
      LongAdder a = series.get(key(labelValues));
      return a == null ? 0 : a.sum();
    }

    @Override
    void writeSeries(Writer w) throws IOException {
      for (var e : toSorted().entrySet()) {
        w.write(name + labels(e.getKey(), null, null) + " " + e.getValue() + "\n");
      }
    }

    private Map<List<String>, Long> toSorted() {
      Map<List<String>, Long> out = new java.util.TreeMap<>(Metrics::compare);
      series.forEach((k, v) -> out.put(k, v.sum()));
      return out;
    }
  }

  /** Observations in cumulative buckets, with their sum and count. */
  static final class Histogram extends Family {
    private final double[] bounds;
    private final ConcurrentHashMap<List<String>, Cells> series = new ConcurrentHashMap<>();

    private record Cells(AtomicLongArray buckets, DoubleAdder sum, LongAdder count) {}

    Histogram(String name, String help, double[] bounds, String[] labelNames) {
      super(name, help, "histogram", labelNames);
      this.bounds = bounds.clone();
    }

    void observe(double value, String... labelValues) {
      Cells c =
          series.computeIfAbsent(
              key(labelValues),
              k ->
                  new Cells(
                      new AtomicLongArray(bounds.length), new DoubleAdder(), new LongAdder()));
      for (int i = 0; i < bounds.length; i++) {
        if (value <= bounds[i]) {
          c.buckets.incrementAndGet(i);
          break;
        }
      }
      c.sum.add(value);
      c.count.increment();
    }

    long count(String... labelValues) {
      Cells c = series.get(key(labelValues));
      return c == null ? 0 : c.count.sum();
    }

    @Override
    void writeSeries(Writer w) throws IOException {
      Map<List<String>, Cells> sorted = new java.util.TreeMap<>(Metrics::compare);
      sorted.putAll(series);
      for (var e : sorted.entrySet()) {
        Cells c = e.getValue();
        long count = c.count.sum();
        long cumulative = 0;
        for (int i = 0; i < bounds.length; i++) {
          cumulative += c.buckets.get(i);
          w.write(
              name
                  + "_bucket"
                  + labels(e.getKey(), "le", number(bounds[i]))
                  + " "
                  + cumulative
                  + "\n");
        }
        w.write(name + "_bucket" + labels(e.getKey(), "le", "+Inf") + " " + count + "\n");
        w.write(name + "_sum" + labels(e.getKey(), null, null) + " " + number(c.sum.sum()) + "\n");
        w.write(name + "_count" + labels(e.getKey(), null, null) + " " + count + "\n");
      }
    }
  }

  /** Values read when the metrics are scraped. */
  static final class Gauge extends Family {
    private final Supplier<Map<List<String>, Double>> values;

    Gauge(String name, String help, String[] labelNames, Supplier<Map<List<String>, Double>> v) {
      super(name, help, "gauge", labelNames);
      this.values = v;
    }

    @Override
    void writeSeries(Writer w) throws IOException {
      Map<List<String>, Double> sorted = new java.util.TreeMap<>(Metrics::compare);
      sorted.putAll(values.get());
      for (var e : sorted.entrySet()) {
        w.write(name + labels(e.getKey(), null, null) + " " + number(e.getValue()) + "\n");
      }
    }
  }

  private static int compare(List<String> a, List<String> b) {
    for (int i = 0; i < Math.min(a.size(), b.size()); i++) {
      int c = a.get(i).compareTo(b.get(i));
      if (c != 0) {
        return c;
      }
    }
    return Integer.compare(a.size(), b.size());
  }

  private <F extends Family> F register(F f) {
    if (families.putIfAbsent(f.name, f) != null) {
      throw new IllegalArgumentException("metric " + f.name + " registered twice");
    }
    return f;
  }

  Counter counter(String name, String help, String... labelNames) {
    return register(new Counter(name, help, labelNames));
  }

  Histogram histogram(String name, String help, double[] bounds, String... labelNames) {
    return register(new Histogram(name, help, bounds, labelNames));
  }

  void gauge(
      String name, String help, Supplier<Map<List<String>, Double>> values, String... labelNames) {
    register(new Gauge(name, help, labelNames, values));
  }

  /** Writes every family; a gauge whose callback fails is skipped, not the whole scrape. */
  void write(Writer w) throws IOException {
    List<Family> all = new ArrayList<>(families.values());
    for (Family f : all) {
      StringBuilder buf = new StringBuilder();
      try (Writer sw = new java.io.StringWriter()) {
        f.writeSeries(sw);
        buf.append(sw);
      } catch (RuntimeException e) {
        continue;
      }
      w.write("# HELP " + f.name + " " + f.help.replace("\\", "\\\\").replace("\n", "\\n") + "\n");
      w.write("# TYPE " + f.name + " " + f.type + "\n");
      w.write(buf.toString());
    }
  }
}
