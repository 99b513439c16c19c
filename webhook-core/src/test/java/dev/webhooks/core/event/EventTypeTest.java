package dev.webhooks.core.event;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.webhooks.core.ErrorCode;
import dev.webhooks.core.WebhookValidationException;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class EventTypeTest {
  private static final String A128 = "a".repeat(63) + "." + "b".repeat(64);

  @ParameterizedTest
  @ValueSource(
      strings = {
        "lookup.completed",
        "survey.response.created",
        "proof_pack.sealed",
        "monitor.run.completed",
        "credits.low",
        "a",
        "_",
        "0",
        "a.b.c.d.e",
        "v2.key_1.rotated_0",
      })
  void isValidName_wellFormed_accepted(String name) {
    assertTrue(EventType.isValidName(name), name);
    assertSame(name, EventType.requireValidName(name));
  }

  @Test
  void isValidName_exactly128Characters_accepted() {
    assertEquals(128, A128.length());
    assertTrue(EventType.isValidName(A128));
    assertTrue(EventType.isValidName("x".repeat(128)));
  }

  @Test
  void isValidName_129Characters_refused() {
    assertFalse(EventType.isValidName(A128 + "c"));
    assertFalse(EventType.isValidName("x".repeat(129)));
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "",
        ".",
        ".a",
        "a.",
        "a..b",
        "A.b",
        "lookup.Completed",
        "a-b",
        "a b",
        " a",
        "a\t",
        "a.*",
        "*",
        "survey*",
        "a/b",
        "a:b",
        "é.created",
        "caf\u00e9",
        "a\u0000b",
        "lookup\u2024completed", // one dot leader, looks like a dot
        "\u0430pikey.created", // Cyrillic a
        "a\nb",
      })
  void isValidName_malformed_refused(String name) {
    assertFalse(EventType.isValidName(name), name);
    WebhookValidationException e =
        assertThrows(WebhookValidationException.class, () -> EventType.requireValidName(name));
    assertEquals(ErrorCode.INVALID_EVENTS, e.code());
    assertEquals(Optional.of("type"), e.field());
  }

  @Test
  void isValidName_null_false() {
    assertFalse(EventType.isValidName(null));
  }

  @Test
  void requireValidName_null_missingRequiredField() {
    WebhookValidationException e =
        assertThrows(WebhookValidationException.class, () -> EventType.requireValidName(null));
    assertEquals(ErrorCode.MISSING_REQUIRED_FIELD, e.code());
    assertEquals(Optional.of("type"), e.field());
  }

  @Test
  void requireValidName_shortPrintable_quotedWithReason() {
    WebhookValidationException e =
        assertThrows(WebhookValidationException.class, () -> EventType.requireValidName("A.b"));
    assertTrue(e.getMessage().contains("\"A.b\""), e.getMessage());
    assertTrue(e.getMessage().contains("uppercase"), e.getMessage());

    e = assertThrows(WebhookValidationException.class, () -> EventType.requireValidName("a..b"));
    assertTrue(e.getMessage().contains("empty segment at index 2"), e.getMessage());
  }

  @Test
  void requireValidName_longInput_notEchoedInFull() {
    String name = "x".repeat(10_000);
    WebhookValidationException e =
        assertThrows(WebhookValidationException.class, () -> EventType.requireValidName(name));
    assertTrue(e.getMessage().length() < 300, e.getMessage());
    assertTrue(e.getMessage().contains("10000 characters"), e.getMessage());
  }

  @Test
  void requireValidName_controlCharacters_escapedNotEchoed() {
    String name = "a\u001b[31mred\r\nInjected: yes";
    WebhookValidationException e =
        assertThrows(WebhookValidationException.class, () -> EventType.requireValidName(name));
    String message = e.getMessage();
    for (char c : message.toCharArray()) {
      assertTrue(c >= 0x20 && c != 0x7f, () -> "control character in: " + message);
    }
    assertTrue(message.contains("\\u001b"), message);
    assertTrue(message.contains("U+001B at index 1"), message);
  }
}
