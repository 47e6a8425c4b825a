package dev.shunt.backend.upstream;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.net.http.HttpRequest;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;

class UpstreamSignerTest {

  /** The Host the JDK's client sends, which is the one that must be signed. */
  @ParameterizedTest
  @CsvSource({
      "https://kms.us-east-1.amazonaws.com, kms.us-east-1.amazonaws.com",
      "https://kms.us-east-1.amazonaws.com:443, kms.us-east-1.amazonaws.com",
      "https://kms.example.com:8443, kms.example.com:8443",
      "http://127.0.0.1:80, 127.0.0.1",
      "http://127.0.0.1:4566, 127.0.0.1:4566",
      "http://[::1]:4566, [::1]:4566",
  })
  void theHostHeaderHasThePortOnlyWhenNotTheSchemesOwn(String endpoint, String host) {
    assertThat(UpstreamSigner.hostHeader(URI.create(endpoint))).isEqualTo(host);
  }

  @ParameterizedTest
  @CsvSource({"https://kms.eu-west-1.amazonaws.com", "http://127.0.0.1:4566"})
  void theRequestCarriesTheSignatureButNoHeaderTheJdkWritesItself(String endpoint) {
    HttpRequest request = UpstreamSigner.signedRequest(URI.create(endpoint), "kms", "eu-west-1",
        "TrentService.ListKeys", "application/x-amz-json-1.1", "{}".getBytes(StandardCharsets.UTF_8),
        AwsBasicCredentials.create("AKID", "secret"), Duration.ofSeconds(3));

    assertThat(request.uri()).isEqualTo(URI.create(endpoint + "/"));
    assertThat(request.method()).isEqualTo("POST");
    assertThat(request.timeout()).contains(Duration.ofSeconds(3));
    assertThat(request.headers().firstValue("Authorization")).get().asString()
        .startsWith("AWS4-HMAC-SHA256 Credential=AKID/").contains("/eu-west-1/kms/aws4_request")
        .containsPattern("SignedHeaders=content-type;host;(x-amz-content-sha256;)?x-amz-date;x-amz-target,");
    assertThat(request.headers().firstValue("X-Amz-Target")).contains("TrentService.ListKeys");
    assertThat(request.headers().map().keySet()).noneMatch(name -> name.equalsIgnoreCase("Host")
        || name.equalsIgnoreCase("Content-Length"));
  }
}
