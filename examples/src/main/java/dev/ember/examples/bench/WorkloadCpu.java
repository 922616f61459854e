package dev.ember.examples.bench;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * CPU time of this process and of each of its threads, the JVM's own included (GC, JIT compilers,
 * JFR), which is where a profiler's cost hides. Per-thread figures come from {@code
 * /proc/self/task/<tid>/schedstat} (nanoseconds of CPU); thread names from {@code comm} (at most 15
 * characters), grouped by replacing digits with {@code #} ({@code handler-3} becomes {@code
 * handler-#}). Linux only; empty elsewhere.
 */
public final class WorkloadCpu {
  private WorkloadCpu() {}

  /** One thread's name (digits replaced by #) and the CPU nanoseconds it has used. */
  public record ThreadCpu(String group, long nanos) {}

  /** Process CPU time in nanoseconds (10 ms resolution on Linux); -1 when unknown. */
  public static long processCpuNanos() {
    java.lang.management.OperatingSystemMXBean os = ManagementFactory.getOperatingSystemMXBean();
    if (os instanceof com.sun.management.OperatingSystemMXBean sun) {
      return sun.getProcessCpuTime();
    }
    return -1;
  }

  /** The live threads of this process by Linux thread id. */
  public static Map<Integer, ThreadCpu> threads() {
    Map<Integer, ThreadCpu> out = new HashMap<>();
    Path tasks = Path.of("/proc/self/task");
    if (!Files.isDirectory(tasks)) {
      return out;
    }
    try (DirectoryStream<Path> dir = Files.newDirectoryStream(tasks)) {
      for (Path t : dir) {
        try {
          String comm = Files.readString(t.resolve("comm")).trim();
          String schedstat = Files.readString(t.resolve("schedstat"));
          long nanos = Long.parseLong(schedstat.substring(0, schedstat.indexOf(' ')));
          out.put(
              Integer.parseInt(t.getFileName().toString()),
              new ThreadCpu(comm.replaceAll("[0-9]+", "#"), nanos));
        } catch (IOException | RuntimeException e) {
          // the thread ended meanwhile
        }
      }
    } catch (IOException e) {
      return out;
    }
    return out;
  }

  /**
   * CPU nanoseconds per thread group between two snapshots. A thread that ended in between is
   * missing its last part; one that started counts from zero.
   */
  public static Map<String, Long> groups(
      Map<Integer, ThreadCpu> before, Map<Integer, ThreadCpu> after) {
    Map<String, Long> out = new HashMap<>();
    for (Map.Entry<Integer, ThreadCpu> e : after.entrySet()) {
      ThreadCpu b = before.get(e.getKey());
      long used = e.getValue().nanos() - (b == null ? 0 : b.nanos());
      if (used > 0) {
        out.merge(e.getValue().group(), used, Long::sum);
      }
    }
    return out;
  }

  /** The largest groups as {@code name=ms, ...}. */
  public static String format(Map<String, Long> groups, int limit) {
    List<String> out = new ArrayList<>();
    groups.entrySet().stream()
        .sorted(Map.Entry.<String, Long>comparingByValue().reversed())
        .limit(limit)
        .forEach(e -> out.add(e.getKey() + "=" + e.getValue() / 1_000_000));
    return String.join(", ", out);
  }
}
