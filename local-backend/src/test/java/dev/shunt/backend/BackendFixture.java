package dev.shunt.backend;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.awscore.client.builder.AwsClientBuilder;
import software.amazon.awssdk.core.client.builder.SdkSyncClientBuilder;
import software.amazon.awssdk.core.client.config.ClientOverrideConfiguration;
import software.amazon.awssdk.core.retry.RetryMode;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.kms.KmsClient;
import software.amazon.awssdk.services.secretsmanager.SecretsManagerClient;
import software.amazon.awssdk.services.ssm.SsmClient;

/**
 * A real backend on a free loopback port, and real AWS SDK v2 clients pointed at it. Tests use
 * distinct keys, or reset the backend, rather than sharing state across test classes.
 */
public final class BackendFixture implements AutoCloseable {
  public static final String SECRET = "secret";
  private final ShuntBackend backend;
  private final HttpClient http = HttpClient.newHttpClient();

  private BackendFixture(ShuntBackend backend) {
    this.backend = backend;
  }

  /** A backend without request quotas (tests of behaviour should not wait on AWS's 5 CreateKey per second). */
  public static BackendFixture start() {
    return start(ShuntBackend.builder());
  }

  /** The builder's backend on a free port; without quotas unless the builder sets them. */
  public static BackendFixture start(ShuntBackend.Builder builder) {
    if (!builder.has("quotas")) {
      builder.option("quotas", "off");
    }
    return new BackendFixture(builder.port(0).start());
  }

  public ShuntBackend backend() {
    return backend;
  }

  public URI uri() {
    return backend.uri();
  }

  /** A KMS client for the default test access key, in us-east-1. */
  public KmsClient kms() {
    return kms("AKIDTEST", Region.US_EAST_1);
  }

  public KmsClient kms(String accessKeyId, Region region) {
    return kms(accessKeyId, SECRET, region);
  }

  public KmsClient kms(String accessKeyId, String secret, Region region) {
    return client(KmsClient.builder(), accessKeyId, secret, region);
  }

  /** Sends a raw HTTP request (no SDK in the way) and returns the response. */
  public HttpResponse<String> post(String path, String target, String body) throws Exception {
    HttpRequest.Builder request = HttpRequest.newBuilder(backend.uri().resolve(path))
        .POST(HttpRequest.BodyPublishers.ofString(body))
        .header("Content-Type", "application/x-amz-json-1.1");
    if (target != null) {
      request.header("X-Amz-Target", target);
    }
    return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
  }

  public HttpResponse<String> get(String path) throws Exception {
    return http.send(HttpRequest.newBuilder(backend.uri().resolve(path)).GET().build(),
        HttpResponse.BodyHandlers.ofString());
  }

  /** A Secrets Manager client for the default test access key, in us-east-1. */
  public SecretsManagerClient secrets() {
    return secrets("AKIDTEST", Region.US_EAST_1);
  }

  public SecretsManagerClient secrets(String accessKeyId, Region region) {
    return secrets(accessKeyId, SECRET, region);
  }

  public SecretsManagerClient secrets(String accessKeyId, String secret, Region region) {
    return client(SecretsManagerClient.builder(), accessKeyId, secret, region);
  }

  /** An SSM client for the default test access key, in us-east-1. */
  public SsmClient ssm() {
    return ssm("AKIDTEST", Region.US_EAST_1);
  }

  public SsmClient ssm(String accessKeyId, Region region) {
    return ssm(accessKeyId, SECRET, region);
  }

  public SsmClient ssm(String accessKeyId, String secret, Region region) {
    return client(SsmClient.builder(), accessKeyId, secret, region);
  }

  @Override
  public void close() {
    backend.close();
  }

  /** A client of any of the three services, pointed at this backend, with standard retries. */
  private <B extends AwsClientBuilder<B, C> & SdkSyncClientBuilder<B, C>, C> C client(B builder, String accessKeyId,
      String secret, Region region) {
    return builder
        .endpointOverride(backend.uri())
        .region(region)
        .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create(accessKeyId, secret)))
        .httpClient(UrlConnectionHttpClient.create())
        .overrideConfiguration(ClientOverrideConfiguration.builder()
            .retryStrategy(RetryMode.STANDARD)
            .apiCallTimeout(Duration.ofSeconds(30))
            .build())
        .build();
  }
}
