package dev.ember.index.store;

import java.util.regex.Pattern;

/** Tenant ids: what {@code X-Scope-OrgID} may carry. They name directories, so they are strict. */
public final class Tenants {
  public static final String DEFAULT = "anonymous";
  private static final Pattern VALID = Pattern.compile("[A-Za-z0-9_.-]{1,150}");

  private Tenants() {}

  /** Throws {@link IllegalArgumentException} naming the rule when the id is not acceptable. */
  public static String validate(String tenant) {
    if (tenant == null
        || !VALID.matcher(tenant).matches()
        || tenant.equals(".")
        || tenant.equals("..")) {
      throw new IllegalArgumentException(
          "invalid tenant id '"
              + tenant
              + "': use 1 to 150 characters from A-Z, a-z, 0-9, '_', '.', '-' (not '.' or '..')");
    }
    return tenant;
  }
}
