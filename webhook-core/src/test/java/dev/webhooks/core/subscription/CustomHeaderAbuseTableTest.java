package dev.webhooks.core.subscription;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.webhooks.core.ErrorCode;
import dev.webhooks.core.WebhookValidationException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * Custom headers a customer may attach to their endpoint, table-driven: header injection (CR, LF
 * and other control characters in names or values), names that are not HTTP tokens, and the names
 * the HTTP layer or a signature scheme owns, in any case. Each refused is {@code invalid_headers}
 * on its field, and the message never repeats the value; the ordinary application headers pass.
 */
class CustomHeaderAbuseTableTest {
  static final String SECRET_VALUE = "Bearer s3cr3t-h3ader";
  static final SubscriptionValidator VALIDATOR =
      new SubscriptionValidator(Fixtures.CATALOG, dev.webhooks.core.url.UrlPolicy.strict(), Set.of("X-Acme-Signature"));

  record Row(boolean allow, String name, String value) {}

  static List<Row> rows() {
    List<Row> rows = new ArrayList<>();
    // Injection through the value.
    for (String value : List.of("a\r\nX-Injected: 1", "a\nX-Injected: 1", "a\rb", "\r\n", "a\u0000b", "a\u007fb",
        "a\u0085b", "a\u2028b", "a\u000bb", "a\u000cb", "caf\u00e9", "\u00ff", "a\u001bb", SECRET_VALUE + "\r\n")) {
      rows.add(new Row(false, "X-Custom", value));
    }
    // Names that are not tokens.
    for (String name : List.of("X-A\r\nX-Injected", "X-A\n", "X A", "X-A:", ":authority", "X-A\u0000", "X-\u00e9",
        "(X)", "X/A", "X[A]", "X\"A\"", "X@A", "X=A", "X{A}", "X,A", "X;A", "X?A", "X\\A", "", " ", "\t",
        "X".repeat(65))) {
      rows.add(new Row(false, name, "v"));
    }
    // Names the HTTP layer or a signature scheme sets itself, in any case.
    for (String name : List.of("Host", "host", "HOST", "Content-Length", "content-type", "Content-Encoding",
        "Transfer-Encoding", "Connection", "Keep-Alive", "Upgrade", "TE", "Trailer", "Expect", "User-Agent",
        "Proxy-Authorization", "Proxy-Connection", "Proxy-Anything", "webhook-id", "Webhook-Timestamp",
        "WEBHOOK-SIGNATURE", "webhook-anything", "svix-id", "Svix-Signature", "X-Signature", "Stripe-Signature",
        "x-hub-signature", "X-Hub-Signature-256", "x-acme-signature")) {
      rows.add(new Row(false, name, "v"));
    }
    // What applications do send.
    for (String name : List.of("Authorization", "X-Api-Key", "X-Tenant", "X-Request-Source", "Accept", "Cookie",
        "X-Webhook-Env", "My_Header", "x!#$%&'*+-.^_`|~1", "X".repeat(64))) {
      rows.add(new Row(true, name, "v"));
    }
    rows.add(new Row(true, "Authorization", SECRET_VALUE));
    rows.add(new Row(true, "X-Tabbed", "a\tb"));
    rows.add(new Row(true, "X-Empty", ""));
    rows.add(new Row(true, "X-Printable", " !\"#$%&'()*+,-./0123456789:;<=>?@[\\]^_`{|}~ "));
    rows.add(new Row(true, "X-Long", "v".repeat(SubscriptionValidator.MAX_HEADER_VALUE)));
    rows.add(new Row(false, "X-Long", "v".repeat(SubscriptionValidator.MAX_HEADER_VALUE + 1)));
    return rows;
  }

  @Test
  void customHeaders_refusedOrAllowedAsExpected() {
    int refused = 0;
    int allowed = 0;
    List<String> wrong = new ArrayList<>();
    List<Row> rows = rows();
    for (Row row : rows) {
      Map<String, String> headers = new LinkedHashMap<>();
      headers.put(row.name(), row.value());
      try {
        VALIDATOR.validate(Fixtures.spec().headers(headers).build());
        if (row.allow()) {
          allowed++;
        } else {
          wrong.add("allowed: " + describe(row));
        }
      } catch (WebhookValidationException e) {
        String field = e.field().orElse("");
        boolean documented = e.code() == ErrorCode.INVALID_HEADERS
            && (field.equals("headers") || field.equals("headers." + row.name()));
        String value = row.value().strip();
        boolean quiet = value.length() < 2 || value.equals("v") || !e.getMessage().contains(value);
        if (row.allow()) {
          wrong.add("refused: " + describe(row) + ": " + e.getMessage());
        } else if (!documented || !quiet || e.getMessage().contains("s3cr3t")) {
          wrong.add(describe(row) + ": " + e.code() + " " + field + " " + e.getMessage());
        } else {
          refused++;
        }
      }
    }
    // Several headers at once: one bad one refuses the lot, and twice the same name in another case too.
    Map<String, String> twice = new LinkedHashMap<>();
    twice.put("X-Api-Key", "a");
    twice.put("x-api-key", "b");
    Map<String, String> tooMany = new LinkedHashMap<>();
    for (int i = 0; i <= SubscriptionValidator.MAX_HEADERS; i++) {
      tooMany.put("X-H" + i, "v");
    }
    Map<String, String> oneBad = new LinkedHashMap<>();
    oneBad.put("X-Fine", "ok");
    oneBad.put("X-Bad", "a\r\nHost: 127.0.0.1");
    for (Map<String, String> headers : List.of(twice, tooMany, oneBad)) {
      try {
        VALIDATOR.validate(Fixtures.spec().headers(headers).build());
        wrong.add("allowed: " + headers.keySet());
      } catch (WebhookValidationException e) {
        if (e.code() == ErrorCode.INVALID_HEADERS) {
          refused++;
        } else {
          wrong.add(headers.keySet() + ": " + e.code());
        }
      }
    }
    System.out.println("custom-headers (core): " + (rows.size() + 3) + " header sets tried, " + refused
        + " refused as expected, " + allowed + " allowed as expected");
    assertEquals(List.of(), wrong);
  }

  static String describe(Row row) {
    return "[" + escape(row.name()) + ": " + escape(row.value().length() > 40 ? row.value().substring(0, 40) + "…"
        : row.value()) + "]";
  }

  static String escape(String s) {
    StringBuilder out = new StringBuilder();
    for (char c : s.toCharArray()) {
      out.append(c < 0x20 || c > 0x7e ? String.format(Locale.ROOT, "\\u%04x", (int) c) : String.valueOf(c));
    }
    return out.toString();
  }
}
