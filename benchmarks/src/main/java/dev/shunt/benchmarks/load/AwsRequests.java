package dev.shunt.benchmarks.load;

import java.io.ByteArrayOutputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import software.amazon.awssdk.http.ContentStreamProvider;
import software.amazon.awssdk.http.SdkHttpMethod;
import software.amazon.awssdk.http.SdkHttpRequest;
import software.amazon.awssdk.http.auth.aws.signer.AwsV4FamilyHttpSigner;
import software.amazon.awssdk.http.auth.aws.signer.AwsV4HttpSigner;
import software.amazon.awssdk.http.auth.spi.signer.SignedRequest;
import software.amazon.awssdk.identity.spi.AwsCredentialsIdentity;

/**
 * AWS JSON 1.1 requests as raw HTTP/1.1 bytes, signed with the AWS SDK's own SigV4 signer (so a
 * backend checking signatures verifies real ones) or carrying only the credential scope (enough
 * for {@code --auth trust}). A signature stays valid for minutes, longer than any run, so one
 * signed request is sent over and over, and the backend still verifies every copy.
 */
public final class AwsRequests {
  public static final String ACCESS_KEY = "AKIDBENCHMARK";
  public static final String SECRET_KEY = "benchmark-secret";
  private static final String AMZ_JSON = "application/x-amz-json-1.1";

  private final URI endpoint;
  private final boolean sign;
  private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

  public AwsRequests(URI endpoint, boolean sign) {
    this.endpoint = endpoint;
    this.sign = sign;
  }

  /** The signing name a target's service signs with. */
  static String service(String target) {
    if (target.startsWith("TrentService.")) {
      return "kms";
    }
    if (target.startsWith("secretsmanager.")) {
      return "secretsmanager";
    }
    if (target.startsWith("AmazonSSM.")) {
      return "ssm";
    }
    throw new IllegalArgumentException("Unknown target " + target);
  }

  /** The headers to send: Host, Content-Type, X-Amz-Target and the SigV4 ones. */
  public Map<String, List<String>> headers(String target, byte[] body) {
    String host = endpoint.getHost() + ":" + endpoint.getPort();
    SdkHttpRequest request = SdkHttpRequest.builder().uri(endpoint.resolve("/")).method(SdkHttpMethod.POST)
        .putHeader("Host", host).putHeader("Content-Type", AMZ_JSON).putHeader("X-Amz-Target", target).build();
    if (!sign) {
      return request.toBuilder().putHeader("Authorization", "AWS4-HMAC-SHA256 Credential=" + ACCESS_KEY
          + "/20260101/us-east-1/" + service(target) + "/aws4_request, SignedHeaders=host, Signature=00")
          .build().headers();
    }
    SignedRequest signed = AwsV4HttpSigner.create().sign(r -> r
        .identity(AwsCredentialsIdentity.create(ACCESS_KEY, SECRET_KEY))
        .request(request)
        .payload(ContentStreamProvider.fromByteArray(body))
        .putProperty(AwsV4HttpSigner.REGION_NAME, "us-east-1")
        .putProperty(AwsV4FamilyHttpSigner.SERVICE_SIGNING_NAME, service(target)));
    return signed.request().headers();
  }

  /** The whole request as bytes on the wire. */
  public byte[] raw(String target, String body) {
    return raw(body, headers(target, body.getBytes(StandardCharsets.UTF_8)));
  }

  /**
   * The whole request as bytes on the wire, unsigned (trust auth), from {@code accessKeyId}: a
   * 12-digit one is its own account, so requests can spread over accounts.
   */
  public byte[] rawAs(String accessKeyId, String target, String body) {
    Map<String, List<String>> headers = new java.util.LinkedHashMap<>(headers(target,
        body.getBytes(StandardCharsets.UTF_8)));
    headers.put("Authorization", List.of("AWS4-HMAC-SHA256 Credential=" + accessKeyId + "/20260101/us-east-1/"
        + service(target) + "/aws4_request, SignedHeaders=host, Signature=00"));
    return raw(body, headers);
  }

  private static byte[] raw(String body, Map<String, List<String>> headers) {
    byte[] payload = body.getBytes(StandardCharsets.UTF_8);
    StringBuilder head = new StringBuilder("POST / HTTP/1.1\r\n");
    headers.forEach((name, values) -> values.forEach(v -> head.append(name).append(": ").append(v)
        .append("\r\n")));
    head.append("Content-Length: ").append(payload.length).append("\r\n\r\n");
    ByteArrayOutputStream out = new ByteArrayOutputStream(head.length() + payload.length);
    out.writeBytes(head.toString().getBytes(StandardCharsets.US_ASCII));
    out.writeBytes(payload);
    return out.toByteArray();
  }

  /** Sends one request (for setting up state) and returns the body; fails unless the answer is 200. */
  public String call(String target, String body) throws Exception {
    byte[] payload = body.getBytes(StandardCharsets.UTF_8);
    HttpRequest.Builder request = HttpRequest.newBuilder(endpoint.resolve("/"))
        .POST(HttpRequest.BodyPublishers.ofByteArray(payload));
    headers(target, payload).forEach((name, values) -> {
      if (!name.equalsIgnoreCase("Host")) {
        values.forEach(v -> request.header(name, v));
      }
    });
    HttpResponse<String> response = http.send(request.build(), HttpResponse.BodyHandlers.ofString());
    if (response.statusCode() != 200) {
      throw new IllegalStateException(target + " answered " + response.statusCode() + ": " + response.body());
    }
    return response.body();
  }

  /** The text at {@code path} in a JSON answer; fails naming what is missing. */
  public static String field(String json, String... path) throws Exception {
    com.fasterxml.jackson.databind.JsonNode node = new com.fasterxml.jackson.databind.ObjectMapper().readTree(json);
    for (String name : path) {
      node = node.path(name);
    }
    if (!node.isTextual()) {
      throw new IllegalStateException("No " + String.join(".", path) + " in " + json);
    }
    return node.asText();
  }
}
