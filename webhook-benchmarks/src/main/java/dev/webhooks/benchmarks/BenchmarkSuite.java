package dev.webhooks.benchmarks;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * Runs every benchmark of the suite, so that each figure is read beside its peer and its limit
 * measured in the same run, and prints the table (also written to {@code
 * target/benchmarks/results.md}). In the full suite the end-to-end section runs in a JVM of its
 * own, started with this one's options and class path, as JMH forks a JVM per benchmark: after the
 * other sections in one JVM, the JIT still compiled for 843 ms of the in-memory end-to-end run's
 * 2,151 ms (full run of 2026-11-28 00:37), which reached 0.60× its limit, against 0.80–0.84× in a
 * JVM of its own. Every section in a JVM of its own took the full suite to 15 min 57 s (its limit
 * is 15), and the quick suite past its two minutes (2 min 53 s): the others stay in this JVM.
 *
 * <pre>
 * mvn -B -q -pl webhook-benchmarks -am package exec:exec -DskipTests                     # full, under 15 min
 * mvn -B -q -pl webhook-benchmarks -am package exec:exec -DskipTests -Dbench.args=quick  # under 2 min
 * </pre>
 *
 * <p>Sections can be chosen: {@code -Dbench.args="full signatures,e2e"}. The PostgreSQL figures
 * use {@code WEBHOOKS_POSTGRES_URL} (default the machine's server on 127.0.0.1:5432, database
 * {@code test}); a fresh schema is made and dropped per run.
 */
public final class BenchmarkSuite {
  /** Every section, in the order they run. */
  static final List<String> SECTIONS = List.of("signatures", "publish", "e2e", "isolation", "memory");

  private BenchmarkSuite() {}

  /** Sections the full suite runs in a JVM of their own. */
  static final Set<String> OWN_JVM = Set.of("e2e");

  /** Given to a section's own JVM: the file its rows go to. */
  private static final String ROWS_TO = "--rows-to=";

  public static void main(String[] argv) throws Exception {
    // exec:exec hands -Dbench.args over as one argument: "quick signatures,e2e".
    String[] args = String.join(" ", argv).trim().split("\\s+");
    String rowsTo = null;
    if (args.length > 0 && args[args.length - 1].startsWith(ROWS_TO)) {
      rowsTo = args[args.length - 1].substring(ROWS_TO.length());
      args = java.util.Arrays.copyOf(args, args.length - 1);
    }
    boolean quick = args.length > 0 && args[0].equals("quick");
    if (args.length > 0 && !args[0].equals("quick") && !args[0].equals("full")) {
      System.err.println("usage: BenchmarkSuite [full|quick] [section,section…]; sections: " + SECTIONS);
      System.exit(2);
    }
    Set<String> chosen = new LinkedHashSet<>(SECTIONS);
    if (args.length > 1) {
      chosen.clear();
      for (String s : args[1].split(",")) {
        if (!SECTIONS.contains(s.strip())) {
          System.err.println("unknown section " + s + "; sections: " + SECTIONS);
          System.exit(2);
        }
        chosen.add(s.strip());
      }
    }
    Report report = new Report(quick);
    DeliveryRig.maxWarmupRounds = quick ? 2 : 10; // quick: within its two minutes
    long start = System.nanoTime();
    PrintStream out = System.out;
    out.printf(Locale.ROOT, "Webhooks SDK benchmarks (%s): %s; %d cores, %s, Java %s%n", quick ? "quick" : "full",
        chosen, Runtime.getRuntime().availableProcessors(), System.getProperty("os.name"),
        System.getProperty("java.version"));
    boolean failed = false;
    for (String section : chosen) {
      long t = System.nanoTime();
      out.println("== " + section);
      if (rowsTo == null && !quick && OWN_JVM.contains(section)) {
        failed |= !inItsOwnJvm(section, quick, report);
        out.printf(Locale.ROOT, "   (%s took %.1f s)%n", section, (System.nanoTime() - t) / 1e9);
        continue;
      }
      switch (section) {
        case "signatures":
          SignatureSection.run(report, quick);
          break;
        case "publish":
          PublishSection.run(report, quick);
          break;
        case "e2e":
          EndToEndSection.run(report, quick);
          break;
        case "isolation":
          IsolationSection.run(report, quick);
          break;
        case "memory":
          MemorySection.run(report, quick);
          break;
        default:
          throw new AssertionError(section);
      }
      if (rowsTo == null) {
        out.printf(Locale.ROOT, "   (%s took %.1f s)%n", section, (System.nanoTime() - t) / 1e9);
      }
    }
    if (rowsTo != null) {
      report.writeRows(Path.of(rowsTo));
      return;
    }
    String table = report.markdown(Duration.ofNanos(System.nanoTime() - start));
    out.println();
    out.println(table);
    Path file = Path.of("target", "benchmarks", "results.md");
    try {
      Files.createDirectories(file.getParent());
      Files.writeString(file, table, StandardCharsets.UTF_8);
      out.println("written to " + file.toAbsolutePath());
    } catch (IOException e) {
      out.println("could not write " + file + ": " + e.getMessage());
    }
    List<String> missed = new ArrayList<>(report.missedTargets());
    if (!missed.isEmpty()) {
      out.println("targets missed: " + missed);
    }
    if (failed) {
      out.println("a section failed: see its output above");
      System.exit(1);
    }
  }

  /**
   * Runs {@code section} in a new JVM with this one's options, class path and environment; its
   * output goes to this one's, its rows into {@code report}. False if it failed.
   */
  private static boolean inItsOwnJvm(String section, boolean quick, Report report)
      throws IOException, InterruptedException {
    Path rows = Files.createTempFile("webhooks-bench-" + section, ".tsv");
    try {
      List<String> command = new ArrayList<>();
      command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
      command.addAll(java.lang.management.ManagementFactory.getRuntimeMXBean().getInputArguments());
      command.add("-cp");
      command.add(System.getProperty("java.class.path"));
      command.add(BenchmarkSuite.class.getName());
      command.add((quick ? "quick " : "full ") + section + " " + ROWS_TO + rows);
      int exit = new ProcessBuilder(command).inheritIO().start().waitFor();
      report.readRows(rows);
      if (exit != 0) {
        System.out.println("   section " + section + " failed (exit " + exit + ")");
      }
      return exit == 0;
    } finally {
      Files.deleteIfExists(rows);
    }
  }
}
