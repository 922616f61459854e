package dev.ember.examples.bench;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.StringJoiner;

/**
 * The {@link Workload} service driven line by line over stdin, so that {@link OverheadBenchmark}
 * can keep one warmed-up JVM per configuration and switch the load between them in short slices.
 * Every answer is one line on stdout starting with {@code ctl }; anything else the JVM prints is
 * log.
 *
 * <ul>
 *   <li>{@code start} / {@code stop}: start or stop submitting requests; answers {@code ctl ok}.
 *   <li>{@code mark}: answers {@code ctl mark cpu_ns=<process CPU> requests=<done>
 *       threads=<tid>:<group>=<ns>;...} (CPU of every live thread, from /proc).
 *   <li>{@code heap}: two full GCs, then {@code ctl heap used=<bytes>}.
 *   <li>{@code quit}: stops and exits (shutdown hooks run: profilers flush).
 * </ul>
 *
 * <p>{@code java -cp workload.jar dev.ember.examples.bench.WorkloadControl [requests/s=200]}
 */
public final class WorkloadControl {
  private WorkloadControl() {}

  public static void main(String[] args) throws Exception {
    int rate = args.length > 0 ? Integer.parseInt(args[0]) : 200;
    if (Boolean.getBoolean("bench.jfr.floor")) {
      JfrFloor.start();
    }
    Workload.Service service = new Workload.Service(rate);
    BufferedReader in =
        new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
    reply("ready");
    for (String line = in.readLine(); line != null; line = in.readLine()) {
      switch (line.trim()) {
        case "start":
          service.start();
          reply("ok");
          break;
        case "stop":
          service.stop();
          reply("ok");
          break;
        case "mark":
          reply(mark(service));
          break;
        case "heap":
          System.gc();
          System.gc();
          reply("heap used=" + ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed());
          break;
        case "quit":
          service.close();
          if (service.failures() > 0) {
            System.out.println(service.failures() + " requests failed (first one printed)");
            System.exit(1);
          }
          System.exit(0);
          break;
        default:
          reply("error unknown command: " + line);
      }
    }
    System.exit(0);
  }

  static String mark(Workload.Service service) {
    StringJoiner threads = new StringJoiner(";");
    for (Map.Entry<Integer, WorkloadCpu.ThreadCpu> e : WorkloadCpu.threads().entrySet()) {
      threads.add(e.getKey() + ":" + e.getValue().group() + "=" + e.getValue().nanos());
    }
    return "mark cpu_ns="
        + WorkloadCpu.processCpuNanos()
        + " requests="
        + service.done()
        + " threads="
        + threads;
  }

  private static void reply(String s) {
    System.out.println("ctl " + s);
    System.out.flush();
  }
}
