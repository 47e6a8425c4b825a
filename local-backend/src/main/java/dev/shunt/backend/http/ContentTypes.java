package dev.shunt.backend.http;

import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpRequest;

/** The content types Shunt's two APIs accept; none of them is one a web page may send without a preflight. */
final class ContentTypes {
  private static final String AMZ_JSON_PREFIX = "application/x-amz-json-1.";
  private static final String JSON = "application/json";

  private ContentTypes() {}

  /** AWS JSON protocol's {@code application/x-amz-json-1.1} (or 1.0, which AWS's JSON services also take). */
  static boolean isAwsJson(HttpRequest request) {
    String type = mediaType(request);
    return type != null && type.length() == AMZ_JSON_PREFIX.length() + 1
        && type.regionMatches(true, 0, AMZ_JSON_PREFIX, 0, AMZ_JSON_PREFIX.length())
        && (type.charAt(type.length() - 1) == '0' || type.charAt(type.length() - 1) == '1');
  }

  /** {@code application/json}, or one of AWS's JSON types. */
  static boolean isJson(HttpRequest request) {
    String type = mediaType(request);
    return type != null && (type.equalsIgnoreCase(JSON) || isAwsJson(request));
  }

  /** The media type without parameters ({@code ; charset=...}) or blanks; null without a Content-Type. */
  private static String mediaType(HttpRequest request) {
    String value = request.headers().get(HttpHeaderNames.CONTENT_TYPE);
    if (value == null) {
      return null;
    }
    int semicolon = value.indexOf(';');
    return (semicolon < 0 ? value : value.substring(0, semicolon)).trim();
  }
}
