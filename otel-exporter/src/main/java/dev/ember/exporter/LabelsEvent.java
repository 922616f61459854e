package dev.ember.exporter;

import jdk.jfr.Category;
import jdk.jfr.Description;
import jdk.jfr.Enabled;
import jdk.jfr.Event;
import jdk.jfr.Label;
import jdk.jfr.Name;
import jdk.jfr.StackTrace;

/**
 * Written into JFR when {@link EmberLabels} changes the custom labels of a thread. The sampler
 * finds events by name, so this also works when the application and the exporter live in different
 * class loaders (the Java agent's extension loader). Off unless Ember's recording enables it.
 */
@Name(LabelsEvent.NAME)
@Label("Profiling Labels")
@Category({"Ember", "Profiling"})
@Description("The custom profiling labels of this thread from now on")
@StackTrace(false)
@Enabled(false)
final class LabelsEvent extends Event {
  static final String NAME = "dev.ember.Labels";

  /** Canonical form: {@code key=value} pairs sorted by key, separated by U+001F; "" for none. */
  @Label("Labels")
  String labels;
}
