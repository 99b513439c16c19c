package dev.webhooks.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** The README's demo must keep working: every check it prints behaves as it says. */
class DemoTest {
  @Test
  void demo_everyCheckBehavesAsExpected() throws Exception {
    ByteArrayOutputStream buffer = new ByteArrayOutputStream();
    int failures = new Demo(new PrintStream(buffer, true, StandardCharsets.UTF_8)).run();
    String output = buffer.toString(StandardCharsets.UTF_8);
    assertEquals(0, failures, output);
    assertEquals(9, output.lines().filter(l -> l.contains("[ok]")).count(), output);
    assertTrue(output.contains("All checks behaved as expected."), output);
  }
}
