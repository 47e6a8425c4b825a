package dev.shunt.backend.http;

import com.fasterxml.jackson.databind.JsonNode;
import dev.shunt.backend.core.AwsException;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.QueryStringDecoder;
import io.netty.util.AsciiString;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Shunt's own endpoints under {@code /_shunt/} (health, reset, clock...). Each part of the
 * backend registers its routes here; nothing under this prefix is an AWS API. Guarded against
 * the two threats a developer's machine has: a web page (a change needs a JSON content type or a
 * token, neither of which a page can send without a CORS preflight, which is refused), and other
 * users or hosts (with an admin token, every endpoint but health needs it). The dashboard's page
 * and assets ({@link Dashboard}) hold no data and need no token; what they show comes from here.
 * No answer grants CORS, and each tells the browser to let no other origin embed or read it.
 */
public final class AdminApi {
  /** One admin endpoint: the request and its parsed query in, a JSON body out (errors thrown). */
  @FunctionalInterface
  public interface Endpoint {
    JsonNode handle(FullHttpRequest request, QueryStringDecoder query);
  }

  public static final String PREFIX = "/_shunt/";
  private static final String HEALTH = "GET " + PREFIX + "health";
  private static final String BEARER = "Bearer ";
  private static final AwsException NO_TOKEN = new AwsException("MissingAuthenticationTokenException",
      "Shunt's admin API needs its token: Authorization: Bearer TOKEN (printed at start, or --admin-token)", 403);
  private static final AwsException WRONG_TOKEN = new AwsException("AccessDeniedException",
      "The admin token is not this server's", 403);
  private static final AwsException NOT_JSON = new AwsException("UnsupportedMediaTypeException",
      "A change to Shunt's state needs Content-Type: application/json", 415);

  private static final AsciiString X_CONTENT_TYPE_OPTIONS =
      AsciiString.cached("x-content-type-options");
  private static final AsciiString CROSS_ORIGIN_RESOURCE_POLICY =
      AsciiString.cached("cross-origin-resource-policy");
  private static final AsciiString CROSS_ORIGIN_OPENER_POLICY =
      AsciiString.cached("cross-origin-opener-policy");
  private static final AsciiString REFERRER_POLICY = AsciiString.cached("referrer-policy");

  private final Map<String, Endpoint> endpoints = new ConcurrentHashMap<>();
  private final byte[] token;

  /** @param token the token every endpoint but health requires, or null when none is required */
  public AdminApi(String token) {
    this.token = token == null ? null : token.getBytes(StandardCharsets.UTF_8);
  }

  /** A fresh token: 32 random bytes, URL-safe Base64. */
  public static String newToken() {
    byte[] bytes = new byte[32];
    new SecureRandom().nextBytes(bytes);
    return "shunt-" + Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
  }

  /**
   * What every answer under {@code /_shunt/} carries so that a page of another origin can neither
   * read it (no CORS, and {@code Cross-Origin-Resource-Policy} stops even an opaque load), nor have it
   * run as a script or style ({@code nosniff}), nor learn where it was opened from.
   */
  static void sameOriginOnly(HttpHeaders headers) {
    headers.set(X_CONTENT_TYPE_OPTIONS, "nosniff")
        .set(CROSS_ORIGIN_RESOURCE_POLICY, "same-origin")
        .set(CROSS_ORIGIN_OPENER_POLICY, "same-origin")
        .set(REFERRER_POLICY, "no-referrer");
  }

  /** Registers {@code METHOD /_shunt/name}. */
  public void register(HttpMethod method, String name, Endpoint endpoint) {
    endpoints.put(method.name() + " " + PREFIX + name, endpoint);
  }

  JsonNode handle(FullHttpRequest request) {
    QueryStringDecoder query = new QueryStringDecoder(request.uri());
    String route = request.method().name() + " " + query.path();
    String authorization = request.headers().get(HttpHeaderNames.AUTHORIZATION);
    if (!route.equals(HEALTH)) {
      checkToken(authorization);
    }
    if (request.method().equals(HttpMethod.POST) && authorization == null && !ContentTypes.isJson(request)) {
      // The one change a page can send without a preflight is a POST of a form or of text/plain.
      throw NOT_JSON;
    }
    Endpoint endpoint = endpoints.get(route);
    if (endpoint == null) {
      throw new AwsException("ResourceNotFoundException", "No such Shunt endpoint", 404);
    }
    return endpoint.handle(request, query);
  }

  private void checkToken(String authorization) {
    if (token == null) {
      return;
    }
    if (authorization == null || !authorization.startsWith(BEARER)) {
      throw NO_TOKEN;
    }
    byte[] given = authorization.substring(BEARER.length()).trim().getBytes(StandardCharsets.UTF_8);
    if (!MessageDigest.isEqual(given, token)) {
      throw WRONG_TOKEN;
    }
  }
}
