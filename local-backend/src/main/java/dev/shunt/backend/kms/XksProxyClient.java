package dev.shunt.backend.kms;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.shunt.backend.core.Json;
import dev.shunt.backend.crypto.HmacSha256;
import dev.shunt.backend.http.OutboundHosts;
import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.HexFormat;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import javax.net.ssl.SSLException;

/**
 * Asks an external key store's proxy for its health, as KMS does before it creates, updates or
 * connects the store: the XKS proxy API's GetHealthStatus ({@code POST <uri path>/health}, JSON),
 * signed with SigV4 under the store's proxy credential for the service {@code kms-xks-proxy} in
 * the store's Region. Only hosts {@link OutboundHosts} allows are called: anyone who can create a
 * key store would otherwise make Shunt probe the networks it can reach.
 */
final class XksProxyClient {
  /** What the proxy's answer (or its silence) means, named as a FAILED store's ConnectionErrorCode. */
  enum Health {
    HEALTHY(null),
    NOT_REACHABLE("XKS_PROXY_NOT_REACHABLE"),
    TIMED_OUT("XKS_PROXY_TIMED_OUT"),
    ACCESS_DENIED("XKS_PROXY_ACCESS_DENIED"),
    INVALID_RESPONSE("XKS_PROXY_INVALID_RESPONSE"),
    INVALID_TLS("XKS_PROXY_INVALID_TLS_CONFIGURATION");

    final String connectionErrorCode;

    Health(String connectionErrorCode) {
      this.connectionErrorCode = connectionErrorCode;
    }
  }

  static final String SIGNING_SERVICE = "kms-xks-proxy";
  private static final String SIGNED_HEADERS = "content-type;host;x-amz-content-sha256;x-amz-date";
  private static final DateTimeFormatter AMZ_DATE = DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss'Z'")
      .withZone(ZoneOffset.UTC);

  private final OutboundHosts outbound;
  private final Duration timeout;
  /** Made on first use: a client starts a selector thread, and most backends never meet an XKS proxy. */
  private volatile HttpClient http;

  XksProxyClient(OutboundHosts outbound, Duration timeout) {
    this.outbound = outbound;
    this.timeout = timeout;
  }

  private HttpClient http() {
    HttpClient client = http;
    if (client == null) {
      synchronized (this) {
        client = http;
        if (client == null) {
          // Redirects are not followed: a proxy must not send Shunt on to a host it may not call.
          client = HttpClient.newBuilder().connectTimeout(timeout).followRedirects(HttpClient.Redirect.NEVER)
              .version(HttpClient.Version.HTTP_1_1).build();
          http = client;
        }
      }
    }
    return client;
  }

  /** The proxy's health; never fails (every failure is a {@link Health}). */
  CompletableFuture<Health> health(CustomKeyStore.XksProxy proxy, String region, String kmsOperation,
      String kmsRequestId) {
    URI uri;
    try {
      uri = URI.create(proxy.healthUri());
      outbound.check(uri);
    } catch (IllegalArgumentException refused) {
      return CompletableFuture.completedFuture(Health.NOT_REACHABLE);
    }
    ObjectNode body = Json.object();
    body.putObject("requestMetadata").put("kmsOperation", kmsOperation).put("kmsRequestId", kmsRequestId);
    byte[] payload = Json.text(body).getBytes(StandardCharsets.UTF_8);
    // The proxy checks the time against its own clock: the real one, not the backend's movable clock.
    String amzDate = AMZ_DATE.format(Instant.now());
    String payloadHash = hex(sha256(payload));
    HttpRequest request = HttpRequest.newBuilder(uri)
        .timeout(timeout)
        .header("Content-Type", "application/json")
        .header("X-Amz-Date", amzDate)
        .header("X-Amz-Content-Sha256", payloadHash)
        .header("Authorization", authorization(uri, payloadHash, amzDate, region, proxy))
        .POST(HttpRequest.BodyPublishers.ofByteArray(payload))
        .build();
    return http().sendAsync(request, HttpResponse.BodyHandlers.ofString())
        .handle((response, failure) -> failure != null ? failureHealth(failure) : answerHealth(response));
  }

  private static Health answerHealth(HttpResponse<String> response) {
    int status = response.statusCode();
    if (status == 401 || status == 403) {
      return Health.ACCESS_DENIED;
    }
    if (status / 100 != 2) {
      return Health.INVALID_RESPONSE;
    }
    JsonNode answer;
    try {
      answer = Json.readTree(response.body());
    } catch (java.io.IOException | RuntimeException e) {
      return Health.INVALID_RESPONSE;
    }
    JsonNode ekms = answer == null ? null : answer.get("ekms");
    if (ekms == null || !ekms.isArray() || ekms.isEmpty()) {
      return Health.INVALID_RESPONSE;
    }
    boolean available = false;
    for (JsonNode ekm : ekms) {
      String health = ekm.path("healthStatus").asText("");
      switch (health) {
        case "ACTIVE", "DEGRADED" -> available = true;
        case "UNAVAILABLE" -> { }
        default -> {
          return Health.INVALID_RESPONSE;
        }
      }
    }
    // KMS counts a proxy whose every external key manager is unavailable as unreachable.
    return available ? Health.HEALTHY : Health.NOT_REACHABLE;
  }

  private static Health failureHealth(Throwable failure) {
    Throwable cause = failure instanceof CompletionException && failure.getCause() != null ? failure.getCause()
        : failure;
    if (cause instanceof HttpConnectTimeoutException) {
      return Health.NOT_REACHABLE;
    }
    if (cause instanceof HttpTimeoutException) {
      return Health.TIMED_OUT;
    }
    for (Throwable t = cause; t != null; t = t.getCause()) {
      if (t instanceof SSLException) {
        return Health.INVALID_TLS;
      }
      if (t instanceof ConnectException) {
        return Health.NOT_REACHABLE;
      }
    }
    return Health.NOT_REACHABLE;
  }

  /** SigV4 over POST, the path, the body's hash and the content-type, host, x-amz-content-sha256 and x-amz-date headers. */
  static String authorization(URI uri, String payloadHash, String amzDate, String region,
      CustomKeyStore.XksProxy proxy) {
    String date = amzDate.substring(0, 8);
    String scope = date + "/" + region + "/" + SIGNING_SERVICE + "/aws4_request";
    String canonicalRequest = "POST\n" + uri.getRawPath() + "\n\n"
        + "content-type:application/json\n" + "host:" + hostHeader(uri) + "\n" + "x-amz-content-sha256:" + payloadHash
        + "\n" + "x-amz-date:" + amzDate + "\n\n" + SIGNED_HEADERS + "\n" + payloadHash;
    String stringToSign = "AWS4-HMAC-SHA256\n" + amzDate + "\n" + scope + "\n"
        + hex(sha256(canonicalRequest.getBytes(StandardCharsets.UTF_8)));
    byte[] key = hmac(("AWS4" + proxy.secretAccessKey()).getBytes(StandardCharsets.UTF_8), date);
    key = hmac(key, region);
    key = hmac(key, SIGNING_SERVICE);
    key = hmac(key, "aws4_request");
    return "AWS4-HMAC-SHA256 Credential=" + proxy.accessKeyId() + "/" + scope
        + ", SignedHeaders=" + SIGNED_HEADERS + ", Signature=" + hex(hmac(key, stringToSign));
  }

  /** The Host header the JDK client sends: the host, and the port unless it is the scheme's default. */
  private static String hostHeader(URI uri) {
    int port = uri.getPort();
    boolean defaultPort = port == -1 || port == ("https".equals(uri.getScheme()) ? 443 : 80);
    return defaultPort ? uri.getHost() : uri.getHost() + ":" + port;
  }

  private static byte[] sha256(byte[] data) {
    try {
      return MessageDigest.getInstance("SHA-256").digest(data);
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("SHA-256 is missing from this JVM", e);
    }
  }

  private static byte[] hmac(byte[] key, String data) {
    Mac mac = HmacSha256.create();
    try {
      mac.init(new SecretKeySpec(key, "HmacSHA256"));
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
    return mac.doFinal(data.getBytes(StandardCharsets.UTF_8));
  }

  private static String hex(byte[] bytes) {
    return HexFormat.of().formatHex(bytes);
  }
}
