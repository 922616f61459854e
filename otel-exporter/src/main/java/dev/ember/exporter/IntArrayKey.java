package dev.ember.exporter;

import java.util.Arrays;

/** An int[] as a map key with value equality (the array must not change while it is a key). */
record IntArrayKey(int[] values) {
  @Override
  public boolean equals(Object o) {
    return o instanceof IntArrayKey other && Arrays.equals(values, other.values);
  }

  @Override
  public int hashCode() {
    return Arrays.hashCode(values);
  }

  @Override
  public String toString() {
    return Arrays.toString(values);
  }
}
