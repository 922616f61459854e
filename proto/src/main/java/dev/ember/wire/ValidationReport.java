package dev.ember.wire;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What {@link ProfilesValidator} found. Request errors make the whole request invalid (gRPC {@code
 * INVALID_ARGUMENT}); profile errors reject only those profiles (OTLP {@code partial_success}).
 */
public final class ValidationReport {
  private final List<String> requestErrors;
  private final int requestErrorCount;
  private final Map<ProfileRef, List<String>> profileErrors;
  private final Map<ProfileRef, Integer> profileErrorCounts;
  private final int profiles;

  private ValidationReport(Builder b, int profiles) {
    this.requestErrors = List.copyOf(b.requestErrors);
    this.requestErrorCount = b.requestErrorCount;
    this.profileErrors = Map.copyOf(b.profileErrors);
    this.profileErrorCounts = Map.copyOf(b.profileErrorCounts);
    this.profiles = profiles;
  }

  /** True when nothing at all is wrong. */
  public boolean isValid() {
    return requestErrorCount == 0 && profileErrors.isEmpty();
  }

  /** True when the request as a whole cannot be used. */
  public boolean isRequestInvalid() {
    return requestErrorCount > 0;
  }

  public boolean isRejected(ProfileRef ref) {
    return profileErrors.containsKey(ref);
  }

  public int profileCount() {
    return profiles;
  }

  public int rejectedProfileCount() {
    return profileErrors.size();
  }

  /** The first few request-level messages, each naming the field and index. */
  public List<String> requestErrors() {
    return requestErrors;
  }

  public Map<ProfileRef, List<String>> profileErrors() {
    return profileErrors;
  }

  /** One line summarising the request-level faults, for an error status. */
  public String requestSummary() {
    return summarize(requestErrors, requestErrorCount);
  }

  /** One line summarising the rejected profiles, for a partial-success message. */
  public String profileSummary() {
    List<String> first = new ArrayList<>();
    int total = 0;
    for (Map.Entry<ProfileRef, List<String>> e : profileErrors.entrySet()) {
      total += profileErrorCounts.get(e.getKey());
      for (String m : e.getValue()) {
        if (first.size() < ProfilesValidator.MAX_MESSAGES) {
          first.add(m);
        }
      }
    }
    return "rejected "
        + profileErrors.size()
        + " of "
        + profiles
        + " profile(s): "
        + summarize(first, total);
  }

  private static String summarize(List<String> messages, int total) {
    String joined = String.join("; ", messages);
    int more = total - messages.size();
    return more > 0 ? joined + " (and " + more + " more)" : joined;
  }

  @Override
  public String toString() {
    if (isValid()) {
      return "valid (" + profiles + " profiles)";
    }
    return isRequestInvalid() ? requestSummary() : profileSummary();
  }

  static final class Builder {
    private final List<String> requestErrors = new ArrayList<>();
    private int requestErrorCount;
    private final Map<ProfileRef, List<String>> profileErrors = new LinkedHashMap<>();
    private final Map<ProfileRef, Integer> profileErrorCounts = new LinkedHashMap<>();

    void requestError(String message) {
      requestErrorCount++;
      if (requestErrors.size() < ProfilesValidator.MAX_MESSAGES) {
        requestErrors.add(message);
      }
    }

    void profileError(ProfileRef ref, String message) {
      List<String> list = profileErrors.computeIfAbsent(ref, r -> new ArrayList<>());
      profileErrorCounts.merge(ref, 1, Integer::sum);
      if (list.size() < ProfilesValidator.MAX_MESSAGES) {
        list.add(message);
      }
    }

    ValidationReport build(int profiles) {
      return new ValidationReport(this, profiles);
    }
  }
}
