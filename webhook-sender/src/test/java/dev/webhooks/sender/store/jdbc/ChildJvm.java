package dev.webhooks.sender.store.jdbc;

import static java.nio.charset.StandardCharsets.UTF_8;

import java.io.BufferedReader;
import java.io.File;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStreamWriter;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

/**
 * A test main class run in a JVM of its own, the same java binary on the test JVM's class path.
 * Surefire puts the module under test on the module path; the child runs all of it on the plain
 * class path (its {@code module-info} is then ignored). The child's output (stdout and stderr,
 * merged) is read line by line into memory and copied to {@code target/child-jvms/<name>.log};
 * its stdin stays open for commands until {@link #close()}. Not thread-safe, except
 * {@link #lines()}.
 */
final class ChildJvm implements AutoCloseable {
  private final String name;
  private final Process process;
  private final Path log;
  private final List<String> lines = new CopyOnWriteArrayList<>();
  private final Thread pump;
  private final Writer stdin;

  private ChildJvm(String name, Process process, Path log) throws IOException {
    this.name = name;
    this.process = process;
    this.log = log;
    this.stdin = new OutputStreamWriter(process.getOutputStream(), UTF_8);
    Writer file = Files.newBufferedWriter(log, UTF_8);
    this.pump = new Thread(() -> copyOutput(file), "child-jvm-" + name);
    pump.setDaemon(true);
    pump.start();
  }

  /** Starts {@code main} with {@code args}; {@code name} names its log file. */
  static ChildJvm start(String name, Class<?> main, String... args) throws IOException {
    String java = ProcessHandle.current().info().command().orElse(
        Path.of(System.getProperty("java.home"), "bin", "java").toString());
    List<String> classPath = new ArrayList<>();
    for (String property : List.of("jdk.module.path", "java.class.path")) {
      String value = System.getProperty(property);
      if (value != null && !value.isEmpty()) {
        classPath.add(value);
      }
    }
    List<String> command = new ArrayList<>(List.of(java, "-XX:+UseSerialGC", "-Xmx256m",
        "-Dorg.slf4j.simpleLogger.defaultLogLevel=info", "-Dorg.slf4j.simpleLogger.showDateTime=true",
        "-cp", String.join(File.pathSeparator, classPath), main.getName()));
    command.addAll(List.of(args));
    Path dir = Path.of("target", "child-jvms");
    Files.createDirectories(dir);
    Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
    return new ChildJvm(name, process, dir.resolve(name + ".log"));
  }

  private void copyOutput(Writer file) {
    try (file; BufferedReader out = new BufferedReader(new InputStreamReader(process.getInputStream(), UTF_8))) {
      for (String line = out.readLine(); line != null; line = out.readLine()) {
        lines.add(line);
        file.write(line);
        file.write('\n');
        file.flush();
      }
    } catch (IOException e) {
      lines.add("(reading the child's output failed: " + e + ")");
    }
  }

  /** The lines the child printed so far. */
  List<String> lines() {
    return lines;
  }

  /** The first line so far that {@code matches}. */
  Optional<String> line(Predicate<String> matches) {
    return lines.stream().filter(matches).findFirst();
  }

  /** Waits up to {@code max} for a line that {@code matches}; fails early if the child exits without it. */
  String awaitLine(Duration max, Predicate<String> matches) {
    SenderNodes.awaitUntil(max, () -> line(matches).isPresent() || !process.isAlive());
    if (!process.isAlive()) {
      joinPump();
    }
    return line(matches).orElseThrow(() -> new AssertionError(
        "child " + name + " printed no such line within " + max + (process.isAlive() ? "" : " (it exited)")
            + "\n" + output()));
  }

  /** Sends one line to the child's stdin. */
  void send(String line) {
    try {
      stdin.write(line + "\n");
      stdin.flush();
    } catch (IOException e) {
      throw new UncheckedIOException("child " + name + " no longer reads its stdin", e);
    }
  }

  boolean isAlive() {
    return process.isAlive();
  }

  /** SIGKILL on Linux: no shutdown hook, no finally block, no flush runs in the child. */
  void kill() throws InterruptedException {
    process.destroyForcibly();
    process.waitFor(30, TimeUnit.SECONDS);
    joinPump();
  }

  /** Waits up to {@code max} for the child to exit; its exit code. */
  int awaitExit(Duration max) throws InterruptedException {
    if (!process.waitFor(max.toMillis(), TimeUnit.MILLISECONDS)) {
      throw new AssertionError("child " + name + " did not exit within " + max + "\n" + output());
    }
    joinPump();
    return process.exitValue();
  }

  private void joinPump() {
    try {
      pump.join(TimeUnit.SECONDS.toMillis(10));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /** What the child printed, for failure messages: all but its "committed" lines, which are counted. */
  String output() {
    List<String> shown = lines.stream().filter(l -> !l.startsWith("committed ")).toList();
    return "---- output of child JVM " + name + " (all of it in " + log.toAbsolutePath() + ") ----\n"
        + String.join("\n", shown) + "\n---- end of " + name + ", and " + (lines.size() - shown.size())
        + " \"committed\" lines ----";
  }

  /** Kills the child if it still runs. */
  @Override
  public void close() {
    try {
      stdin.close();
    } catch (IOException ignored) {
      // the child is gone already
    }
    if (process.isAlive()) {
      try {
        kill();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }
}
