package dev.webhooks.sender.rest;

/** What a caller of the management API may do, as the products' API keys scope it. */
public enum ApiPermission {
  /** {@code webhooks:read}: list and get webhooks, deliveries and event types. */
  READ("webhooks:read"),
  /** {@code webhooks:write}: create, update, delete, rotate, test and retry. */
  WRITE("webhooks:write");

  private final String scope;

  ApiPermission(String scope) {
    this.scope = scope;
  }

  /** The scope's wire form, e.g. {@code "webhooks:write"}. */
  public String scope() {
    return scope;
  }
}
