package dev.ember.index.query;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;

/**
 * Resolves the profile type a user wrote against the types actually stored: the full five-part ID,
 * the three-part form ({@code process_cpu:cpu:nanoseconds}), a short name matching the sample type
 * or the name ({@code cpu}, {@code alloc_space}, {@code process_cpu}), or nothing when only one
 * type is stored.
 */
public final class ProfileTypes {
  private ProfileTypes() {}

  /**
   * Returns the matching stored type; a full five-part ID is returned as is. Throws {@link
   * IllegalArgumentException} when a shorter form matches no stored type or several.
   */
  public static String resolve(String requested, Collection<String> stored) {
    if (stored.contains(requested) || requested.split(":", -1).length == 5) {
      // A full ID is unambiguous: when nothing of it is stored, the answer is simply empty.
      return requested;
    }
    List<String> candidates = new ArrayList<>();
    for (String id : stored) {
      String[] p = id.split(":", -1);
      boolean match =
          requested.isEmpty()
              || (p.length >= 3 && requested.equals(p[0] + ":" + p[1] + ":" + p[2]))
              || requested.equals(p[1])
              || requested.equals(p[0]);
      if (match) {
        candidates.add(id);
      }
    }
    if (candidates.size() == 1) {
      return candidates.get(0);
    }
    if (candidates.isEmpty()) {
      if (stored.isEmpty()) {
        return requested.isEmpty() ? "" : requested;
      }
      throw new IllegalArgumentException(
          "unknown profile type '"
              + requested
              + "'; stored types in this range: "
              + sorted(stored));
    }
    throw new IllegalArgumentException(
        (requested.isEmpty()
                ? "the query names no profile type"
                : "profile type '" + requested + "' is ambiguous")
            + "; choose one of: "
            + sorted(candidates));
  }

  private static List<String> sorted(Collection<String> ids) {
    return ids.stream().sorted().toList();
  }
}
