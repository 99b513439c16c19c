package dev.webhooks.sender.internal;

import static java.util.Objects.requireNonNull;

import dev.webhooks.core.WebhookValidationException;
import dev.webhooks.core.url.UrlPolicy;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.List;
import okhttp3.Dns;

/**
 * An OkHttp {@link Dns} that checks every address its delegate resolves against a {@link
 * UrlPolicy}, at connect time: a name that was public when the webhook was created and now
 * resolves to a private address (DNS rebinding) is refused before any connection is made. If any
 * one address is not allowed the whole lookup fails, so that OkHttp cannot fall back to it.
 * Immutable and thread-safe, if the delegate is; called by OkHttp on the calling thread before each
 * new connection.
 *
 * <pre>{@code
 * OkHttpClient client = new OkHttpClient.Builder()
 *     .dns(new PolicyDns(UrlPolicy.strict(), Dns.SYSTEM))
 *     .proxy(Proxy.NO_PROXY)   // a proxy would resolve names itself, past this check
 *     .build();
 * }</pre>
 *
 * <p>IP-literal hosts never reach a {@link Dns}: check those with {@link UrlPolicy#check(String)}.
 */
public final class PolicyDns implements Dns {
  private final UrlPolicy policy;
  private final Dns delegate;

  /**
   * @param policy decides which addresses are allowed
   * @param delegate resolves names, such as {@link Dns#SYSTEM}
   * @throws NullPointerException if an argument is null
   */
  public PolicyDns(UrlPolicy policy, Dns delegate) {
    this.policy = requireNonNull(policy, "policy == null");
    this.delegate = requireNonNull(delegate, "delegate == null");
  }

  /**
   * The delegate's addresses for {@code hostname}, when every one of them is allowed.
   *
   * @throws UnknownHostException when the name does not resolve, resolves to nothing, or any of
   *     its addresses is refused; in the last case with the policy's message, such as
   *     {@code "host x resolves to a non-public address (private)"}
   */
  @Override
  public List<InetAddress> lookup(String hostname) throws UnknownHostException {
    requireNonNull(hostname, "hostname == null");
    List<InetAddress> addresses = delegate.lookup(hostname);
    if (addresses == null || addresses.isEmpty()) {
      throw new UnknownHostException("host " + hostname + " resolves to no address");
    }
    for (InetAddress address : addresses) {
      if (address == null) {
        throw new UnknownHostException("host " + hostname + " resolves to a null address");
      }
      try {
        policy.checkAddress(hostname, address);
      } catch (WebhookValidationException e) {
        throw new RefusedByPolicy(e);
      }
    }
    return List.copyOf(addresses);
  }

  @Override
  public String toString() {
    return "PolicyDns[" + delegate + "]";
  }

  /** A lookup refused because an address is not allowed; the message is the policy's. */
  static final class RefusedByPolicy extends UnknownHostException {
    private static final long serialVersionUID = 1L;

    RefusedByPolicy(WebhookValidationException cause) {
      super(cause.getMessage());
      initCause(cause);
    }
  }
}
