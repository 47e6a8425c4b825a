package dev.shunt.backend.kms;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import software.amazon.awssdk.http.ContentStreamProvider;
import software.amazon.awssdk.http.SdkHttpMethod;
import software.amazon.awssdk.http.SdkHttpRequest;
import software.amazon.awssdk.http.auth.aws.signer.AwsV4HttpSigner;
import software.amazon.awssdk.http.auth.spi.signer.SignedRequest;
import software.amazon.awssdk.identity.spi.AwsCredentialsIdentity;

/**
 * An XKS proxy for tests, on a loopback port: it answers GetHealthStatus at any
 * {@code <prefix>/kms/xks/v1/health} after checking the request's SigV4 signature with the AWS
 * SDK's own signer (so Shunt's signing is checked by an independent implementation), and can be
 * told to deny, stall, answer garbage or report its key managers unavailable.
 */
final class TestXksProxy implements AutoCloseable {
  static final String PATH = "/example/kms/xks/v1";
  static final String ACCESS_KEY_ID = "ABCDEFGHIJKLMNOPQRST";
  static final String SECRET = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRS";
  private static final DateTimeFormatter AMZ_DATE = DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss'Z'")
      .withZone(ZoneOffset.UTC);

  enum Behaviour { HEALTHY, ALL_UNAVAILABLE, INVALID_BODY, STALL }

  private final HttpServer server;
  private final java.util.concurrent.ExecutorService threads = java.util.concurrent.Executors.newCachedThreadPool();
  volatile Behaviour behaviour = Behaviour.HEALTHY;
  volatile String expectedRegion = "us-east-1";
  volatile int healthRequests;
  volatile JsonNode lastBody;

  TestXksProxy() throws IOException {
    server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    server.createContext("/", this::health);
    server.setExecutor(threads);
    server.start();
  }

  String endpoint() {
    return "http://127.0.0.1:" + server.getAddress().getPort();
  }

  private void health(HttpExchange exchange) throws IOException {
    byte[] body = exchange.getRequestBody().readAllBytes();
    healthRequests++;
    lastBody = new ObjectMapper().readTree(body);
    if (!exchange.getRequestURI().getPath().endsWith("/kms/xks/v1/health")) {
      respond(exchange, 404, "{}");
      return;
    }
    if (!exchange.getRequestMethod().equals("POST") || !signatureValid(exchange, body)) {
      respond(exchange, 401, "{\"errorName\":\"AuthenticationFailedException\"}");
      return;
    }
    switch (behaviour) {
      case HEALTHY -> respond(exchange, 200, health("ACTIVE"));
      case ALL_UNAVAILABLE -> respond(exchange, 200, health("UNAVAILABLE"));
      case INVALID_BODY -> respond(exchange, 200, "<html>not an XKS proxy</html>");
      case STALL -> {
        try {
          Thread.sleep(4000);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
        respond(exchange, 200, health("ACTIVE"));
      }
    }
  }

  private static String health(String status) {
    return "{\"xksProxyFipsCompliant\":false,\"xksProxyVersion\":\"1.0.0\",\"xksProxyVendor\":\"Shunt tests\","
        + "\"ekms\":[{\"ekmVendor\":\"Shunt tests\",\"healthStatus\":\"" + status + "\"}]}";
  }

  /** Signs the same request with the SDK's SigV4 signer at the request's own time and compares. */
  private boolean signatureValid(HttpExchange exchange, byte[] body) {
    String amzDate = exchange.getRequestHeaders().getFirst("X-Amz-Date");
    String authorization = exchange.getRequestHeaders().getFirst("Authorization");
    if (amzDate == null || authorization == null) {
      return false;
    }
    Instant signedAt = Instant.from(AMZ_DATE.parse(amzDate));
    SdkHttpRequest request = SdkHttpRequest.builder().method(SdkHttpMethod.POST)
        .uri(java.net.URI.create(endpoint() + exchange.getRequestURI()))
        .putHeader("Content-Type", exchange.getRequestHeaders().getFirst("Content-Type"))
        .build();
    SignedRequest signed = AwsV4HttpSigner.create().sign(r -> r
        .identity(AwsCredentialsIdentity.create(ACCESS_KEY_ID, SECRET))
        .request(request)
        .payload(ContentStreamProvider.fromByteArray(body))
        .putProperty(AwsV4HttpSigner.SERVICE_SIGNING_NAME, "kms-xks-proxy")
        .putProperty(AwsV4HttpSigner.REGION_NAME, expectedRegion)
        .putProperty(AwsV4HttpSigner.SIGNING_CLOCK, Clock.fixed(signedAt, ZoneOffset.UTC)));
    return authorization.equals(signed.request().firstMatchingHeader("Authorization").orElse(null));
  }

  private static void respond(HttpExchange exchange, int status, String text) throws IOException {
    byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
    exchange.getResponseHeaders().add("Content-Type", "application/json");
    exchange.sendResponseHeaders(status, bytes.length);
    exchange.getResponseBody().write(bytes);
    exchange.close();
  }

  @Override
  public void close() {
    server.stop(0);
    threads.shutdownNow();
  }
}
