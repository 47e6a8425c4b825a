package dev.shunt.backend.http;

import java.net.InetAddress;
import java.net.URI;
import java.net.UnknownHostException;
import java.util.Locale;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * Where the backend may send requests of its own (rotation callbacks): this machine, and the
 * hosts the operator listed ({@code outbound-hosts}). Anyone who can reach the admin API or a
 * rotation's configuration would otherwise make Shunt call into the networks it can reach.
 */
public final class OutboundHosts {
  private final Set<String> allowed;

  /** @param allowed host names or addresses (any case) that may be called besides loopback ones */
  public OutboundHosts(Set<String> allowed) {
    this.allowed = allowed.stream().map(host -> host.toLowerCase(Locale.ROOT)).collect(Collectors
        .toUnmodifiableSet());
  }

  public static OutboundHosts loopbackOnly() {
    return new OutboundHosts(Set.of());
  }

  /**
   * Refuses (IllegalArgumentException) a URL Shunt may not call: when it is registered, and
   * again before each call, since a name's addresses can change in between (DNS rebinding).
   */
  public void check(URI url) {
    String host = url.getHost();
    if (host == null || host.isEmpty()) {
      throw new IllegalArgumentException("A callback URL needs a host");
    }
    String bare = host.startsWith("[") ? host.substring(1, host.length() - 1) : host;
    if (allowed.contains(bare.toLowerCase(Locale.ROOT))) {
      return;
    }
    InetAddress[] addresses;
    try {
      addresses = InetAddress.getAllByName(bare);
    } catch (UnknownHostException e) {
      throw new IllegalArgumentException("Cannot resolve the callback host " + host);
    }
    for (InetAddress address : addresses) {
      if (!address.isLoopbackAddress()) {
        throw new IllegalArgumentException("Callbacks go to this machine only (loopback); " + host
            + " is elsewhere: list it in --outbound-hosts to allow it");
      }
    }
  }
}
