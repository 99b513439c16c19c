package dev.webhooks.core.url;

import static dev.webhooks.core.url.UrlSyntax.invalid;
import static java.util.Objects.requireNonNull;

import dev.webhooks.core.ErrorCode;
import dev.webhooks.core.WebhookValidationException;
import java.net.InetAddress;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.UnknownHostException;
import java.util.Collections;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;

/**
 * Decides which URLs a webhook may be sent to, so that a customer cannot point a webhook at the
 * sender's own network (server-side request forgery). Immutable and thread-safe.
 *
 * <p>{@link #strict()} is the default and what production should use: HTTPS only; hosts that are
 * public DNS names or public IP addresses only; no allow-list; no DNS lookups while checking. It
 * refuses loopback, private, link-local (cloud metadata), CGNAT, unspecified, multicast, broadcast,
 * reserved and documentation ranges, the IPv6 forms that embed or tunnel to those (IPv4-mapped,
 * NAT64, 6to4, Teredo) and unique-local addresses, odd IPv4 spellings such as {@code 2130706433},
 * {@code 0x7f.1} or {@code 127.1}, single-label and special-use names ({@code localhost},
 * {@code *.internal}, {@code *.local}, …) and public wildcard names such as {@code *.nip.io}.
 *
 * <p>A name that passes {@link #check(String)} can still resolve to a private address, and can
 * resolve differently at send time (DNS rebinding). The sender therefore calls {@link
 * #checkAddress(String, InetAddress)} for every address its DNS lookup returns, just before it
 * connects.
 *
 * <pre>{@code
 * UrlPolicy policy = UrlPolicy.strict();
 * URI uri = policy.check("https://hooks.example.com/in");   // ok
 * policy.check("https://169.254.169.254/latest/meta-data"); // WebhookValidationException(INVALID_URL)
 *
 * // Local development only: let http://localhost:8080 in.
 * UrlPolicy dev = UrlPolicy.builder()
 *     .allowHttp(true)
 *     .allowHost("localhost")
 *     .allowCidr("127.0.0.0/8")
 *     .allowCidr("::1/128")
 *     .build();
 * }</pre>
 */
public final class UrlPolicy {
  static final int DEFAULT_MAX_LENGTH = 2048;
  private static final UrlPolicy STRICT = new Builder().build();

  private final boolean allowHttp;
  private final Set<String> allowedHosts;
  private final List<Cidr> allowedCidrs;
  private final int maxLength;
  private final Resolver resolver;

  private UrlPolicy(Builder builder) {
    this.allowHttp = builder.allowHttp;
    this.allowedHosts = Collections.unmodifiableSet(new LinkedHashSet<>(builder.allowedHosts));
    this.allowedCidrs = List.copyOf(builder.allowedCidrs);
    this.maxLength = builder.maxLength;
    this.resolver = builder.resolver;
  }

  /**
   * The production policy: HTTPS only, public addresses only, empty allow-list, URLs of at most
   * 2048 characters, and no DNS lookups in {@link #check(String)}.
   *
   * <pre>{@code
   * WebhookSender.builder().urlPolicy(UrlPolicy.strict());
   * }</pre>
   *
   * @return the shared strict policy
   */
  public static UrlPolicy strict() {
    return STRICT;
  }

  /**
   * A builder that starts from {@link #strict()}'s settings.
   *
   * <pre>{@code
   * UrlPolicy policy = UrlPolicy.builder().resolver(UrlPolicy.Resolver.SYSTEM).build();
   * }</pre>
   *
   * @return a new builder with the strict defaults
   */
  public static Builder builder() {
    return new Builder();
  }

  /**
   * A builder holding this policy's settings, to derive a variant.
   *
   * <pre>{@code
   * UrlPolicy withDns = policy.newBuilder().resolver(UrlPolicy.Resolver.SYSTEM).build();
   * }</pre>
   *
   * @return a new builder with this policy's settings; changing it leaves this policy unchanged
   */
  public Builder newBuilder() {
    return new Builder(this);
  }

  /**
   * Validates a webhook URL and returns it normalised: scheme and host in lower case, the host's
   * trailing dot removed; the port, path and query are kept as written.
   *
   * <p>The URL must be at most {@link Builder#maxLength(int) maxLength} printable ASCII characters
   * without backslashes (international names in their punycode {@code xn--} form), an absolute
   * {@code https} URL ({@code http} too when {@link Builder#allowHttp(boolean) allowed}) with a host,
   * an optional port 1..65535, no user info and no fragment. The host must be a public IP address
   * in canonical form ({@code 8.8.8.8}, {@code [2606:4700::1111]}) or a public DNS name of at least
   * two labels; {@link Builder#allowHost(String) allow-listed} names are exempt from the name rules.
   * When a {@link Builder#resolver(Resolver) resolver} is set, a name must resolve, and every one
   * of its addresses must be {@link #isAllowed(InetAddress) allowed}.
   *
   * <p>Messages name the rule and, once the URL has parsed, its host; never the user info, path or
   * query, which may hold tokens.
   *
   * <pre>{@code
   * URI uri = UrlPolicy.strict().check("HTTPS://Hooks.Example.com./in?x=1");
   * // https://hooks.example.com/in?x=1
   * }</pre>
   *
   * @param url the URL as the user gave it
   * @return the normalised URL
   * @throws WebhookValidationException with {@link ErrorCode#INVALID_URL} and field {@code "url"}
   *     when the URL is refused, including when it is {@code null} or blank
   */
  public URI check(String url) {
    UrlSyntax.Parsed parsed = UrlSyntax.parse(url, maxLength, allowHttp);
    String host = checkHost(parsed.host());
    URI uri = parsed.uri();
    StringBuilder normalised = new StringBuilder(url.length())
        .append(parsed.scheme()).append("://").append(host);
    if (parsed.port() != -1) {
      normalised.append(':').append(parsed.port());
    }
    normalised.append(uri.getRawPath());
    if (uri.getRawQuery() != null) {
      normalised.append('?').append(uri.getRawQuery());
    }
    URI result;
    try {
      result = new URI(normalised.toString());
    } catch (URISyntaxException e) {
      throw invalid("url is malformed: " + e.getReason());
    }
    if (result.getHost() == null) {
      // java.net.URI wants the last label of a name to start with a letter (so does every TLD).
      throw invalid("host " + host + " is not a valid host name");
    }
    if (resolver != null && !host.startsWith("[") && IpLiterals.parseCanonicalIpv4(host) == null) {
      checkResolved(host);
    }
    return result;
  }

  /**
   * Whether a webhook may be sent to this address: true when it lies in an {@link
   * Builder#allowCidr(String) allow-listed CIDR} (these win), else when it is public according to
   * the policy's range table. IPv4 and IPv6 are distinct: an {@code Inet6Address} holding an
   * IPv4-mapped address ({@code ::ffff:a.b.c.d}) is refused, whatever the IPv4 address.
   *
   * <pre>{@code
   * policy.isAllowed(InetAddress.getByAddress(new byte[] {8, 8, 8, 8}));    // true
   * policy.isAllowed(InetAddress.getByAddress(new byte[] {10, 0, 0, 1}));   // false
   * }</pre>
   *
   * @param address a resolved address, IPv4 or IPv6
   * @return whether a webhook may be sent to it
   * @throws NullPointerException if {@code address} is null
   */
  public boolean isAllowed(InetAddress address) {
    requireNonNull(address, "address == null");
    return refusal(address.getAddress()).isEmpty();
  }

  /**
   * The connect-time check: the sender calls it from its DNS resolver for every address that
   * {@code host} resolves to, so that a name that resolved to a public address when the webhook was
   * created cannot later point at a private one. It is fast and does no I/O.
   *
   * <pre>{@code
   * List<InetAddress> addresses = Dns.SYSTEM.lookup(host);
   * addresses.forEach(address -> policy.checkAddress(host, address));
   * }</pre>
   *
   * @param host the host name being resolved, for the message
   * @param address one of its addresses
   * @throws WebhookValidationException with {@link ErrorCode#INVALID_URL}, field {@code "url"} and
   *     the message {@code "host <host> resolves to a non-public address (<category>)"} when the
   *     address is not {@link #isAllowed(InetAddress) allowed}
   * @throws NullPointerException if an argument is null
   */
  public void checkAddress(String host, InetAddress address) {
    requireNonNull(host, "host == null");
    requireNonNull(address, "address == null");
    Optional<String> refusal = refusal(address.getAddress());
    if (refusal.isPresent()) {
      throw invalid("host " + host + " resolves to a non-public address (" + refusal.get() + ")");
    }
  }

  /**
   * Whether {@code http} URLs are accepted besides {@code https}; false unless {@link
   * Builder#allowHttp(boolean)} was set.
   *
   * <pre>{@code
   * if (!policy.allowsHttp()) { … }
   * }</pre>
   *
   * @return whether {@code http} URLs pass {@link #check(String)}
   */
  public boolean allowsHttp() {
    return allowHttp;
  }

  /**
   * Whether {@link #check(String)} looks host names up (a {@link Builder#resolver(Resolver)
   * resolver} is set; none by default). When false, {@code check} depends on the URL alone: the
   * same URL gets the same answer every time, so a caller may keep it.
   *
   * <pre>{@code
   * if (!policy.resolvesNames()) { cache.put(url, policy.check(url)); }
   * }</pre>
   *
   * @return whether {@code check} asks DNS
   */
  public boolean resolvesNames() {
    return resolver != null;
  }

  /** A summary of the settings, for logs. */
  @Override
  public String toString() {
    return "UrlPolicy{schemes=" + (allowHttp ? "[https, http]" : "[https]")
        + ", allowedHosts=" + allowedHosts
        + ", allowedCidrs=" + allowedCidrs
        + ", maxLength=" + maxLength
        + ", resolver=" + (resolver == null ? "none" : resolver == Resolver.SYSTEM ? "SYSTEM" : "custom")
        + "}";
  }

  private Optional<String> refusal(byte[] address) {
    for (Cidr cidr : allowedCidrs) {
      if (cidr.contains(address)) {
        return Optional.empty();
      }
    }
    return AddressRanges.refusal(address);
  }

  /** Applies the host rules to a lower-case host; returns it normalised. */
  private String checkHost(String host) {
    if (host.startsWith("[")) {
      String literal = host.substring(1, host.length() - 1);
      if (literal.indexOf('%') >= 0) {
        throw invalid("host " + host.substring(0, host.indexOf('%')) + "] has an IPv6 zone id "
            + "(%…), which is not allowed");
      }
      byte[] address;
      try {
        address = IpLiterals.parseIpv6(literal);
      } catch (IllegalArgumentException e) {
        throw invalid("host " + host + " is not a valid IPv6 address: " + e.getMessage());
      }
      checkLiteral(host, address);
      return host;
    }
    String name = host.endsWith(".") ? host.substring(0, host.length() - 1) : host;
    if (name.isEmpty()) {
      throw invalid("url must have a host");
    }
    if (allowedHosts.contains(name)) {
      return name;
    }
    byte[] ipv4 = IpLiterals.parseCanonicalIpv4(name);
    if (ipv4 != null) {
      checkLiteral(name, ipv4);
      return name;
    }
    if (IpLiterals.endsInNumber(name)) {
      throw invalid("host " + name + " is a non-canonical IPv4 literal; write an IPv4 address as "
          + "four decimal numbers 0-255 without leading zeros (a.b.c.d)");
    }
    Optional<String> problem = HostNames.syntaxProblem(name).or(() -> HostNames.specialUse(name));
    if (problem.isPresent()) {
      throw invalid(problem.get());
    }
    if (HostNames.isSingleLabel(name)) {
      throw invalid("host " + name + " is a single-label name; use a fully qualified domain name");
    }
    return name;
  }

  private void checkLiteral(String host, byte[] address) {
    Optional<String> refusal = refusal(address);
    if (refusal.isPresent()) {
      throw invalid("host " + host + " is a non-public address (" + refusal.get() + ")");
    }
  }

  private void checkResolved(String host) {
    List<InetAddress> addresses;
    try {
      addresses = resolver.resolve(host);
    } catch (UnknownHostException e) {
      WebhookValidationException refused = invalid("host " + host + " does not resolve (unknown host)");
      refused.initCause(e);
      throw refused;
    }
    if (addresses == null || addresses.isEmpty()) {
      throw invalid("host " + host + " does not resolve to any address");
    }
    for (InetAddress address : addresses) {
      checkAddress(host, requireNonNull(address, "resolver returned a null address"));
    }
  }

  /**
   * Builds a {@link UrlPolicy}. Each setter checks its argument at once. Not thread-safe; the
   * policies it builds are.
   *
   * <pre>{@code
   * UrlPolicy policy = UrlPolicy.builder()
   *     .allowHttp(true)              // default false
   *     .allowHost("localhost")       // default none
   *     .allowCidr("127.0.0.0/8")     // default none
   *     .maxLength(4096)              // default 2048
   *     .resolver(Resolver.SYSTEM)    // default null: no DNS in check()
   *     .build();
   * }</pre>
   */
  public static final class Builder {
    private boolean allowHttp;
    private final Set<String> allowedHosts = new LinkedHashSet<>();
    private final Set<Cidr> allowedCidrs = new LinkedHashSet<>();
    private int maxLength = DEFAULT_MAX_LENGTH;
    private Resolver resolver;

    private Builder() {}

    private Builder(UrlPolicy policy) {
      this.allowHttp = policy.allowHttp;
      this.allowedHosts.addAll(policy.allowedHosts);
      this.allowedCidrs.addAll(policy.allowedCidrs);
      this.maxLength = policy.maxLength;
      this.resolver = policy.resolver;
    }

    /**
     * Whether plain {@code http} URLs are accepted besides {@code https}. Default false; turn it on
     * for local development only.
     *
     * <pre>{@code
     * builder.allowHttp(true);
     * }</pre>
     *
     * @param allow whether {@code http} is accepted
     * @return this builder
     */
    public Builder allowHttp(boolean allow) {
      this.allowHttp = allow;
      return this;
    }

    /**
     * Exempts a host name from the host name rules (single label, special-use names), matched
     * exactly and case-insensitively; a trailing dot is ignored. Repeatable; default none. Its
     * addresses are still checked wherever addresses are checked (with a {@link #resolver(Resolver)
     * resolver}, and at connect time): allow them with {@link #allowCidr(String)}.
     *
     * <pre>{@code
     * builder.allowHost("localhost").allowHost("host.docker.internal");
     * }</pre>
     *
     * @param host a host name, such as {@code localhost}
     * @return this builder
     * @throws IllegalArgumentException if {@code host} is not a valid host name, or is an IP
     *     address (allow those with {@link #allowCidr(String)})
     * @throws NullPointerException if {@code host} is null
     */
    public Builder allowHost(String host) {
      requireNonNull(host, "host == null");
      String name = host.strip().toLowerCase(Locale.ROOT);
      if (name.endsWith(".")) {
        name = name.substring(0, name.length() - 1);
      }
      if (name.isEmpty()) {
        throw new IllegalArgumentException("host is blank");
      }
      if (name.indexOf(':') >= 0 || name.startsWith("[") || IpLiterals.endsInNumber(name)) {
        throw new IllegalArgumentException(
            "allowHost takes a host name, not an IP address (" + host + "); use allowCidr");
      }
      Optional<String> problem = HostNames.syntaxProblem(name);
      if (problem.isPresent()) {
        throw new IllegalArgumentException(problem.get());
      }
      allowedHosts.add(name);
      return this;
    }

    /**
     * Allows an address block, in CIDR notation ({@code "127.0.0.0/8"}, {@code "::1/128"}) or as a
     * single address ({@code "10.1.2.3"} is {@code /32}). Allow-listed blocks win over the range
     * table. IPv4 blocks never match IPv6 addresses, IPv4-mapped ones included. Repeatable; default
     * none.
     *
     * <pre>{@code
     * builder.allowCidr("127.0.0.0/8").allowCidr("::1/128");
     * }</pre>
     *
     * @param cidr an address block or a single address
     * @return this builder
     * @throws IllegalArgumentException if {@code cidr} is malformed, or has bits set past its
     *     prefix ({@code 127.0.0.1/8})
     * @throws NullPointerException if {@code cidr} is null
     */
    public Builder allowCidr(String cidr) {
      allowedCidrs.add(Cidr.parse(cidr));
      return this;
    }

    /**
     * The longest URL accepted, in characters. Default 2048.
     *
     * <pre>{@code
     * builder.maxLength(4096);
     * }</pre>
     *
     * @param chars the maximum length, at least 1
     * @return this builder
     * @throws IllegalArgumentException if {@code chars} is less than 1
     */
    public Builder maxLength(int chars) {
      if (chars < 1) {
        throw new IllegalArgumentException("maxLength < 1: " + chars);
      }
      this.maxLength = chars;
      return this;
    }

    /**
     * The resolver {@link UrlPolicy#check(String)} uses to look host names up; {@code null} (the
     * default) means no lookups at check time, leaving the address check to connect time. With a
     * resolver, a name is refused when it does not resolve or when any of its addresses is not
     * allowed. IP literals are never resolved.
     *
     * <pre>{@code
     * builder.resolver(UrlPolicy.Resolver.SYSTEM);
     * }</pre>
     *
     * @param resolver the resolver, or {@code null} for no lookups in {@code check}
     * @return this builder
     */
    public Builder resolver(Resolver resolver) {
      this.resolver = resolver;
      return this;
    }

    /**
     * The policy with these settings.
     *
     * <pre>{@code
     * UrlPolicy policy = builder.build();
     * }</pre>
     *
     * @return a new immutable policy; the builder may be reused
     */
    public UrlPolicy build() {
      return new UrlPolicy(this);
    }
  }

  /**
   * Looks a host name up, for {@link UrlPolicy#check(String)} when a resolver is set. It is called
   * on the thread that calls {@code check}, may block, and must return every address of the name
   * (an empty list, like an {@link UnknownHostException}, refuses the URL). It is never called for
   * IP literals. Implementations must be thread-safe.
   *
   * <pre>{@code
   * UrlPolicy.Resolver fake = host -> List.of(InetAddress.getByAddress(host, new byte[] {8, 8, 8, 8}));
   * }</pre>
   */
  @FunctionalInterface
  public interface Resolver {
    /** The system resolver, {@link InetAddress#getAllByName(String)}. */
    Resolver SYSTEM = host -> List.of(InetAddress.getAllByName(host));

    /**
     * Every address of {@code host}.
     *
     * @param host a lower-case host name without trailing dot
     * @return its addresses, IPv4 and IPv6, in any order
     * @throws UnknownHostException when the name does not exist
     */
    List<InetAddress> resolve(String host) throws UnknownHostException;
  }
}
