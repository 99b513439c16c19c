package dev.webhooks.sender;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.nio.charset.CodingErrorAction;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.stream.Stream;
import jdk.jfr.consumer.RecordedClass;
import jdk.jfr.consumer.RecordedEvent;
import jdk.jfr.consumer.RecordedFrame;
import jdk.jfr.consumer.RecordedStackTrace;
import jdk.jfr.consumer.RecordingFile;
import org.junit.jupiter.api.Test;

/**
 * No secret or signature in the logs or exception messages of the webhook-sender test run. Runs in
 * surefire's {@code leak-scan} execution, after the {@code default-test} one, in a JVM of its own
 * (see this module's pom): that run logged at DEBUG, every test class's output went to {@code
 * target/surefire-reports/*-output.txt} (child JVMs' to {@code target/child-jvms/}), and a flight
 * recording kept the message and creating stack of every exception constructed in it, the caught
 * ones too ({@code target/leak-scan-exceptions.jfr}).
 *
 * <p>It looks for the exact secrets, signatures and credentials the tests generated or received
 * ({@link GeneratedSecrets}), and for what any secret or signature looks like: {@code whsec_…},
 * {@code whsk_…}, {@code v1,}/{@code v1a,} base64 signatures, 64 hex digits (an HMAC-SHA256 in hex:
 * Stripe's {@code v1=}, GitHub's {@code sha256=}, plain hex). API answers that carry a secret once
 * (creation, rotation) are neither logs nor exceptions, so they are not scanned. Assertion errors
 * of the test frameworks are not scanned either: tests write their messages. Exceptions that
 * third-party code (the JDK, Jackson) creates from a caller's input are reported, not counted as
 * leaks: {@code UUID.fromString}, {@code Instant.parse} and Jackson quote the text they could not
 * read, and our code catches them without passing the message on. Were one logged, or its message
 * copied into one of ours, the log line or our exception would count.
 *
 * <p>It writes {@code target/leak-scan/report.txt} and fails the build on any leak, with the value
 * redacted to its first characters.
 */
class SecretLeakScan {
  static final Path TARGET = Path.of(System.getProperty("basedir", "."), "target");
  static final Path RECORDING = TARGET.resolve("leak-scan-exceptions.jfr");
  static final Path REPORT = TARGET.resolve("leak-scan").resolve("report.txt");

  record Finding(String source, String what, String excerpt) {
    @Override
    public String toString() {
      return source + ": " + what + ": " + excerpt;
    }
  }

  final Set<String> generated = new HashSet<>();
  /** The generated values by their first {@link GeneratedSecrets#MIN_LENGTH} characters. */
  final java.util.Map<String, List<String>> byPrefix = new java.util.HashMap<>();
  final List<Finding> findings = new ArrayList<>();
  /** Third-party exceptions quoting a caller's input: reported, not leaks (see the class comment). */
  final List<Finding> quoted = new ArrayList<>();
  long linesScanned;
  long filesScanned;
  long exceptionsScanned;
  long assertionsSkipped;

  @Test
  void noSecretOrSignatureInTheLogsOrExceptionMessagesOfTheTestRun() throws IOException {
    assertTrue(Files.exists(RECORDING), RECORDING + " is missing: the default-test execution records it "
        + "(-XX:StartFlightRecording in this module's pom) and this scan runs after it");
    if (Files.exists(GeneratedSecrets.FILE)) {
      for (String line : Files.readAllLines(GeneratedSecrets.FILE, UTF_8)) {
        if (line.length() >= GeneratedSecrets.MIN_LENGTH && generated.add(line)) {
          byPrefix.computeIfAbsent(line.substring(0, GeneratedSecrets.MIN_LENGTH), k -> new ArrayList<>()).add(line);
        }
      }
    }
    Instant testJvmStart = scanRecording();
    assertTrue(testJvmStart != null, "the recording holds no jdk.JVMInformation event");
    // Files written by this run only: older ones are from earlier runs of other code.
    Instant since = testJvmStart.minusSeconds(2);
    List<Path> logs = new ArrayList<>();
    for (Path dir : List.of(TARGET.resolve("surefire-reports"), TARGET.resolve("child-jvms"))) {
      if (Files.isDirectory(dir)) {
        try (Stream<Path> files = Files.list(dir)) {
          files.filter(f -> f.getFileName().toString().endsWith("-output.txt") || f.getFileName().toString()
                  .endsWith(".log"))
              .filter(f -> !f.getFileName().toString().startsWith(SecretLeakScan.class.getName()))
              .filter(f -> modifiedSince(f, since))
              .sorted()
              .forEach(logs::add);
        }
      }
    }
    for (Path log : logs) {
      scanLog(log);
    }

    StringBuilder report = new StringBuilder();
    String summary = "leak-scan: " + linesScanned + " log lines in " + filesScanned + " files and "
        + exceptionsScanned + " exception messages of the sender test run scanned for " + generated.size()
        + " generated secrets, signatures and credentials and for their patterns: " + findings.size()
        + " leaks found (" + assertionsSkipped + " test-framework assertion messages not scanned; "
        + quoted.size() + " third-party exceptions quoting a caller's input, not passed on: listed below)";
    report.append(summary).append('\n');
    findings.forEach(f -> report.append("LEAK ").append(f).append('\n'));
    quoted.forEach(f -> report.append("quoted input, not a leak: ").append(f).append('\n'));
    Files.createDirectories(REPORT.getParent());
    Files.writeString(REPORT, report, UTF_8);
    System.out.println(report);
    if (!findings.isEmpty()) {
      fail(findings.size() + " secrets or signatures in the logs or exception messages of the test run (values "
          + "redacted; the list is in " + REPORT + "):\n" + String.join("\n",
          findings.stream().limit(20).map(Finding::toString).toList()));
    }
  }

  static boolean modifiedSince(Path file, Instant since) {
    try {
      return !Files.getLastModifiedTime(file).toInstant().isBefore(since);
    } catch (IOException e) {
      return true;
    }
  }

  /** Scans every exception message of the recording; returns the test JVM's start time. */
  Instant scanRecording() throws IOException {
    Instant start = null;
    try (RecordingFile recording = new RecordingFile(RECORDING)) {
      while (recording.hasMoreEvents()) {
        RecordedEvent e = recording.readEvent();
        String type = e.getEventType().getName();
        if (type.equals("jdk.JVMInformation")) {
          start = e.getInstant("jvmStartTime");
        } else if (type.equals("jdk.DataLoss")) {
          fail("the recording lost " + e.getLong("amount") + " bytes of events: the scan would be incomplete");
        } else if (type.equals("jdk.JavaExceptionThrow") || type.equals("jdk.JavaErrorThrow")) {
          scanException(e);
        }
      }
    }
    return start;
  }

  void scanException(RecordedEvent e) {
    RecordedClass thrown = e.getClass("thrownClass");
    String name = thrown == null ? "?" : thrown.getName();
    if (name.startsWith("org.opentest4j.") || name.startsWith("org.junit.") || name.startsWith("net.jqwik.")
        || name.equals("java.lang.AssertionError")) {
      assertionsSkipped++;
      return;
    }
    String message = e.getString("message");
    if (message == null || message.isEmpty()) {
      return;
    }
    exceptionsScanned++;
    String creator = creator(e.getStackTrace());
    boolean ours = name.startsWith("dev.webhooks.") || creator.startsWith("dev.webhooks.");
    scan((ours ? "exception " : "third-party exception ") + name + " created in " + creator, message,
        ours ? findings : quoted);
  }

  /** The method that constructed the throwable: the first frame past the constructors. */
  static String creator(RecordedStackTrace stack) {
    if (stack == null) {
      return "?";
    }
    for (RecordedFrame f : stack.getFrames()) {
      String type = f.getMethod().getType().getName();
      if (f.getMethod().getName().equals("<init>") || type.startsWith("jdk.jfr.")) {
        continue;
      }
      return type + "." + f.getMethod().getName() + ":" + f.getLineNumber();
    }
    return "?";
  }

  void scanLog(Path log) throws IOException {
    filesScanned++;
    var decoder = UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPLACE)
        .onUnmappableCharacter(CodingErrorAction.REPLACE);
    String text = decoder.decode(java.nio.ByteBuffer.wrap(Files.readAllBytes(log))).toString();
    int number = 0;
    for (String line : text.split("\n")) {
      number++;
      linesScanned++;
      scan(TARGET.relativize(log) + ":" + number, line, findings);
    }
  }

  /** Records a finding for every token of {@code text} that is, or looks like, a secret or a signature. */
  void scan(String source, String text, List<Finding> into) {
    int length = text.length();
    int i = 0;
    while (i < length) {
      while (i < length && !tokenChar(text.charAt(i))) {
        i++;
      }
      int start = i;
      while (i < length && tokenChar(text.charAt(i))) {
        i++;
      }
      if (i - start >= GeneratedSecrets.MIN_LENGTH) {
        String token = text.substring(start, i);
        String what = classify(token, text, start);
        if (what != null) {
          into.add(new Finding(source, what, redact(text, start, i)));
        }
      }
    }
  }

  String classify(String token, String text, int start) {
    if (generated.contains(token) || containsGenerated(token)) {
      return "a secret, signature or credential the tests generated";
    }
    if (token.startsWith("whsec_") && token.length() >= 6 + 16) {
      return "a whsec_ secret";
    }
    if (token.startsWith("whsk_") && token.length() >= 5 + 40) {
      return "a whsk_ signing key";
    }
    if (token.length() == 64 && token.chars().allMatch(c -> (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f')
        || (c >= 'A' && c <= 'F'))) {
      return "64 hex digits (an HMAC-SHA256 in hex)";
    }
    String before = text.substring(Math.max(0, start - 4), start).toLowerCase(Locale.ROOT);
    if ((token.length() == 43 && before.endsWith("v1,")) || (token.length() == 86 && before.endsWith("v1a,"))) {
      return "a Standard Webhooks signature";
    }
    return null;
  }

  /**
   * Whether a generated value sits inside a longer token, after one of the characters that join
   * words in paths and names ({@code / + - _}): {@code …/whsec_…}, {@code x-<signature>}.
   */
  boolean containsGenerated(String token) {
    for (int i = 0; i < token.length() - GeneratedSecrets.MIN_LENGTH; i++) {
      char c = token.charAt(i);
      if (c == '/' || c == '+' || c == '-' || c == '_') {
        for (String g : byPrefix.getOrDefault(token.substring(i + 1, i + 1 + GeneratedSecrets.MIN_LENGTH), List.of())) {
          if (token.startsWith(g, i + 1)) {
            return true;
          }
        }
      }
    }
    return false;
  }

  static boolean tokenChar(char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '+' || c == '/'
        || c == '_' || c == '-';
  }

  /** The text around the token, the token cut to its first six characters. */
  static String redact(String text, int start, int end) {
    int from = Math.max(0, start - 60);
    int to = Math.min(text.length(), end + 60);
    return (from > 0 ? "…" : "") + text.substring(from, start) + text.substring(start, Math.min(end, start + 6))
        + "…[" + (end - start) + " chars redacted]" + text.substring(end, to) + (to < text.length() ? "…" : "");
  }
}
