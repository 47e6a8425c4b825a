package dev.shunt.backend.auth.policy;

/**
 * IPv4 and IPv6 address literals, parsed by hand: {@code InetAddress.getByName} would resolve a
 * host name, and a policy or a request must never cause a DNS lookup.
 */
public final class IpAddresses {
  private IpAddresses() {}

  /** The 4 or 16 bytes of an address literal, or null when {@code s} is not one. */
  static byte[] parse(String s) {
    if (s.indexOf(':') >= 0) {
      return parse6(s);
    }
    byte[] out = new byte[4];
    return parse4(s, 0, s.length(), out, 0) ? out : null;
  }

  /** Whether {@code s[from, to)} is a dotted-quad IPv4 literal. */
  public static boolean isIpv4(String s, int from, int to) {
    return parse4(s, from, to, null, 0);
  }

  /** Parses {@code s[from, to)} as a dotted quad into {@code out} at {@code at} (only checks it when {@code out} is null). */
  private static boolean parse4(String s, int from, int to, byte[] out, int at) {
    int part = 0;
    int value = 0;
    int digits = 0;
    for (int i = from; i <= to; i++) {
      char c = i < to ? s.charAt(i) : '.';
      if (c == '.') {
        if (digits == 0 || part > 3) {
          return false;
        }
        if (out != null) {
          out[at + part] = (byte) value;
        }
        part++;
        value = 0;
        digits = 0;
      } else if (c >= '0' && c <= '9' && digits < 3) {
        value = value * 10 + (c - '0');
        digits++;
        if (value > 255) {
          return false;
        }
      } else {
        return false;
      }
    }
    return part == 4;
  }

  private static byte[] parse6(String s) {
    byte[] out = new byte[16];
    int n = s.length();
    int gap = -1;
    int at = 0;
    int i = 0;
    if (s.startsWith("::")) {
      gap = 0;
      i = 2;
      if (n == 2) {
        return out;
      }
    } else if (s.startsWith(":")) {
      return null;
    }
    while (i < n) {
      int end = i;
      while (end < n && s.charAt(end) != ':') {
        end++;
      }
      if (end == i) {
        return null;
      }
      if (end == n && s.indexOf('.', i) >= 0) {
        if (at > 12 || !parse4(s, i, n, out, at)) {
          return null;
        }
        at += 4;
        i = n;
        break;
      }
      if (end - i > 4 || at > 14) {
        return null;
      }
      int value = 0;
      for (int j = i; j < end; j++) {
        int d = Character.digit(s.charAt(j), 16);
        if (d < 0) {
          return null;
        }
        value = value * 16 + d;
      }
      out[at++] = (byte) (value >> 8);
      out[at++] = (byte) value;
      if (end == n) {
        i = n;
      } else if (end + 1 < n && s.charAt(end + 1) == ':') {
        if (gap >= 0) {
          return null;
        }
        gap = at;
        i = end + 2;
      } else if (end + 1 == n) {
        return null;
      } else {
        i = end + 1;
      }
    }
    if (gap < 0) {
      return at == 16 ? out : null;
    }
    if (at == 16) {
      return null;
    }
    int tail = at - gap;
    System.arraycopy(out, gap, out, 16 - tail, tail);
    java.util.Arrays.fill(out, gap, 16 - tail, (byte) 0);
    return out;
  }

  /** Whether {@code address} lies in {@code block/prefix} (both of the same family). */
  static boolean inBlock(byte[] address, byte[] block, int prefix) {
    if (address.length != block.length) {
      return false;
    }
    int full = prefix / 8;
    for (int i = 0; i < full; i++) {
      if (address[i] != block[i]) {
        return false;
      }
    }
    int rest = prefix % 8;
    if (rest == 0) {
      return true;
    }
    int mask = 0xff00 >> rest & 0xff;
    return (address[full] & mask) == (block[full] & mask);
  }
}
