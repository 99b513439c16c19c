package dev.webhooks.core.internal;

import com.fasterxml.jackson.databind.ObjectMapper;

/** The SDK's own Jackson mapper: default settings, shared, thread-safe once configured. */
public final class Json {
  /** Never reconfigure it: every module shares it. */
  public static final ObjectMapper MAPPER = new ObjectMapper();

  private Json() {}
}
