package dev.webhooks.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The demo's serve mode, as the README's curl session uses it: the burst runs, then the
 * management API answers on a free loopback port with the printed keys until the demo is stopped.
 */
class DemoServeTest {
  static final ObjectMapper JSON = new ObjectMapper();
  final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

  record Answer(int status, JsonNode json) {}

  Answer call(URI base, String key, String method, String path, String body) throws Exception {
    HttpRequest.Builder r = HttpRequest.newBuilder(base.resolve(path)).timeout(Duration.ofSeconds(10))
        .header("Authorization", "Bearer " + key);
    if (body == null) {
      r.method(method, HttpRequest.BodyPublishers.noBody());
    } else {
      r.header("Content-Type", "application/json").method(method, HttpRequest.BodyPublishers.ofString(body));
    }
    HttpResponse<String> response = http.send(r.build(), HttpResponse.BodyHandlers.ofString());
    return new Answer(response.statusCode(), response.body().isEmpty() ? null : JSON.readTree(response.body()));
  }

  @Test
  void serveMode_answersTheReadmesRequests_untilStopped() throws Exception {
    ByteArrayOutputStream buffer = new ByteArrayOutputStream();
    Demo demo = new Demo(new PrintStream(buffer, true, StandardCharsets.UTF_8), new Demo.Options(true, "127.0.0.1", 0));
    ExecutorService runner = Executors.newSingleThreadExecutor();
    Future<DemoResult> run = runner.submit(demo::run);
    try {
      URI base = demo.serving().get(60, TimeUnit.SECONDS);
      String output = buffer.toString(StandardCharsets.UTF_8);
      assertTrue(output.contains("Management REST API on " + base), output);
      assertTrue(output.contains("demo_acme_rw"), output);
      assertTrue(output.contains("curl -s " + base + "/webhooks -H 'Authorization: Bearer demo_acme_rw'"), output);

      // curl -s http://127.0.0.1:8080/webhooks -H 'Authorization: Bearer demo_acme_rw'
      Answer list = call(base, "demo_acme_rw", "GET", "/webhooks", null);
      assertEquals(200, list.status(), String.valueOf(list.json()));
      assertEquals(2, list.json().get("data").size(), "acme's two subscriptions");
      JsonNode acme = list.json().get("data").get(0);
      assertEquals("*", acme.get("events").get(0).asText());
      assertFalse(acme.has("secret"));
      String id = acme.get("id").asText();

      // The test event is delivered for real to the healthy receiver, which verifies it.
      Answer test = call(base, "demo_acme_rw", "POST", "/webhooks/" + id + "/test", "{\"event\": \"credits.exhausted\"}");
      assertEquals(202, test.status(), String.valueOf(test.json()));
      assertTrue(test.json().get("test").asBoolean());
      Answer deliveries = call(base, "demo_acme_ro", "GET", "/webhooks/" + id + "/deliveries?event=credits.exhausted", null);
      assertEquals(200, deliveries.status());
      assertEquals(test.json().get("event_id").asText(), deliveries.json().at("/data/0/event_id").asText());

      Answer create = call(base, "demo_acme_rw", "POST", "/webhooks",
          "{\"url\": \"http://127.0.0.1:1/inbox/x\", \"events\": [\"lookup.completed\"]}");
      assertEquals(201, create.status(), String.valueOf(create.json()));
      assertTrue(create.json().get("secret").asText().startsWith("whsec_"));

      Answer otherTenant = call(base, "demo_globex_rw", "GET", "/webhooks/" + id, null);
      assertEquals(404, otherTenant.status());
      assertEquals("not_found", otherTenant.json().at("/error/code").asText());
      Answer readOnly = call(base, "demo_acme_ro", "DELETE", "/webhooks/" + id, null);
      assertEquals(403, readOnly.status());
      assertEquals("insufficient_permissions", readOnly.json().at("/error/code").asText());

      HttpResponse<String> document = http.send(HttpRequest.newBuilder(base.resolve("/openapi.json")).build(),
          HttpResponse.BodyHandlers.ofString());
      assertEquals(200, document.statusCode());
      assertTrue(JSON.readTree(document.body()).get("paths").has("/webhooks/{id}/test"));
    } finally {
      demo.stop();
      runner.shutdown();
    }
    DemoResult result = run.get(60, TimeUnit.SECONDS);
    assertTrue(result.success(), buffer.toString(StandardCharsets.UTF_8));
    assertTrue(buffer.toString(StandardCharsets.UTF_8).contains("Stopping: the API"));
    assertTrue(runner.awaitTermination(10, TimeUnit.SECONDS));
  }

  @Test
  void options_parseTheCommandLine() {
    assertEquals(Demo.Options.ONCE, Demo.Options.parse());
    assertEquals(new Demo.Options(true, "127.0.0.1", 8080), Demo.Options.parse("--serve"));
    assertEquals(new Demo.Options(true, "127.0.0.1", 9090), Demo.Options.parse("--serve", "--port", "9090"));
    assertThrows(IllegalArgumentException.class, () -> Demo.Options.parse("--port", "9090"));
    assertThrows(IllegalArgumentException.class, () -> Demo.Options.parse("--serve", "--port"));
    assertThrows(IllegalArgumentException.class, () -> Demo.Options.parse("--serve", "--port", "http"));
    assertThrows(IllegalArgumentException.class, () -> Demo.Options.parse("--serve", "--port", "70000"));
    assertThrows(IllegalArgumentException.class, () -> Demo.Options.parse("--verbose"));
  }
}
