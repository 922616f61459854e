package dev.ember.index.query;

import java.util.List;
import java.util.Locale;

/**
 * Renders a flame graph as a self-contained SVG image: an icicle (root on top, callees below, as in
 * Pyroscope's UI), one rectangle per node with a tooltip ({@code <title>}) giving its total and
 * self values, labels where they fit, warm colours chosen by name so that a function keeps its
 * colour across images.
 */
public final class FlameSvg {
  static final int WIDTH = 1200;
  static final int ROW = 18;
  static final int TOP = 34;
  static final double CHAR = 7.0;

  private FlameSvg() {}

  public static String render(FlameGraph g, String title, String unit) {
    long ticks = Math.max(1, g.numTicks());
    double scale = (WIDTH - 20) / (double) ticks;
    int height = TOP + g.levels().size() * ROW + 10;
    StringBuilder b = new StringBuilder(64 * 1024);
    b.append("<svg xmlns=\"http://www.w3.org/2000/svg\" version=\"1.1\" width=\"")
        .append(WIDTH)
        .append("\" height=\"")
        .append(height)
        .append("\" viewBox=\"0 0 ")
        .append(WIDTH)
        .append(' ')
        .append(height)
        .append("\" font-family=\"Verdana, sans-serif\" font-size=\"11\">\n");
    b.append("<rect width=\"100%\" height=\"100%\" fill=\"#fdfdfd\"/>\n");
    b.append("<text x=\"10\" y=\"20\" font-size=\"14\">")
        .append(escape(title))
        .append(" (total ")
        .append(escape(Units.format(g.numTicks(), unit)))
        .append(")</text>\n");
    List<String> names = g.names();
    for (int d = 0; d < g.levels().size(); d++) {
      long[] level = g.levels().get(d);
      long x = 0;
      for (int i = 0; i < level.length; i += 4) {
        x += level[i];
        long total = level[i + 1];
        long self = level[i + 2];
        String name = names.get((int) level[i + 3]);
        double px = 10 + x * scale;
        double w = total * scale;
        x += total;
        if (w < 0.3) {
          continue;
        }
        double y = TOP + d * ROW;
        b.append("<g><title>")
            .append(escape(name))
            .append(" — total ")
            .append(escape(Units.format(total, unit)))
            .append(" (")
            .append(Units.percent(total, g.numTicks()))
            .append("), self ")
            .append(escape(Units.format(self, unit)))
            .append("</title><rect x=\"")
            .append(num(px))
            .append("\" y=\"")
            .append(num(y))
            .append("\" width=\"")
            .append(num(Math.max(0.3, w - 0.5)))
            .append("\" height=\"")
            .append(ROW - 1)
            .append("\" fill=\"")
            .append(colour(name, d == 0))
            .append("\"/>");
        int chars = (int) ((w - 6) / CHAR);
        if (chars >= 3) {
          String label = name.length() <= chars ? name : name.substring(0, chars - 2) + "..";
          b.append("<text x=\"")
              .append(num(px + 3))
              .append("\" y=\"")
              .append(num(y + ROW - 5))
              .append("\">")
              .append(escape(label))
              .append("</text>");
        }
        b.append("</g>\n");
      }
    }
    b.append("</svg>\n");
    return b.toString();
  }

  private static String num(double v) {
    return String.format(Locale.ROOT, "%.1f", v);
  }

  /** A warm colour derived from the name, stable across renders. */
  static String colour(String name, boolean root) {
    if (root) {
      return "rgb(200,200,200)";
    }
    int h = name.hashCode();
    int r = 205 + Math.floorMod(h, 50);
    int g = 90 + Math.floorMod(h >>> 8, 130);
    int bl = 40 + Math.floorMod(h >>> 16, 40);
    return "rgb(" + r + "," + g + "," + bl + ")";
  }

  static String escape(String s) {
    StringBuilder b = new StringBuilder(s.length());
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      switch (c) {
        case '<' -> b.append("&lt;");
        case '>' -> b.append("&gt;");
        case '&' -> b.append("&amp;");
        case '"' -> b.append("&quot;");
        default -> {
          if (c < 0x20 && c != '\t') {
            b.append(' ');
          } else {
            b.append(c);
          }
        }
      }
    }
    return b.toString();
  }
}
