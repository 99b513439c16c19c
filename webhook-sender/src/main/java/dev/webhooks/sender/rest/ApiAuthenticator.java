package dev.webhooks.sender.rest;

import static java.util.Objects.requireNonNull;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HashMap;
import java.util.Map;

/**
 * Establishes who calls the management API: the application's own authentication (its API keys,
 * sessions, OAuth tokens) decides the tenant and the permissions; the API confines every call to
 * that tenant. Called on the request's thread for every request, before the body is parsed; may
 * block briefly (a key lookup). Throws {@link ApiException} to refuse: {@link
 * ApiException#invalidKey()} (401), {@link ApiException#rateLimited} (429), or any other status.
 *
 * <pre>{@code
 * ApiAuthenticator auth = request -> {
 *   String key = request.bearerToken().orElseThrow(ApiException::invalidKey);
 *   ApiKey k = myKeys.find(key).orElseThrow(ApiException::invalidKey);
 *   return new ApiCaller(k.workspaceId(), k.scopes());
 * };
 * }</pre>
 */
@FunctionalInterface
public interface ApiAuthenticator {
  /**
   * The caller of {@code request}.
   *
   * @throws ApiException to refuse the request
   */
  ApiCaller authenticate(ApiRequest request);

  /**
   * Fixed API keys sent as {@code Authorization: Bearer <key>}, each for one caller: for tests,
   * demos and small deployments. Keys are compared by their SHA-256 digests in constant time and
   * never kept in clear.
   */
  static ApiAuthenticator apiKeys(Map<String, ApiCaller> callersByKey) {
    requireNonNull(callersByKey, "callersByKey == null");
    Map<String, ApiCaller> byDigest = new HashMap<>();
    callersByKey.forEach((key, caller) -> {
      if (key == null || key.isEmpty()) {
        throw new IllegalArgumentException("an API key is empty");
      }
      byDigest.put(digest(key), requireNonNull(caller, "caller == null"));
    });
    return request -> {
      String key = request.bearerToken().orElseThrow(ApiException::invalidKey);
      String d = digest(key);
      ApiCaller found = null;
      for (Map.Entry<String, ApiCaller> e : byDigest.entrySet()) {
        if (MessageDigest.isEqual(e.getKey().getBytes(StandardCharsets.US_ASCII), d.getBytes(StandardCharsets.US_ASCII))) {
          found = e.getValue();
        }
      }
      if (found == null) {
        throw ApiException.invalidKey();
      }
      return found;
    };
  }

  private static String digest(String key) {
    try {
      byte[] d = MessageDigest.getInstance("SHA-256").digest(key.getBytes(StandardCharsets.UTF_8));
      return java.util.HexFormat.of().formatHex(d);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is not available", e);
    }
  }
}
