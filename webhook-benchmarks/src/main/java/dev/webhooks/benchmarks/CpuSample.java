package dev.webhooks.benchmarks;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * Where the machine's CPU went during a run, from Linux's {@code /proc}: this JVM (its process CPU
 * time), every process named {@code postgres} (the server and its backends, {@code
 * /proc/PID/stat}), everything else, and idle ({@code /proc/stat}). Taken before and after a run;
 * {@link #since} gives the split as shares of all cores (none for under half a second). Elsewhere than Linux, {@link #take} gives
 * {@code null}.
 */
record CpuSample(long wallNanos, long javaNanos, long postgresTicks, long busyTicks, long totalTicks,
    long javaKernelTicks, long javaSwitches, Map<Long, Map.Entry<String, Long>> threadNanos,
    Map<Long, Map.Entry<String, Long>> threadAllocated, Map<Long, Map.Entry<String, Long>> threadSwitches) {
  /** USER_HZ: Linux reports process and machine times in 1/100 s on every common platform. */
  private static final double TICK_NANOS = 1e9 / 100;

  static CpuSample take() {
    try {
      String[] cpu = Files.readAllLines(Path.of("/proc/stat")).get(0).trim().split("\\s+");
      long total = 0;
      long idle = 0;
      for (int i = 1; i < cpu.length && i <= 8; i++) { // user nice system idle iowait irq softirq steal
        long v = Long.parseLong(cpu[i]);
        total += v;
        if (i == 4 || i == 5) {
          idle += v;
        }
      }
      long postgres = 0;
      try (DirectoryStream<Path> procs = Files.newDirectoryStream(Path.of("/proc"), "[0-9]*")) {
        for (Path p : procs) {
          try {
            String stat = Files.readString(p.resolve("stat"));
            int open = stat.indexOf('(');
            int close = stat.lastIndexOf(')');
            if (!stat.substring(open + 1, close).equals("postgres")) {
              continue;
            }
            String[] f = stat.substring(close + 2).split(" ");
            postgres += Long.parseLong(f[11]) + Long.parseLong(f[12]); // utime, stime
          } catch (IOException | RuntimeException gone) {
            // the process ended meanwhile
          }
        }
      }
      long java = ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean())
          .getProcessCpuTime();
      // This JVM's time in the kernel (system calls: sockets, futexes), and its threads' context
      // switches, voluntary (a thread blocked) and not: what handing work between threads costs.
      String self = Files.readString(Path.of("/proc/self/stat"));
      long kernel = Long.parseLong(self.substring(self.lastIndexOf(')') + 2).split(" ")[12]);
      long switches = 0;
      Map<Long, Map.Entry<String, Long>> threads = new HashMap<>();
      Map<Long, Map.Entry<String, Long>> threadSwitches = new HashMap<>();
      try (DirectoryStream<Path> tasks = Files.newDirectoryStream(Path.of("/proc/self/task"))) {
        for (Path t : tasks) {
          try {
            long mine = 0;
            for (String line : Files.readAllLines(t.resolve("status"))) {
              if (line.startsWith("voluntary_ctxt_switches:") || line.startsWith("nonvoluntary_ctxt_switches:")) {
                mine += Long.parseLong(line.substring(line.indexOf(':') + 1).trim());
              }
            }
            switches += mine;
            // Time on a CPU in ns (schedstat's first field), by kind of thread.
            long onCpu = Long.parseLong(Files.readString(t.resolve("schedstat")).trim().split(" ")[0]);
            long tid = Long.parseLong(t.getFileName().toString());
            String group = group(Files.readString(t.resolve("comm")).trim());
            threads.put(tid, Map.entry(group, onCpu));
            threadSwitches.put(tid, Map.entry(group, mine));
          } catch (IOException | RuntimeException gone) {
            // the thread ended meanwhile
          }
        }
      }
      // Bytes allocated on the heap, by Java thread.
      Map<Long, Map.Entry<String, Long>> allocated = new HashMap<>();
      com.sun.management.ThreadMXBean mx = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
      long[] ids = mx.getAllThreadIds();
      long[] bytes = mx.getThreadAllocatedBytes(ids);
      java.lang.management.ThreadInfo[] infos = mx.getThreadInfo(ids);
      for (int i = 0; i < ids.length; i++) {
        if (infos[i] != null && bytes[i] >= 0) {
          String name = infos[i].getThreadName();
          allocated.put(ids[i], Map.entry(group(name.substring(0, Math.min(15, name.length()))), bytes[i]));
        }
      }
      return new CpuSample(System.nanoTime(), java, postgres, total - idle, total, kernel, switches, threads,
          allocated, threadSwitches);
    } catch (IOException | RuntimeException e) {
      return null;
    }
  }

  /** The kind of a thread, from its name (Linux keeps the first 15 characters). */
  static String group(String name) {
    if (name.startsWith("webhooks-")) {
      return "sender";
    } else if (name.startsWith("bench-receiver") || name.startsWith("HTTP-Dispatcher")) {
      return "receiver";
    } else if (name.startsWith("pool-")) {
      return "publishers or raw client";
    } else if (name.startsWith("OkHttp") || name.startsWith("Okio")) {
      return "OkHttp's own";
    } else if (name.contains("CompilerThre")) {
      return "JIT";
    } else if (name.startsWith("GC ")) {
      return "GC";
    } else if (name.startsWith("G1 ")) {
      return "GC (concurrent)";
    }
    return "other";
  }

  /** Shares of all cores between {@code before} and now. */
  /**
   * @param javaKernel the share of all cores this JVM spent in the kernel (part of {@code java})
   * @param javaSwitches context switches of this JVM's threads (those alive at the end)
   * @param javaCpuNanos this JVM's CPU time
   * @param threadSwitches context switches by kind of thread (see {@link #group})
   */
  record Split(double java, double postgres, double other, double idle, int cores, double javaKernel,
      long javaSwitches, long javaCpuNanos, Map<String, Long> threadNanos, Map<String, Long> threadAllocated,
      Map<String, Long> threadSwitches) {
    String describe() {
      return String.format(Locale.ROOT, "java %.0f%%, postgres %.0f%%, other %.0f%%, idle %.0f%% of %d cores",
          java * 100, postgres * 100, other * 100, idle * 100, cores);
    }
  }

  Split since(CpuSample before) {
    if (before == null) {
      return null;
    }
    double all = (totalTicks - before.totalTicks) * TICK_NANOS;
    int cores = Runtime.getRuntime().availableProcessors();
    if (all < 0.5e9 * cores) {
      return null; // under half a second: ticks of 10 ms are too coarse to split
    }
    double java = (javaNanos - before.javaNanos) / all;
    double postgres = (postgresTicks - before.postgresTicks) * TICK_NANOS / all;
    double busy = (busyTicks - before.busyTicks) * TICK_NANOS / all;
    // Threads alive now: a thread started in between counts in full; one that ended in between took
    // its count with it.
    return new Split(java, postgres, Math.max(0, busy - java - postgres), 1 - busy, cores,
        (javaKernelTicks - before.javaKernelTicks) * TICK_NANOS / all, javaSwitches - before.javaSwitches,
        javaNanos - before.javaNanos, byGroup(threadNanos, before.threadNanos),
        byGroup(threadAllocated, before.threadAllocated), byGroup(threadSwitches, before.threadSwitches));
  }

  /** Per thread (id → its group and a running count), the growth since {@code before}, summed by group. */
  private static Map<String, Long> byGroup(Map<Long, Map.Entry<String, Long>> now,
      Map<Long, Map.Entry<String, Long>> before) {
    Map<String, Long> out = new TreeMap<>();
    now.forEach((id, count) -> {
      Map.Entry<String, Long> then = before.get(id);
      out.merge(count.getKey(), count.getValue() - (then == null ? 0 : then.getValue()), Long::sum);
    });
    return out;
  }
}
