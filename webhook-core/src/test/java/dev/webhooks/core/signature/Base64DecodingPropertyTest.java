package dev.webhooks.core.signature;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Arrays;
import java.util.Base64;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;

/**
 * {@link Schemes#decodeBase64}, which every base64 signature goes through, against the JDK's
 * decoder: it accepts exactly the canonical spellings of {@code expectedLength} bytes, padded or
 * not, and decodes them to the same bytes, also from the middle of a longer text.
 */
class Base64DecodingPropertyTest {
  /** Replacement characters: the alphabet's edges, padding, URL-safe and separators, and non-ASCII ones, one whose low byte is a base64 letter. */
  private static final String ODD = "=-_ .,é\u0100\u0141\u00ff\u007f/+AZaz09";

  /** The JDK's answer: the bytes when {@code text} is a canonical encoding of that many, else null. */
  private static byte[] reference(String text, int expectedLength) {
    byte[] bytes;
    try {
      bytes = Base64.getDecoder().decode(text);
    } catch (IllegalArgumentException e) {
      return null;
    }
    if (bytes.length != expectedLength) {
      return null;
    }
    boolean canonical = text.equals(Base64.getEncoder().encodeToString(bytes))
        || text.equals(Base64.getEncoder().withoutPadding().encodeToString(bytes));
    return canonical ? bytes : null;
  }

  /** Ours refuses {@code text} exactly when the JDK-based reference does, and otherwise decodes it alike. */
  private static void decodesAsTheJdk(String text, int expectedLength) {
    byte[] expected = reference(text, expectedLength);
    byte[] actual = ours(text, expectedLength);
    if (expected == null) {
      assertEquals(null, actual, text);
    } else {
      assertArrayEquals(expected, actual, text);
    }
  }

  private static byte[] ours(String text, int expectedLength) {
    // From the middle of a longer text, as a verify reads it out of its header.
    String framed = "v1," + text + " v1,x";
    byte[] out = new byte[expectedLength];
    Arrays.fill(out, (byte) 0x5a);
    return Schemes.decodeBase64(framed, 3, 3 + text.length(), expectedLength, out) ? out : null;
  }

  @Property(tries = 1000)
  void anyBytes_encodedPaddedOrNot_decodeToThemselves(@ForAll @Size(min = 1, max = 70) byte[] bytes) {
    assertArrayEquals(bytes, ours(Base64.getEncoder().encodeToString(bytes), bytes.length));
    assertArrayEquals(bytes, ours(Base64.getEncoder().withoutPadding().encodeToString(bytes), bytes.length));
    assertArrayEquals(bytes, Schemes.decodeBase64(Base64.getEncoder().encodeToString(bytes), bytes.length));
  }

  @Property(tries = 3000)
  void anEncodingWithOneCharacterChanged_acceptedExactlyWhenTheJdkFindsItCanonical(
      @ForAll @Size(min = 1, max = 70) byte[] bytes, @ForAll boolean padded, @ForAll @IntRange(max = 200) int at,
      @ForAll("odd") char replacement) {
    String text = padded ? Base64.getEncoder().encodeToString(bytes)
        : Base64.getEncoder().withoutPadding().encodeToString(bytes);
    int i = at % text.length();
    String changed = text.substring(0, i) + replacement + text.substring(i + 1);
    decodesAsTheJdk(changed, bytes.length);
  }

  @Property(tries = 2000)
  void anEncodingCutOrGrown_refusedUnlessUnchanged(@ForAll @Size(min = 1, max = 70) byte[] bytes,
      @ForAll boolean padded, @ForAll @IntRange(min = -4, max = 4) int change, @ForAll("odd") char growth) {
    String text = padded ? Base64.getEncoder().encodeToString(bytes)
        : Base64.getEncoder().withoutPadding().encodeToString(bytes);
    int length = Math.max(0, text.length() + change);
    String other = length <= text.length() ? text.substring(0, length)
        : text + String.valueOf(growth).repeat(length - text.length());
    decodesAsTheJdk(other, bytes.length);
  }

  @Provide
  Arbitrary<Character> odd() {
    return Arbitraries.of(ODD.chars().mapToObj(c -> (char) c).toArray(Character[]::new));
  }
}
