package dev.shunt.backend.upstream;

import java.net.URI;
import java.net.http.HttpRequest;
import java.time.Duration;
import java.util.Locale;
import java.util.Set;
import software.amazon.awssdk.http.ContentStreamProvider;
import software.amazon.awssdk.http.SdkHttpFullRequest;
import software.amazon.awssdk.http.SdkHttpMethod;
import software.amazon.awssdk.http.auth.aws.signer.AwsV4HttpSigner;
import software.amazon.awssdk.http.auth.spi.signer.SignedRequest;
import software.amazon.awssdk.identity.spi.AwsCredentialsIdentity;

/**
 * Builds one upstream attempt: an AWS JSON 1.1 POST to "/", SigV4-signed by the SDK's signer,
 * as a JDK request. Signed afresh for every attempt, so each carries its own X-Amz-Date.
 */
final class UpstreamSigner {
  private static final AwsV4HttpSigner SIGNER = AwsV4HttpSigner.create();
  /** Headers the JDK's client writes itself and refuses from us; Host is signed with the value it sends. */
  private static final Set<String> WRITTEN_BY_JDK = Set.of("host", "content-length", "connection", "expect",
      "upgrade");

  private UpstreamSigner() {}

  static HttpRequest signedRequest(URI endpoint, String signingName, String region, String target,
      String contentType, byte[] body, AwsCredentialsIdentity credentials, Duration timeout) {
    URI uri = endpoint.resolve("/");
    SdkHttpFullRequest.Builder unsigned = SdkHttpFullRequest.builder()
        .method(SdkHttpMethod.POST)
        .uri(uri)
        .putHeader("Host", hostHeader(uri))
        .putHeader("Content-Type", contentType);
    if (target != null) {
      unsigned.putHeader("X-Amz-Target", target);
    }
    SdkHttpFullRequest request = unsigned.build();
    SignedRequest signed = SIGNER.sign(r -> r.identity(credentials)
        .request(request)
        .payload(ContentStreamProvider.fromByteArrayUnsafe(body))
        .putProperty(AwsV4HttpSigner.SERVICE_SIGNING_NAME, signingName)
        .putProperty(AwsV4HttpSigner.REGION_NAME, region));
    HttpRequest.Builder jdk = HttpRequest.newBuilder(uri)
        .timeout(timeout)
        .POST(HttpRequest.BodyPublishers.ofByteArray(body));
    signed.request().forEachHeader((name, values) -> {
      if (!WRITTEN_BY_JDK.contains(name.toLowerCase(Locale.ROOT))) {
        values.forEach(value -> jdk.header(name, value));
      }
    });
    return jdk.build();
  }

  /** The Host header the JDK's HTTP/1.1 client sends: host, and the port only when not the scheme's own. */
  static String hostHeader(URI uri) {
    int port = uri.getPort();
    boolean https = "https".equalsIgnoreCase(uri.getScheme());
    boolean defaultPort = port == -1 || (https && port == 443) || (!https && port == 80);
    return defaultPort ? uri.getHost() : uri.getHost() + ":" + port;
  }
}
