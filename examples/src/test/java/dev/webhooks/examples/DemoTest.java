package dev.webhooks.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The README's demo must keep working: it runs in-process against its real loopback receivers,
 * and what it reports must hold.
 */
class DemoTest {
  @Test
  void demo_deliversEverythingToLiveReceivers_andReportsIt() throws Exception {
    ByteArrayOutputStream buffer = new ByteArrayOutputStream();
    DemoResult result = new Demo(new PrintStream(buffer, true, StandardCharsets.UTF_8)).run();
    String output = buffer.toString(StandardCharsets.UTF_8);

    assertTrue(result.success(), output);
    assertTrue(result.settled(), output);
    assertEquals(0, result.invalidSignatures(), output);
    assertTrue(result.liveDeliveries() > 0, output);
    assertEquals(result.liveDeliveries(), result.liveDelivered(), output);
    assertTrue(result.flakyRefusals() > 0, "the flaky receiver refused nothing\n" + output);
    assertTrue(result.retriedDeliveries() > 0, "no delivery was retried\n" + output);
    assertTrue(result.goneDisabled(), "the 410 endpoint was not disabled\n" + output);

    List<String> lines = output.lines().toList();
    assertEquals(6, result.subscriptions().size(), output);
    for (String subscription : result.subscriptions()) {
      String[] tenantAndPath = subscription.split(" ");
      long rows = lines.stream().filter(l -> l.startsWith("  " + tenantAndPath[0] + " ")
          && l.contains(" " + tenantAndPath[1] + " ") && l.matches(".*\\d+\\.\\d\\d \\| .*")).count();
      assertEquals(1, rows, "summary line of " + subscription + "\n" + output);
    }
    assertTrue(lines.stream().anyMatch(l -> l.startsWith("  total ")), output);
    assertTrue(lines.stream().anyMatch(l -> l.matches("\\s+\\d+\\.\\d\\d s\\s+delivered .*")), "no progress line\n" + output);
    assertTrue(output.contains("Attempt log of a retried delivery"), output);
    assertTrue(output.contains("UrlPolicy.strict()"), output);
    assertTrue(lines.stream().anyMatch(l -> l.startsWith("OK: ")), output);
  }
}
