package dev.webhooks.core.url;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.webhooks.core.ErrorCode;
import dev.webhooks.core.WebhookValidationException;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

/**
 * Server-side request forgery, table-driven: URLs as a customer might register them, and addresses
 * as DNS might answer them, each refused or allowed as expected. Every refusal is {@code
 * invalid_url} on the field {@code url}, and never repeats a credential or token written in the URL.
 * The figures are printed at the end.
 */
class SsrfAbuseTableTest {
  static final AtomicInteger TRIED = new AtomicInteger();
  static final AtomicInteger REFUSED = new AtomicInteger();
  static final AtomicInteger ALLOWED = new AtomicInteger();

  /** A token the tables write into user info, paths and queries: no message may repeat it. */
  static final String TOKEN = "s3cr3t-t0ken";

  /**
   * URLs under {@link UrlPolicy#strict()}: {@code ALLOW}, or {@code REFUSE} with a fragment of the
   * message (the category of an address, or the rule).
   */
  static final String STRICT_URLS = """
      # --- IPv4 literals in the ranges a webhook must never reach
      REFUSE | https://127.0.0.1/                                 | loopback
      REFUSE | https://127.1.2.3:8443/x                           | loopback
      REFUSE | https://127.255.255.254/                           | loopback
      REFUSE | https://10.0.0.1/                                  | private
      REFUSE | https://10.255.255.255/                            | private
      REFUSE | https://172.16.0.1/                                | private
      REFUSE | https://172.31.255.255/                            | private
      REFUSE | https://192.168.1.1/                               | private
      REFUSE | https://169.254.169.254/latest/meta-data/          | link-local
      REFUSE | https://169.254.0.1/                               | link-local
      REFUSE | https://100.64.0.1/                                | CGNAT
      REFUSE | https://100.127.255.255/                           | CGNAT
      REFUSE | https://0.0.0.0/                                   | unspecified
      REFUSE | https://0.1.2.3/                                   | unspecified
      REFUSE | https://224.0.0.1/                                 | multicast
      REFUSE | https://239.255.255.250/                           | multicast
      REFUSE | https://255.255.255.255/                           | broadcast
      REFUSE | https://240.0.0.1/                                 | reserved
      REFUSE | https://192.0.2.1/                                 | documentation
      REFUSE | https://198.51.100.7/                              | documentation
      REFUSE | https://203.0.113.9/                               | documentation
      REFUSE | https://198.18.0.1/                                | benchmarking
      REFUSE | https://198.19.255.255/                            | benchmarking
      REFUSE | https://192.0.0.170/                               | IETF
      REFUSE | https://192.88.99.1/                               | 6to4 relay
      REFUSE | https://169.254.169.254./                          | link-local
      REFUSE | https://127.0.0.1:443/?token=s3cr3t-t0ken          | loopback
      # --- IPv6 literals
      REFUSE | https://[::1]/                                     | loopback
      REFUSE | https://[0:0:0:0:0:0:0:1]/                         | loopback
      REFUSE | https://[::]/                                      | unspecified
      REFUSE | https://[::ffff:127.0.0.1]/                        | IPv4-mapped
      REFUSE | https://[::ffff:7f00:1]/                           | IPv4-mapped
      REFUSE | https://[::ffff:169.254.169.254]/                  | IPv4-mapped
      REFUSE | https://[::ffff:8.8.8.8]/                          | IPv4-mapped
      REFUSE | https://[::FFFF:10.0.0.1]/                         | IPv4-mapped
      REFUSE | https://[::127.0.0.1]/                             | IPv4-compatible
      REFUSE | https://[64:ff9b::a9fe:a9fe]/                      | NAT64
      REFUSE | https://[64:ff9b::127.0.0.1]/                      | NAT64
      REFUSE | https://[64:ff9b::8.8.8.8]/                        | NAT64
      REFUSE | https://[64:ff9b:1::a00:1]/                        | NAT64
      REFUSE | https://[fc00::1]/                                 | unique-local
      REFUSE | https://[fd12:3456:789a::1]/                       | unique-local
      REFUSE | https://[fe80::1]/                                 | link-local
      REFUSE | https://[fe80::1%25eth0]/                          |
      REFUSE | https://[fec0::1]/                                 | site-local
      REFUSE | https://[ff02::1]/                                 | multicast
      REFUSE | https://[2001:db8::1]/                             | documentation
      REFUSE | https://[3fff::1]/                                 | documentation
      REFUSE | https://[2002:7f00:1::]/                           | 6to4
      REFUSE | https://[2002:a9fe:a9fe::1]/                       | 6to4
      REFUSE | https://[2001:0:4136:e378:8000:63bf:3fff:fdd2]/    | Teredo
      REFUSE | https://[2001:2::1]/                               | benchmarking
      REFUSE | https://[2001:10::1]/                              | ORCHID
      REFUSE | https://[100::1]/                                  | discard
      REFUSE | https://[::ffff:0:a00:1]/                          | not global unicast
      REFUSE | https://[5f00::1]/                                 | not global unicast
      REFUSE | https://[::1]:8080/                                | loopback
      REFUSE | https://[::1/                                      |
      REFUSE | https://[127.0.0.1]/                               |
      REFUSE | https://[::1::1]/                                  |
      # --- IPv4 written in other spellings (a browser or a lenient client reads them as addresses)
      REFUSE | https://2130706433/                                | non-canonical IPv4
      REFUSE | https://0x7f000001/                                | non-canonical IPv4
      REFUSE | https://0x7f.1/                                    | non-canonical IPv4
      REFUSE | https://127.1/                                     | non-canonical IPv4
      REFUSE | https://127.0.1/                                   | non-canonical IPv4
      REFUSE | https://0177.0.0.1/                                | non-canonical IPv4
      REFUSE | https://017700000001/                              | non-canonical IPv4
      REFUSE | https://127.0.0.01/                                | non-canonical IPv4
      REFUSE | https://0x7f.0x0.0x0.0x1/                          | non-canonical IPv4
      REFUSE | https://0X7F.0.0.1/                                | non-canonical IPv4
      REFUSE | https://10.1/                                      | non-canonical IPv4
      REFUSE | https://3232235521/                                | non-canonical IPv4
      REFUSE | https://2852039166/                                | non-canonical IPv4
      REFUSE | https://0xa9fea9fe/                                | non-canonical IPv4
      REFUSE | https://0/                                         | non-canonical IPv4
      REFUSE | https://8.8.8.08/                                  | non-canonical IPv4
      REFUSE | https://256.0.0.1/                                 | non-canonical IPv4
      REFUSE | https://1.2.3.4.5/                                 | non-canonical IPv4
      REFUSE | https://example.com.127.0.0.1/                     | non-canonical IPv4
      # --- names that are, or resolve to, internal addresses
      REFUSE | https://localhost/                                 | loopback name
      REFUSE | https://LOCALHOST:8443/                            | loopback name
      REFUSE | https://localhost./                                | loopback name
      REFUSE | https://foo.localhost/                             | loopback name
      REFUSE | https://127.0.0.1.nip.io/                          | wildcard DNS
      REFUSE | https://10-0-0-1.nip.io/                           | wildcard DNS
      REFUSE | https://10.0.0.1.sslip.io/                         | wildcard DNS
      REFUSE | https://app.xip.io/                                | wildcard DNS
      REFUSE | https://localtest.me/                              | resolves to loopback
      REFUSE | https://app.localtest.me/                          | resolves to loopback
      REFUSE | https://metadata/                                  | single-label
      REFUSE | https://intranet/hook                              | single-label
      REFUSE | https://metadata.google.internal/                  | internal
      REFUSE | https://printer.local/                             | mDNS
      REFUSE | https://router.lan/                                | local
      REFUSE | https://host.localdomain/                          | local
      REFUSE | https://nas.home.arpa/                             | home-network
      REFUSE | https://1.0.0.127.in-addr.arpa/                    | reverse-DNS
      REFUSE | https://abcdefghijklmnop.onion/                    | onion
      REFUSE | https://hooks.test/                                | testing
      REFUSE | https://hooks.invalid/                             | invalid
      REFUSE | https://hooks.example/                             | documentation
      REFUSE | https://under_score.example.com/                   | underscore
      REFUSE | https://-lead.example.com/                         | hyphen
      REFUSE | https://trail-.example.com/                        | hyphen
      REFUSE | https://xn--localhost-.com/                        | hyphen
      # --- user info, fragments, backslashes: the tricks that split parsers
      REFUSE | https://user@example.com/                          | user info
      REFUSE | https://user:s3cr3t-t0ken@example.com/             | user info
      REFUSE | https://example.com@127.0.0.1/                     | user info
      REFUSE | https://127.0.0.1@example.com/                     | user info
      REFUSE | https://example.com%40127.0.0.1/                   |
      REFUSE | https://127.0.0.1%2f@example.com/                  | user info
      REFUSE | https://@example.com/                              | user info
      REFUSE | https://evil.example.com#@example.com/             | fragment
      REFUSE | https://example.com/#s3cr3t-t0ken                  | fragment
      REFUSE | https://example.com\\@127.0.0.1/                   | backslash
      REFUSE | https:\\\\127.0.0.1/                               | backslash
      REFUSE | https://example.com%00.127.0.0.1/                  |
      REFUSE | https://example.com%2e/                            |
      # --- schemes
      REFUSE | http://example.com/                                | must use https
      REFUSE | HTTP://example.com/                                | must use https
      REFUSE | ftp://example.com/                                 | scheme ftp
      REFUSE | file:///etc/passwd                                 | scheme file
      REFUSE | gopher://127.0.0.1:6379/_INFO                      | scheme gopher
      REFUSE | dict://127.0.0.1:11211/stat                        | scheme dict
      REFUSE | ldap://example.com/                                | scheme ldap
      REFUSE | jar:https://example.com!/x                         | scheme jar
      REFUSE | ws://example.com/                                  | scheme ws
      REFUSE | wss://example.com/                                 | scheme wss
      REFUSE | javascript:alert(1)                                | scheme javascript
      REFUSE | data:text/plain,x                                  | scheme data
      REFUSE | //example.com/x                                    | absolute
      REFUSE | example.com/x                                      | absolute
      REFUSE | https:example.com                                  | hierarchical
      REFUSE | https:/example.com/                                | host
      REFUSE | https:///example.com                               | host
      REFUSE | https://                                           |
      # --- ports
      REFUSE | https://example.com:0/                             | port
      REFUSE | https://example.com:65536/                         | port
      REFUSE | https://example.com:-1/                            | port
      REFUSE | https://example.com:99999999999/                   | port
      REFUSE | https://example.com:/                              | port
      REFUSE | https://example.com:443:443/                       |
      REFUSE | https://example.com:0x1bb/                         | port
      # --- international names, look-alike dots, trailing dots, lengths
      REFUSE | https://exämple.com/                               | xn--
      REFUSE | https://ⓛⓞⓒⓐⓛⓗⓞⓢⓣ/                                  | xn--
      REFUSE | https://ｌｏｃａｌｈｏｓｔ/                             | xn--
      REFUSE | https://127。0。0。1/                                | xn--
      REFUSE | https://example.com../                             | empty label
      REFUSE | https://./                                         |
      REFUSE | https://a..example.com/                            | empty label
      # --- allowed: public names and addresses, and what only looks suspicious
      ALLOW  | https://example.com/hook                           |
      ALLOW  | https://hooks.example.co.uk/a?b=c                  |
      ALLOW  | https://EXAMPLE.COM/Hook                           |
      ALLOW  | https://example.com./                              |
      ALLOW  | https://example.com:443/                           |
      ALLOW  | https://example.com:8443/in                        |
      ALLOW  | https://example.com:1/                             |
      ALLOW  | https://example.com:65535/                         |
      ALLOW  | https://8.8.8.8/                                   |
      ALLOW  | https://1.1.1.1:8443/x                             |
      ALLOW  | https://8.8.8.8./                                  |
      ALLOW  | https://172.32.0.1/                                |
      ALLOW  | https://172.15.255.255/                            |
      ALLOW  | https://100.128.0.1/                               |
      ALLOW  | https://100.63.255.255/                            |
      ALLOW  | https://169.255.0.1/                               |
      ALLOW  | https://198.51.99.255/                             |
      ALLOW  | https://192.0.3.1/                                 |
      ALLOW  | https://223.255.255.255/                           |
      ALLOW  | https://[2606:4700::1111]/                         |
      ALLOW  | https://[2606:4700:4700::1111]:443/                |
      ALLOW  | https://[2001:4860:4860::8888]/                    |
      ALLOW  | https://[2003::1]/                                 |
      ALLOW  | https://xn--exmple-cua.com/                        |
      ALLOW  | https://0x7f.example.com/                          |
      ALLOW  | https://127.0.0.1.example.com/                     |
      ALLOW  | https://localhost.example.com/                     |
      ALLOW  | https://a-b.example.com/                           |
      ALLOW  | https://example.com/path/../../etc/passwd          |
      ALLOW  | https://example.com/?url=http://127.0.0.1/         |
      ALLOW  | https://example.com/@127.0.0.1                     |
      ALLOW  | https://example.com/%0d%0aX-Injected:%20y          |
      ALLOW  | https://example.com/in?token=s3cr3t-t0ken          |
      """;

  /** A local-development policy: http, the name localhost and 127.0.0.0/8 allowed, nothing else. */
  static final UrlPolicy LOCAL_DEV = UrlPolicy.builder()
      .allowHttp(true).allowHost("localhost").allowCidr("127.0.0.0/8").build();

  static final String LOCAL_DEV_URLS = """
      ALLOW  | http://localhost:8080/in                           |
      ALLOW  | http://127.0.0.1:8080/in                           |
      ALLOW  | https://127.9.9.9/                                 |
      ALLOW  | http://example.com/                                |
      REFUSE | http://[::1]:8080/                                 | loopback
      REFUSE | http://[::ffff:127.0.0.1]/                         | IPv4-mapped
      REFUSE | http://10.0.0.1/                                   | private
      REFUSE | http://169.254.169.254/                            | link-local
      REFUSE | http://0.0.0.0:8080/                               | unspecified
      REFUSE | http://2130706433/                                 | non-canonical IPv4
      REFUSE | http://foo.localhost/                              | loopback name
      REFUSE | ftp://localhost/                                   | scheme ftp
      """;

  record Row(boolean allow, String url, String fragment) {}

  static List<Row> rows(String table) {
    List<Row> out = new ArrayList<>();
    for (String line : table.split("\n")) {
      String l = line.strip();
      if (l.isEmpty() || l.startsWith("#")) {
        continue;
      }
      String[] cells = l.split("\\|", -1);
      out.add(new Row(cells[0].strip().equals("ALLOW"), cells[1].strip(), cells[2].strip()));
    }
    return out;
  }

  @AfterAll
  static void printFigures() {
    System.out.println("ssrf-table (core): " + TRIED.get() + " URLs and addresses tried, " + REFUSED.get()
        + " refused as expected, " + ALLOWED.get() + " allowed as expected");
  }

  @Test
  void strictPolicy_urls() {
    assertTable(UrlPolicy.strict(), rows(STRICT_URLS));
  }

  @Test
  void localDevelopmentPolicy_urls() {
    assertTable(LOCAL_DEV, rows(LOCAL_DEV_URLS));
  }

  /** URLs that a text table cannot hold: control characters, and lengths at and past the limits. */
  @Test
  void strictPolicy_controlCharactersAndLengths() {
    String label63 = "a".repeat(63);
    String pathTo2048 = "https://example.com/" + "p".repeat(2048 - "https://example.com/".length());
    List<Row> rows = List.of(
        new Row(false, "https://example.com/\r\nX-Injected: y", "whitespace"),
        new Row(false, "https://example.com/\nHost: 127.0.0.1", "whitespace"),
        new Row(false, "https://exa\tmple.com/", "whitespace"),
        new Row(false, " https://example.com/", "whitespace"),
        new Row(false, "https://example.com/\u0000", "control"),
        new Row(false, "https://127.0.0.1\u0000.example.com/", "control"),
        new Row(false, "https://example.com\u2028/", "whitespace"),
        new Row(false, "https://example.com/\u00a0", "whitespace"),
        new Row(false, "https://example.com/\u007f", "control"),
        new Row(false, "", "required"),
        new Row(false, null, "required"),
        new Row(true, "https://" + label63 + ".example.com/", ""),
        new Row(false, "https://" + label63 + "a.example.com/", "longer than 63"),
        new Row(false, "https://" + (label63 + ".").repeat(4) + "com/", "longer than 253"),
        new Row(true, pathTo2048, ""),
        new Row(false, pathTo2048 + "p", "longer than 2048"),
        new Row(false, "https://" + "1.".repeat(1100) + "1/", "longer than 2048"));
    assertTable(UrlPolicy.strict(), rows);
  }

  private static void assertTable(UrlPolicy policy, List<Row> rows) {
    List<String> wrong = new ArrayList<>();
    for (Row row : rows) {
      TRIED.incrementAndGet();
      try {
        policy.check(row.url());
        if (row.allow()) {
          ALLOWED.incrementAndGet();
        } else {
          wrong.add("allowed, expected refused: " + row.url());
        }
      } catch (WebhookValidationException e) {
        String problem = refusalProblem(e, row.fragment());
        if (row.allow()) {
          wrong.add("refused, expected allowed: " + row.url() + " (" + e.getMessage() + ")");
        } else if (problem != null) {
          wrong.add(row.url() + ": " + problem);
        } else {
          REFUSED.incrementAndGet();
        }
      } catch (RuntimeException e) {
        wrong.add(row.url() + ": " + e + " instead of a WebhookValidationException");
      }
    }
    assertEquals(List.of(), wrong);
  }

  /** Why a refusal is not the documented one, or null. */
  private static String refusalProblem(WebhookValidationException e, String fragment) {
    if (e.code() != ErrorCode.INVALID_URL || !e.field().orElse("").equals("url")) {
      return "code " + e.code() + ", field " + e.field() + ": " + e.getMessage();
    }
    if (e.getMessage().contains(TOKEN)) {
      return "the message repeats the token: " + e.getMessage();
    }
    if (!e.getMessage().toLowerCase(java.util.Locale.ROOT).contains(fragment.toLowerCase(java.util.Locale.ROOT))) {
      return "the message does not say " + fragment + ": " + e.getMessage();
    }
    return null;
  }

  // ---- addresses, as DNS answers them (connect time, and check time with a resolver)

  /** Addresses in hex bytes: 4 for IPv4, 16 for IPv6 (kept as an Inet6Address, IPv4-mapped ones too). */
  static final Map<String, Boolean> ADDRESSES = Map.ofEntries(
      Map.entry("7f000001", false), Map.entry("0a000001", false), Map.entry("ac100001", false),
      Map.entry("c0a80001", false), Map.entry("a9fea9fe", false), Map.entry("64400001", false),
      Map.entry("00000000", false), Map.entry("e0000001", false), Map.entry("ffffffff", false),
      Map.entry("f0000001", false), Map.entry("c0000201", false), Map.entry("c6120001", false),
      Map.entry("08080808", true), Map.entry("01010101", true), Map.entry("ac200001", true),
      Map.entry("64800001", true), Map.entry("a9ff0001", true), Map.entry("c0000301", true),
      Map.entry("00000000000000000000000000000001", false),
      Map.entry("00000000000000000000000000000000", false),
      Map.entry("00000000000000000000ffff7f000001", false),
      Map.entry("00000000000000000000ffff08080808", false),
      Map.entry("00000000000000000000ffffa9fea9fe", false),
      Map.entry("0000000000000000000000007f000001", false),
      Map.entry("0064ff9b0000000000000000a9fea9fe", false),
      Map.entry("0064ff9b000100000000000000000001", false),
      Map.entry("fc000000000000000000000000000001", false),
      Map.entry("fd000000000000000000000000000001", false),
      Map.entry("fe800000000000000000000000000001", false),
      Map.entry("fec00000000000000000000000000001", false),
      Map.entry("ff020000000000000000000000000001", false),
      Map.entry("20010db8000000000000000000000001", false),
      Map.entry("20027f00000100000000000000000000", false),
      Map.entry("20010000413600000000000000000001", false),
      Map.entry("01000000000000000000000000000001", false),
      Map.entry("5f000000000000000000000000000001", false),
      Map.entry("26064700000000000000000000001111", true),
      Map.entry("20014860486000000000000000008888", true),
      Map.entry("2a001450400100000000000000000001", true));

  static InetAddress address(String hex) throws UnknownHostException {
    byte[] bytes = HexFormat.of().parseHex(hex);
    return bytes.length == 4 ? InetAddress.getByAddress(bytes) : Inet6Address.getByAddress(null, bytes, null);
  }

  @Test
  void resolvedAddresses_isAllowedAndCheckAddressAgree() throws Exception {
    List<String> wrong = new ArrayList<>();
    for (Map.Entry<String, Boolean> e : ADDRESSES.entrySet()) {
      InetAddress a = address(e.getKey());
      TRIED.incrementAndGet();
      boolean allowed = UrlPolicy.strict().isAllowed(a);
      boolean checked;
      try {
        UrlPolicy.strict().checkAddress("hooks.example.com", a);
        checked = true;
      } catch (WebhookValidationException refused) {
        checked = false;
        assertTrue(refused.getMessage().startsWith("host hooks.example.com resolves to a non-public address ("),
            refused.getMessage());
      }
      if (allowed != e.getValue() || checked != e.getValue()) {
        wrong.add(a + ": isAllowed " + allowed + ", checkAddress " + checked + ", expected " + e.getValue());
      } else if (allowed) {
        ALLOWED.incrementAndGet();
      } else {
        REFUSED.incrementAndGet();
      }
    }
    assertEquals(List.of(), wrong);
  }

  /** A name that resolves, at check time, to these answers: one non-public address refuses it all. */
  @Test
  void checkWithAResolver_everyAnswerMustBePublic() throws Exception {
    List<String> wrong = new ArrayList<>();
    List<List<String>> answers = List.of(List.of("08080808"), List.of("08080808", "26064700000000000000000000001111"),
        List.of("08080808", "0a000001"), List.of("a9fea9fe"), List.of("00000000000000000000ffff7f000001"),
        List.of("26064700000000000000000000001111", "fe800000000000000000000000000001"), List.of("7f000001"),
        List.of(), List.of("00000000"));
    for (List<String> answer : answers) {
      List<InetAddress> addresses = new ArrayList<>();
      for (String hex : answer) {
        addresses.add(address(hex));
      }
      boolean expected = !answer.isEmpty() && answer.stream().allMatch(ADDRESSES::get);
      UrlPolicy policy = UrlPolicy.builder().resolver(host -> addresses).build();
      TRIED.incrementAndGet();
      try {
        policy.check("https://hooks.example.com/in?token=" + TOKEN);
        if (expected) {
          ALLOWED.incrementAndGet();
        } else {
          wrong.add(answer + " allowed");
        }
      } catch (WebhookValidationException e) {
        if (expected) {
          wrong.add(answer + " refused: " + e.getMessage());
        } else if (e.getMessage().contains(TOKEN)) {
          wrong.add(answer + ": the message repeats the token");
        } else {
          REFUSED.incrementAndGet();
        }
      }
    }
    TRIED.incrementAndGet();
    try {
      UrlPolicy.builder().resolver(host -> {
        throw new UnknownHostException(host);
      }).build().check("https://nx.example.com/");
      wrong.add("an unknown host allowed");
    } catch (WebhookValidationException e) {
      REFUSED.incrementAndGet();
    }
    assertEquals(List.of(), wrong);
  }
}
