package dev.webhooks.core.url;

import static java.util.Objects.requireNonNull;

import java.util.Arrays;

/**
 * An immutable IPv4 or IPv6 address block, such as {@code 10.0.0.0/8} or {@code fc00::/7}. An
 * address of one family never matches a block of the other: {@code ::ffff:127.0.0.1} is not in
 * {@code 127.0.0.0/8}.
 */
final class Cidr {
  private final byte[] network;
  private final int prefix;

  private Cidr(byte[] network, int prefix) {
    this.network = network;
    this.prefix = prefix;
  }

  /**
   * Parses {@code a.b.c.d/n} or {@code x:y::z/n}; without {@code /n} the block is the single
   * address ({@code /32} or {@code /128}). The address part must have no bits set past the prefix.
   *
   * @throws IllegalArgumentException when {@code text} is not such a block
   */
  static Cidr parse(String text) {
    requireNonNull(text, "cidr == null");
    String trimmed = text.strip();
    int slash = trimmed.indexOf('/');
    String address = slash < 0 ? trimmed : trimmed.substring(0, slash);
    if (address.startsWith("[") && address.endsWith("]")) {
      address = address.substring(1, address.length() - 1);
    }
    byte[] bytes;
    if (address.indexOf(':') >= 0) {
      try {
        bytes = IpLiterals.parseIpv6(address);
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException("invalid CIDR " + text + ": " + e.getMessage(), e);
      }
    } else {
      bytes = IpLiterals.parseCanonicalIpv4(address);
      if (bytes == null) {
        throw new IllegalArgumentException(
            "invalid CIDR " + text + ": expected a.b.c.d/n or an IPv6 address with /n");
      }
    }
    int bits = bytes.length * 8;
    int prefix = bits;
    if (slash >= 0) {
      String length = trimmed.substring(slash + 1);
      if (length.isEmpty() || length.length() > 3 || !length.chars().allMatch(c -> c >= '0' && c <= '9')) {
        throw new IllegalArgumentException("invalid CIDR " + text + ": prefix length must be 0.." + bits);
      }
      prefix = Integer.parseInt(length);
      if (prefix > bits) {
        throw new IllegalArgumentException("invalid CIDR " + text + ": prefix length must be 0.." + bits);
      }
    }
    Cidr cidr = new Cidr(bytes, prefix);
    byte[] masked = cidr.mask(bytes);
    if (!Arrays.equals(masked, bytes)) {
      throw new IllegalArgumentException(
          "invalid CIDR " + text + ": host bits are set; did you mean "
              + IpLiterals.format(masked) + "/" + prefix + "?");
    }
    return cidr;
  }

  /** Whether {@code address} (4 or 16 bytes) lies in this block. */
  boolean contains(byte[] address) {
    return address.length == network.length && Arrays.equals(mask(address), network);
  }

  private byte[] mask(byte[] address) {
    byte[] masked = address.clone();
    for (int i = 0; i < masked.length; i++) {
      int keep = Math.max(0, Math.min(8, prefix - 8 * i));
      masked[i] &= (byte) (0xff00 >>> keep);
    }
    return masked;
  }

  @Override
  public boolean equals(Object other) {
    return other instanceof Cidr
        && prefix == ((Cidr) other).prefix
        && Arrays.equals(network, ((Cidr) other).network);
  }

  @Override
  public int hashCode() {
    return 31 * Arrays.hashCode(network) + prefix;
  }

  /** The block in canonical form, e.g. {@code 127.0.0.0/8} or {@code ::1/128}. */
  @Override
  public String toString() {
    return IpLiterals.format(network) + "/" + prefix;
  }
}
