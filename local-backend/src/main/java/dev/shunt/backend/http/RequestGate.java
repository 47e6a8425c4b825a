package dev.shunt.backend.http;

import dev.shunt.backend.core.AwsException;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import java.util.Locale;
import java.util.Set;

/**
 * What every request must be before it is routed, so that a web page in a developer's browser
 * cannot use Shunt: its {@code Host} must name this machine (a page that rebinds its own DNS name to
 * 127.0.0.1 still sends that name), a present {@code Origin} must be the server's own, and a CORS
 * preflight is never granted, so a page can send nothing but a "simple" request, which the AWS API
 * (its own content type) and the admin API (a JSON content type or a token) both refuse.
 */
final class RequestGate {
  private static final AwsException FORBIDDEN_HOST = new AwsException("AccessDeniedException",
      "The Host header must name this server by a loopback name, an IP address or one of --allowed-hosts", 403);
  private static final AwsException MISSING_HOST = new AwsException("BadRequestException",
      "An HTTP/1.1 request needs a Host header");
  private static final AwsException FOREIGN_ORIGIN = new AwsException("AccessDeniedException",
      "Requests from another web origin are refused", 403);
  private static final AwsException PREFLIGHT = new AwsException("AccessDeniedException",
      "Cross-origin requests are refused (no CORS)", 403);

  private final Set<String> allowedHosts;

  /** @param allowedHosts host names (lower case, no port) accepted besides loopback names and IP addresses */
  RequestGate(Set<String> allowedHosts) {
    this.allowedHosts = Set.copyOf(allowedHosts);
  }

  /** Why the request may not go further (AWS's error to answer), or null if it may. */
  AwsException refusal(HttpRequest request) {
    HttpHeaders headers = request.headers();
    String host = headers.get(HttpHeaderNames.HOST);
    if (host == null) {
      if (request.protocolVersion().isKeepAliveDefault()) {
        return MISSING_HOST;
      }
    } else if (!allowedHost(host)) {
      return FORBIDDEN_HOST;
    }
    String origin = headers.get(HttpHeaderNames.ORIGIN);
    if (origin != null && (host == null || !sameOrigin(origin, host))) {
      return FOREIGN_ORIGIN;
    }
    return request.method().equals(HttpMethod.OPTIONS) ? PREFLIGHT : null;
  }

  /** The browser's origin of a page served by this server under that Host: {@code http://HOST}. */
  private static boolean sameOrigin(String origin, String host) {
    return origin.length() == 7 + host.length() && origin.regionMatches(true, 0, "http://", 0, 7)
        && origin.regionMatches(true, 7, host, 0, host.length());
  }

  /** Allocates nothing for the Hosts clients send (an address, localhost); a configured name costs a lookup. */
  boolean allowedHost(String hostHeader) {
    int end = hostEnd(hostHeader);
    if (end <= 0) {
      return false;
    }
    if (hostHeader.charAt(0) == '[') {
      return hostHeader.charAt(end - 1) == ']' && isIpv6(hostHeader, 1, end - 1);
    }
    return isIpv4(hostHeader, end) || isLocalhost(hostHeader, end)
        || !allowedHosts.isEmpty() && allowedHosts.contains(hostHeader.substring(0, end).toLowerCase(Locale.ROOT));
  }

  /** Where the host part of a Host header ends (before {@code :port}), or -1 if the header is malformed. */
  static int hostEnd(String hostHeader) {
    int portAt = hostHeader.lastIndexOf(':');
    if (portAt < 0 || hostHeader.indexOf(']', portAt) >= 0) {
      return hostHeader.length();
    }
    if (hostHeader.charAt(0) != '[' && hostHeader.indexOf(':') != portAt) {
      return -1;
    }
    for (int i = portAt + 1; i < hostHeader.length(); i++) {
      if (hostHeader.charAt(i) < '0' || hostHeader.charAt(i) > '9') {
        return -1;
      }
    }
    return portAt;
  }

  /** {@code localhost} or a name under it, which resolvers keep on this machine (RFC 6761). */
  private static boolean isLocalhost(String host, int end) {
    return end >= 9 && host.regionMatches(true, end - 9, "localhost", 0, 9)
        && (end == 9 || host.charAt(end - 10) == '.');
  }

  /**
   * An IP address is not a name a web page can rebind: a page's requests carry its own host name,
   * so only a page served from that very address could send it, and that page is this server's.
   */
  static boolean isIpv4(String host, int end) {
    return dev.shunt.backend.auth.policy.IpAddresses.isIpv4(host, 0, end);
  }

  private static boolean isIpv6(String host, int start, int end) {
    if (end <= start || end - start > 45) {
      return false;
    }
    boolean colon = false;
    for (int i = start; i < end; i++) {
      char c = host.charAt(i);
      boolean hex = (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
      colon |= c == ':';
      if (!hex && c != ':' && c != '.') {
        return false;
      }
    }
    return colon;
  }
}
