package dev.webhooks.sender;

import static java.nio.charset.StandardCharsets.UTF_8;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * The secrets, signatures and credentials that tests generate or receive, written one a line to
 * {@code target/leak-scan/generated-secrets.txt} so that {@link SecretLeakScan}, run after the
 * test JVM has exited, can look for each exact value in the logs and exception messages. The file
 * is emptied when the first value of a new test JVM is added. Values are stored in the forms a
 * scanner's tokens take: base64 without its padding, and a {@code whsec_} secret also without the
 * prefix. Thread-safe.
 */
public final class GeneratedSecrets {
  /** Shorter values could turn up by chance. */
  static final int MIN_LENGTH = 12;
  static final Path FILE = Path.of(System.getProperty("basedir", "."), "target", "leak-scan",
      "generated-secrets.txt");
  private static boolean fresh;

  private GeneratedSecrets() {}

  /** A secret or credential in any of its forms, e.g. {@code whsec_…} or {@code Bearer tok_…}. */
  public static void secret(String value) {
    if (value == null) {
      return;
    }
    List<String> forms = new ArrayList<>();
    for (String part : value.split("[^A-Za-z0-9+/_-]+")) {
      forms.add(part);
      if (part.startsWith("whsec_") || part.startsWith("whsk_")) {
        forms.add(part.substring(part.indexOf('_') + 1));
      }
    }
    write(forms);
  }

  /**
   * A signature header's value: {@code v1,<base64> v1a,<base64>} (Standard Webhooks), {@code
   * t=…,v1=<hex>} (Stripe) or {@code sha256=<hex>}; each signature is kept.
   */
  public static void signatureHeader(String value) {
    if (value == null) {
      return;
    }
    List<String> forms = new ArrayList<>();
    for (String part : value.split("[^A-Za-z0-9+/_-]+")) {
      if (part.length() >= 40) {
        forms.add(part);
      }
    }
    write(forms);
  }

  private static synchronized void write(List<String> forms) {
    List<String> lines = forms.stream().filter(f -> f.length() >= MIN_LENGTH).toList();
    if (lines.isEmpty()) {
      return;
    }
    try {
      Files.createDirectories(FILE.getParent());
      if (!fresh) {
        Instant jvmStart = ProcessHandle.current().info().startInstant().orElse(Instant.EPOCH);
        if (Files.exists(FILE) && Files.getLastModifiedTime(FILE).toInstant().isBefore(jvmStart)) {
          Files.delete(FILE);
        }
        fresh = true;
      }
      Files.write(FILE, lines, UTF_8, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
