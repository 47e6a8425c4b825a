package dev.shunt.loadtest;

import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.awscore.AwsRequestOverrideConfiguration;
import software.amazon.awssdk.awscore.exception.AwsServiceException;
import software.amazon.awssdk.awscore.retry.AwsRetryStrategy;
import software.amazon.awssdk.core.SdkBytes;
import software.amazon.awssdk.core.client.config.ClientOverrideConfiguration;
import software.amazon.awssdk.http.SdkHttpClient;
import software.amazon.awssdk.http.apache.ApacheHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.retries.api.RetryStrategy;
import software.amazon.awssdk.services.kms.KmsClient;
import software.amazon.awssdk.services.kms.model.DataKeySpec;
import software.amazon.awssdk.services.kms.model.NotFoundException;
import software.amazon.awssdk.services.secretsmanager.SecretsManagerClient;
import software.amazon.awssdk.services.secretsmanager.model.ResourceNotFoundException;
import software.amazon.awssdk.services.ssm.SsmClient;
import software.amazon.awssdk.services.ssm.model.ParameterType;

/**
 * The load through the real AWS SDK v2 clients (KMS, Secrets Manager, SSM), in the SDK's standard
 * retry mode with the run's maximum attempts; {@link AttemptRecorder} counts every attempt. Before
 * the run, {@link #setUp()} makes what the operations read (or finds it, from an earlier run against
 * the same Shunt): a symmetric key {@code alias/shunt-loadtest} and a ciphertext under it, a secret
 * {@code shunt-loadtest/secret}, a parameter {@code /shunt-loadtest/parameter}.
 */
final class SdkTarget implements LoadTarget {
  static final String KEY_ALIAS = "alias/shunt-loadtest";
  static final String SECRET_NAME = "shunt-loadtest/secret";
  static final String PARAMETER_PATH = "/shunt-loadtest";
  static final String PARAMETER_NAME = PARAMETER_PATH + "/parameter";
  private static final SdkBytes PLAINTEXT = SdkBytes.fromString("shunt load test", StandardCharsets.UTF_8);

  private final List<Operations> operations;
  private final URI endpoint;
  private final Region region;
  private final StaticCredentialsProvider credentials;
  private final SdkHttpClient http;
  private final KmsClient kms;
  private final SecretsManagerClient secrets;
  private final SsmClient ssm;
  private final AwsRequestOverrideConfiguration[] tags;
  private String keyId;
  private SdkBytes ciphertext;

  SdkTarget(URI endpoint, String region, String accessKey, String secretKey, int maxAttempts, int connections,
      List<Operations> operations, LoadStats stats, RunClock clock) {
    this.operations = List.copyOf(operations);
    this.endpoint = endpoint;
    this.region = Region.of(region);
    this.credentials = StaticCredentialsProvider.create(AwsBasicCredentials.create(accessKey, secretKey));
    this.http = ApacheHttpClient.builder().maxConnections(connections).connectionTimeout(Duration.ofSeconds(5))
        .socketTimeout(Duration.ofSeconds(30)).build();
    AttemptRecorder recorder = new AttemptRecorder(stats, clock, maxAttempts);
    // A retry strategy of its own for each client, as an application's clients have: the standard
    // strategy's retry quota (its circuit breaker) is the strategy's, and one service's throttles
    // must not use up another's retries.
    kms = operations.stream().anyMatch(o -> o.id.startsWith("kms:")) ? kms(load(recorder, maxAttempts)) : null;
    secrets = operations.stream().anyMatch(o -> o.id.startsWith("secretsmanager:"))
        ? secrets(load(recorder, maxAttempts)) : null;
    ssm = operations.stream().anyMatch(o -> o.id.startsWith("ssm:")) ? ssm(load(recorder, maxAttempts)) : null;
    tags = new AwsRequestOverrideConfiguration[operations.size()];
    for (int i = 0; i < tags.length; i++) {
      tags[i] = AwsRequestOverrideConfiguration.builder().putExecutionAttribute(AttemptRecorder.OPERATION, i).build();
    }
  }

  private static ClientOverrideConfiguration load(AttemptRecorder recorder, int maxAttempts) {
    RetryStrategy retries = AwsRetryStrategy.standardRetryStrategy().toBuilder().maxAttempts(maxAttempts).build();
    return ClientOverrideConfiguration.builder().retryStrategy(retries).addExecutionInterceptor(recorder)
        .apiCallTimeout(Duration.ofSeconds(60)).build();
  }

  private KmsClient kms(ClientOverrideConfiguration configuration) {
    return KmsClient.builder().endpointOverride(endpoint).region(region).credentialsProvider(credentials)
        .httpClient(http).overrideConfiguration(configuration).build();
  }

  private SecretsManagerClient secrets(ClientOverrideConfiguration configuration) {
    return SecretsManagerClient.builder().endpointOverride(endpoint).region(region).credentialsProvider(credentials)
        .httpClient(http).overrideConfiguration(configuration).build();
  }

  private SsmClient ssm(ClientOverrideConfiguration configuration) {
    return SsmClient.builder().endpointOverride(endpoint).region(region).credentialsProvider(credentials)
        .httpClient(http).overrideConfiguration(configuration).build();
  }

  /**
   * Makes (or finds) what the operations read, with clients of its own that retry up to ten
   * times, so that a throttled set-up call (CreateKey's quota is 5 per second) does not stop the
   * run, and that none of it is counted.
   */
  void setUp() {
    ClientOverrideConfiguration patient = ClientOverrideConfiguration.builder()
        .retryStrategy(AwsRetryStrategy.standardRetryStrategy().toBuilder().maxAttempts(10).build()).build();
    Set<Operations.Needs> needs = EnumSet.noneOf(Operations.Needs.class);
    operations.forEach(o -> needs.add(o.needs));
    if (needs.contains(Operations.Needs.KEY) || needs.contains(Operations.Needs.CIPHERTEXT)) {
      try (KmsClient setup = kms(patient)) {
        try {
          keyId = setup.describeKey(r -> r.keyId(KEY_ALIAS)).keyMetadata().keyId();
        } catch (NotFoundException e) {
          keyId = setup.createKey(r -> r.description("Shunt load test")).keyMetadata().keyId();
          setup.createAlias(r -> r.aliasName(KEY_ALIAS).targetKeyId(keyId));
        }
        if (needs.contains(Operations.Needs.CIPHERTEXT)) {
          ciphertext = setup.encrypt(r -> r.keyId(keyId).plaintext(PLAINTEXT)).ciphertextBlob();
        }
      }
    }
    if (needs.contains(Operations.Needs.SECRET)) {
      try (SecretsManagerClient setup = secrets(patient)) {
        try {
          setup.describeSecret(r -> r.secretId(SECRET_NAME));
        } catch (ResourceNotFoundException e) {
          setup.createSecret(r -> r.name(SECRET_NAME).secretString("{\"user\":\"load\",\"password\":\"test\"}"));
        }
      }
    }
    if (needs.contains(Operations.Needs.PARAMETER)) {
      try (SsmClient setup = ssm(patient)) {
        setup.putParameter(r -> r.name(PARAMETER_NAME).value("42").type(ParameterType.STRING).overwrite(true));
      }
    }
  }

  /**
   * A few calls of each operation through the load's own clients, not counted: the first calls of
   * a JVM load classes, open connections and compile, which would otherwise be the run's first
   * second's latency. They are made before the run's first second, so the server's stats of the
   * run's window leave them out too.
   */
  void warmUp(int callsEach) {
    for (int i = 0; i < callsEach; i++) {
      for (int op = 0; op < operations.size(); op++) {
        call(op, null);
      }
    }
  }

  @Override
  public String call(int op) {
    return call(op, tags[op]);
  }

  /** A call; {@code tag} marks it as the load's (null: a warm-up call, not counted). */
  private String call(int op, AwsRequestOverrideConfiguration tag) {
    try {
      switch (operations.get(op)) {
        case KMS_DECRYPT -> kms.decrypt(r -> r.ciphertextBlob(ciphertext).overrideConfiguration(tag));
        case KMS_ENCRYPT -> kms.encrypt(r -> r.keyId(keyId).plaintext(PLAINTEXT).overrideConfiguration(tag));
        case KMS_GENERATE_DATA_KEY -> kms.generateDataKey(r -> r.keyId(keyId).keySpec(DataKeySpec.AES_256)
            .overrideConfiguration(tag));
        case KMS_GENERATE_RANDOM -> kms.generateRandom(r -> r.numberOfBytes(32).overrideConfiguration(tag));
        case KMS_DESCRIBE_KEY -> kms.describeKey(r -> r.keyId(keyId).overrideConfiguration(tag));
        case SECRETS_GET_SECRET_VALUE -> secrets.getSecretValue(r -> r.secretId(SECRET_NAME)
            .overrideConfiguration(tag));
        case SECRETS_DESCRIBE_SECRET -> secrets.describeSecret(r -> r.secretId(SECRET_NAME)
            .overrideConfiguration(tag));
        case SSM_GET_PARAMETER -> ssm.getParameter(r -> r.name(PARAMETER_NAME).overrideConfiguration(tag));
        case SSM_GET_PARAMETERS -> ssm.getParameters(r -> r.names(PARAMETER_NAME).overrideConfiguration(tag));
        case SSM_GET_PARAMETERS_BY_PATH -> ssm.getParametersByPath(r -> r.path(PARAMETER_PATH)
            .overrideConfiguration(tag));
        default -> throw new IllegalStateException(operations.get(op).id);
      }
      return null;
    } catch (RuntimeException e) {
      return errorCode(e);
    }
  }

  /** A failed call's code: the AWS error code, else the innermost I/O failure's class, else the exception's. */
  static String errorCode(Throwable failure) {
    if (failure instanceof AwsServiceException aws && aws.awsErrorDetails() != null
        && aws.awsErrorDetails().errorCode() != null) {
      return aws.awsErrorDetails().errorCode();
    }
    Throwable io = null;
    Throwable cause = failure;
    for (int depth = 0; cause != null && depth < 10; depth++) {
      if (cause instanceof IOException) {
        io = cause;
      }
      cause = cause.getCause();
    }
    return (io != null ? io : failure).getClass().getSimpleName();
  }

  @Override
  public void close() {
    for (AutoCloseable client : new AutoCloseable[] {kms, secrets, ssm}) {
      if (client != null) {
        try {
          client.close();
        } catch (Exception e) {
          // closing
        }
      }
    }
    http.close();
  }
}
