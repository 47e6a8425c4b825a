package dev.shunt.backend.core;

import java.nio.charset.StandardCharsets;

/** RFC 3986 percent-encoding as SigV4 does it: unreserved characters kept, every other UTF-8 byte {@code %XX}. */
public final class UriEncoding {
  private static final char[] HEX_UPPER = "0123456789ABCDEF".toCharArray();

  private UriEncoding() {}

  /** Appends {@code text} encoded; {@code keepSlash} leaves {@code /} as it is (a SigV4 path). */
  public static void append(StringBuilder out, String text, boolean keepSlash) {
    for (byte b : text.getBytes(StandardCharsets.UTF_8)) {
      char c = (char) (b & 0xFF);
      if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9')
          || c == '-' || c == '_' || c == '.' || c == '~' || (c == '/' && keepSlash)) {
        out.append(c);
      } else {
        out.append('%').append(HEX_UPPER[c >> 4]).append(HEX_UPPER[c & 0xF]);
      }
    }
  }
}
