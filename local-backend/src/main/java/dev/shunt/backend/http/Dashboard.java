package dev.shunt.backend.http;

import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.Unpooled;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.QueryStringDecoder;
import io.netty.util.AsciiString;
import java.io.IOException;
import java.io.InputStream;
import java.util.HashMap;
import java.util.Map;

/**
 * The live dashboard at {@code /_shunt/}: a page, a script and a style sheet kept in the jar
 * ({@code dev/shunt/backend/dashboard/}), served as they are. They hold no data, so they need no
 * token: the script reads {@code /_shunt/stats}, {@code /_shunt/audit} and {@code /_shunt/quotas}
 * with the admin token, if one is needed, from the page's URL fragment ({@code #token=...}), which
 * no request carries. Every asset forbids other origins to frame, embed or read it, and the page
 * runs only its own script.
 */
final class Dashboard {
  static final String PAGE = AdminApi.PREFIX;
  private static final String BARE = "/_shunt";
  private static final String RESOURCES = "dev/shunt/backend/dashboard/";

  static final String CONTENT_SECURITY_POLICY = "default-src 'none'; script-src 'self'; style-src 'self';"
      + " img-src 'self'; connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

  private record Asset(byte[] bytes, AsciiString type) {}

  /** Loaded with the first request for the page, not when the backend starts. */
  private static final class Assets {
    static final Map<String, Asset> BY_PATH = new HashMap<>();

    static {
      load(PAGE, "index.html", "text/html; charset=utf-8");
      load(PAGE + "dashboard/dashboard.js", "dashboard.js", "text/javascript; charset=utf-8");
      load(PAGE + "dashboard/dashboard.css", "dashboard.css", "text/css; charset=utf-8");
      load(PAGE + "dashboard/icon.svg", "icon.svg", "image/svg+xml");
    }

    /** An asset missing from the jar is a 404, as any unknown path under /_shunt/. */
    private static void load(String path, String name, String type) {
      try (InputStream in = Dashboard.class.getClassLoader().getResourceAsStream(RESOURCES + name)) {
        if (in != null) {
          BY_PATH.put(path, new Asset(in.readAllBytes(), AsciiString.cached(type)));
        }
      } catch (IOException e) {
        System.getLogger("dev.shunt.backend.http").log(System.Logger.Level.WARNING,
            "The dashboard's " + name + " cannot be read: " + e);
      }
    }
  }

  private Dashboard() {}

  /** {@code /_shunt} alone, which the page's address is without its slash. */
  static boolean isBarePrefix(FullHttpRequest request) {
    String uri = request.uri();
    return uri.equals(BARE) || uri.startsWith(BARE + "?") || uri.startsWith(BARE + "#");
  }

  /** The response to a request for the page or one of its assets, or null when it asks for something else. */
  static FullHttpResponse response(ByteBufAllocator alloc, FullHttpRequest request, String requestId) {
    boolean head = request.method().equals(HttpMethod.HEAD);
    if (!head && !request.method().equals(HttpMethod.GET)) {
      return null;
    }
    if (isBarePrefix(request)) {
      FullHttpResponse redirect = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1,
          HttpResponseStatus.PERMANENT_REDIRECT, Unpooled.EMPTY_BUFFER);
      redirect.headers().set(HttpHeaderNames.LOCATION, PAGE).setInt(HttpHeaderNames.CONTENT_LENGTH, 0);
      return secured(redirect, requestId);
    }
    Asset asset = Assets.BY_PATH.get(new QueryStringDecoder(request.uri()).path());
    if (asset == null) {
      return null;
    }
    FullHttpResponse response = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK,
        head ? Unpooled.EMPTY_BUFFER : alloc.buffer(asset.bytes.length).writeBytes(asset.bytes));
    response.headers().set(HttpHeaderNames.CONTENT_TYPE, asset.type)
        .setInt(HttpHeaderNames.CONTENT_LENGTH, asset.bytes.length);
    return secured(response, requestId);
  }

  private static FullHttpResponse secured(FullHttpResponse response, String requestId) {
    HttpHeaders headers = response.headers();
    headers.set(AwsResponses.REQUEST_ID, requestId)
        .set(HttpHeaderNames.DATE, HttpDates.now())
        .set(HttpHeaderNames.CONTENT_SECURITY_POLICY, CONTENT_SECURITY_POLICY)
        .set(HttpHeaderNames.X_FRAME_OPTIONS, "DENY")
        .set(HttpHeaderNames.CACHE_CONTROL, "no-cache");
    AdminApi.sameOriginOnly(headers);
    return response;
  }
}
