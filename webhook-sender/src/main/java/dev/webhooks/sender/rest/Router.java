package dev.webhooks.sender.rest;

import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Matches a method and a raw path against route templates such as {@code
 * /webhooks/{id}/deliveries/{delivery_id}}. Each raw segment is percent-decoded on its own, so an
 * encoded {@code /} or {@code ..} stays inside its segment and can never reach another route. A
 * single trailing slash is ignored; empty segments match nothing.
 */
final class Router {
  /** What a route runs. */
  @FunctionalInterface
  interface Handler {
    ApiResponse handle(Call call);
  }

  /** A request on its way to a handler: the caller is established, the path parameters decoded. */
  record Call(ApiRequest request, ApiCaller caller, Map<String, String> params) {
    String param(String name) {
      return params.get(name);
    }
  }

  record Route(String method, String template, ApiPermission permission, Handler handler) {
    List<String> segments() {
      return split(template);
    }
  }

  /** The result of matching: a route with its parameters, or the methods the path allows (none: no such path). */
  record Match(Route route, Map<String, String> params, Set<String> allowed) {}

  private final List<Route> routes = new ArrayList<>();

  Router add(String method, String template, ApiPermission permission, Handler handler) {
    routes.add(new Route(method, template, permission, handler));
    return this;
  }

  List<Route> routes() {
    return List.copyOf(routes);
  }

  Match match(String method, String rawPath) {
    List<String> segments = split(rawPath);
    Set<String> allowed = new LinkedHashSet<>();
    for (Route r : routes) {
      Map<String, String> params = bind(r.segments(), segments);
      if (params != null) {
        if (r.method().equals(method)) {
          return new Match(r, params, Set.of());
        }
        allowed.add(r.method());
      }
    }
    return new Match(null, Map.of(), allowed);
  }

  private static Map<String, String> bind(List<String> template, List<String> segments) {
    if (template.size() != segments.size()) {
      return null;
    }
    Map<String, String> params = new LinkedHashMap<>();
    for (int i = 0; i < template.size(); i++) {
      String t = template.get(i);
      String s = segments.get(i);
      if (s == null) {
        return null; // empty or undecodable
      }
      if (t.startsWith("{") && t.endsWith("}")) {
        params.put(t.substring(1, t.length() - 1), s);
      } else if (!t.equals(s)) {
        return null;
      }
    }
    return params;
  }

  /** The decoded segments of a raw path; {@code null} for an empty or undecodable one. */
  static List<String> split(String rawPath) {
    String p = rawPath.length() > 1 && rawPath.endsWith("/") ? rawPath.substring(0, rawPath.length() - 1) : rawPath;
    List<String> out = new ArrayList<>();
    if (p.equals("/") || p.isEmpty()) {
      return out;
    }
    String[] parts = (p.startsWith("/") ? p.substring(1) : p).split("/", -1);
    for (String part : parts) {
      out.add(part.isEmpty() ? null : decode(part));
    }
    return out;
  }

  private static String decode(String segment) {
    try {
      return URLDecoder.decode(segment.replace("+", "%2B"), StandardCharsets.UTF_8);
    } catch (IllegalArgumentException e) {
      return null;
    }
  }
}
