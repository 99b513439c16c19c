package dev.webhooks.sender.store.jdbc;

import static java.nio.charset.StandardCharsets.UTF_8;

import dev.webhooks.sender.WebhookSender;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.util.Map;

/**
 * One sender node in a JVM of its own, for {@link MultiNodeDeliveryTest}: a started sender on a
 * PostgreSQL store with notifications, which publishes its share of the events and delivers until
 * a {@code stop} line (or the end of stdin), then closes gracefully.
 *
 * <p>Arguments: JDBC URL, events, nodes, this node's index, tenants. It publishes event {@code n}
 * (to tenant {@link SenderNodes#tenant}) for every {@code n < events} with {@code n % nodes ==
 * index}. Prints {@code started}, then {@code published=<count>}, and at exit {@code
 * delivered=<n> attempts=<n>} as its listener counted them; exit code 0, or 1 on any error.
 */
public final class SenderNodeMain {
  private SenderNodeMain() {}

  public static void main(String[] args) {
    try {
      run(args[0], Integer.parseInt(args[1]), Integer.parseInt(args[2]), Integer.parseInt(args[3]),
          Integer.parseInt(args[4]));
    } catch (Throwable e) {
      e.printStackTrace(System.out);
      System.out.flush();
      System.exit(1);
    }
    System.exit(0);
  }

  private static void run(String url, int events, int nodes, int index, int tenants) throws IOException {
    SenderNodes.Counts counts = new SenderNodes.Counts();
    try (PooledTestDataSource pool = new PooledTestDataSource(url, SenderNodes.POOL_SIZE);
        JdbcWebhookStore store = JdbcWebhookStore.builder(pool).listenForNotifications(true).build()) {
      WebhookSender sender = SenderNodes.sender(store).listener(counts).build().start();
      System.out.println("started");
      System.out.println("published=" + publishShare(sender, events, nodes, index, tenants));
      BufferedReader stdin = new BufferedReader(new InputStreamReader(System.in, UTF_8));
      for (String line = stdin.readLine(); line != null && !line.equals("stop"); line = stdin.readLine()) {
        System.out.println("ignored command: " + line);
      }
      sender.close();
      System.out.println(counts);
    }
  }

  /** Publishes the events {@code n < events} with {@code n % nodes == index}; how many. */
  static int publishShare(WebhookSender sender, int events, int nodes, int index, int tenants) {
    int published = 0;
    for (int n = index; n < events; n += nodes) {
      sender.publish(SenderNodes.tenant(n, tenants), SenderNodes.TYPE, Map.of("n", n));
      published++;
    }
    return published;
  }
}
