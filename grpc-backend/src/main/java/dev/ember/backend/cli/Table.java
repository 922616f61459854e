package dev.ember.backend.cli;

import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;

/**
 * A plain-text table for people: a header, rows, columns padded to their widest cell; columns
 * marked numeric are right-aligned.
 */
final class Table {
  private final String[] header;
  private final boolean[] numeric;
  private final List<String[]> rows = new ArrayList<>();

  Table(String... header) {
    this.header = header;
    this.numeric = new boolean[header.length];
  }

  /** Marks columns (0-based) as numbers, aligned right. */
  Table numeric(int... columns) {
    for (int c : columns) {
      numeric[c] = true;
    }
    return this;
  }

  Table row(Object... cells) {
    String[] r = new String[header.length];
    for (int i = 0; i < r.length; i++) {
      r[i] = i < cells.length && cells[i] != null ? cells[i].toString() : "";
    }
    rows.add(r);
    return this;
  }

  boolean isEmpty() {
    return rows.isEmpty();
  }

  void print(PrintWriter out) {
    int[] width = new int[header.length];
    for (int i = 0; i < header.length; i++) {
      width[i] = header[i].length();
      for (String[] r : rows) {
        width[i] = Math.max(width[i], r[i].length());
      }
    }
    line(out, header, width);
    for (String[] r : rows) {
      line(out, r, width);
    }
    out.flush();
  }

  private void line(PrintWriter out, String[] cells, int[] width) {
    StringBuilder b = new StringBuilder();
    for (int i = 0; i < cells.length; i++) {
      if (i > 0) {
        b.append("  ");
      }
      boolean last = i == cells.length - 1;
      String pad = " ".repeat(width[i] - cells[i].length());
      if (numeric[i]) {
        b.append(pad).append(cells[i]);
      } else {
        b.append(cells[i]);
        if (!last) {
          b.append(pad);
        }
      }
    }
    out.println(b.toString().stripTrailing());
  }
}
