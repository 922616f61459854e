package dev.ember.wire;

/** Position of one profile inside a request: resource, scope and profile index. */
public record ProfileRef(int resource, int scope, int profile) {

  String path() {
    return "resource_profiles["
        + resource
        + "].scope_profiles["
        + scope
        + "].profiles["
        + profile
        + "]";
  }
}
