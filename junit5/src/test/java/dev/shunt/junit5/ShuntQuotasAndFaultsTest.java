package dev.shunt.junit5;

import static dev.shunt.junit5.ShuntAssertions.assertThat;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import software.amazon.awssdk.awscore.exception.AwsServiceException;
import software.amazon.awssdk.core.exception.SdkClientException;
import software.amazon.awssdk.core.retry.RetryMode;
import software.amazon.awssdk.services.kms.KmsClient;
import software.amazon.awssdk.services.kms.model.KmsException;
import software.amazon.awssdk.services.secretsmanager.SecretsManagerClient;
import software.amazon.awssdk.services.ssm.SsmClient;

/**
 * Quotas and faults per test, over real HTTP: throttles and the SDK's retries as the server saw
 * them, AWS errors, bare statuses, resets and latency; and a class's own quotas and faults.
 */
class ShuntQuotasAndFaultsTest {
  @RegisterExtension
  static ShuntExtension shuntExtension = ShuntExtension.builder()
      .seed("shunt/seed.yaml")
      .quota("ssm:GetParametersByPath", 0)
      .fault(Fault.on("secretsmanager:ListSecrets").error("InternalServiceError", 500, "Injected for the class"))
      .build();

  private static String errorCode(Throwable thrown) {
    return ((AwsServiceException) thrown).awsErrorDetails().errorCode();
  }

  @Test
  void aZeroQuotaThrottlesEveryAttemptAndTheAuditCountsTheSdksRetries(KmsClient kms, Shunt shunt) {
    shunt.quotas().rate("kms:DescribeKey", 0);
    KmsException thrown = catchThrowableOfType(KmsException.class,
        () -> kms.describeKey(r -> r.keyId("alias/orders")));
    assertThat(errorCode(thrown)).isEqualTo("ThrottlingException");
    int attempts = thrown.numAttempts();
    assertThat(attempts).as("the SDK's default retries").isGreaterThan(1);

    ShuntAudit audit = shunt.audit();
    assertThat(audit).kms("DescribeKey").throttled().hasCount(attempts);
    assertThat(audit).kms("DescribeKey").forKey("alias/orders").throttled().hasCount(attempts);
    assertThat(audit).kms("DescribeKey").retries().hasCount(attempts - 1);
    assertThat(audit).kms("DescribeKey").calls().extracting(AuditCall::attempt)
        .containsExactlyElementsOf(java.util.stream.IntStream.rangeClosed(1, attempts).boxed().toList());
    assertThat(audit).kms("DescribeKey").calls().extracting(AuditCall::invocationId).containsOnly(
        audit.calls().get(0).invocationId());
    kms.listAliases();
    assertThat(shunt.audit()).kms("ListAliases").succeeded().hasCount(1);
  }

  @Test
  void aRateLetsItsBurstThroughThenThrottlesAndTheSdkRetriesUntilItPasses(Shunt shunt) {
    shunt.quotas().rate("secretsmanager:GetSecretValue", 2);
    // Legacy retries (the SDK's default where nothing configures another): throttles wait 250 ms or more, then
    // 500 ms or more; the bucket has a token again every 500 ms, so the third attempt at the latest passes.
    try (SecretsManagerClient secrets = shunt.configure(SecretsManagerClient.builder())
        .overrideConfiguration(c -> c.retryStrategy(RetryMode.LEGACY)).build()) {
      for (int i = 0; i < 4; i++) {
        secrets.getSecretValue(r -> r.secretId("orders/db"));
      }
    }
    ShuntAudit audit = shunt.audit();
    assertThat(audit).secrets("GetSecretValue").succeeded().hasCount(4);
    assertThat(audit).secrets("GetSecretValue").throttled().hasCountAtLeast(1);
    assertThat(audit).secrets("GetSecretValue").throttled().count()
        .isEqualTo(audit.calls(AuditCall::retry).size());
  }

  @Test
  void awsQuotasCanBeScaledForOneTest(KmsClient kms, Shunt shunt) {
    assertThat(shunt.quotas().enforced()).isTrue();
    shunt.quotas().off();
    assertThat(shunt.quotas().enforced()).isFalse();
    shunt.quotas().aws().scale(0.2);   // CreateKey: 5 per second, scaled: 1
    try (KmsClient noRetries = shunt.configure(KmsClient.builder())
        .overrideConfiguration(c -> c.retryStrategy(RetryMode.STANDARD).retryStrategy(b -> b.maxAttempts(1)))
        .build()) {
      noRetries.createKey(r -> r.description("one"));
      assertThat(errorCode(catchThrowableOfType(KmsException.class,
          () -> noRetries.createKey(r -> r.description("two"))))).isEqualTo("ThrottlingException");
    }
    assertThat(shunt.audit()).kms("CreateKey").throttled().hasCount(1);
  }

  @Test
  void anInjectedAwsErrorIsAnsweredAndRecordedForEachAttempt(KmsClient kms, Shunt shunt) {
    shunt.faults().add(Fault.on("kms:GenerateDataKey").forResource("alias/orders").error("KMSInternalException"));
    KmsException thrown = catchThrowableOfType(KmsException.class,
        () -> kms.generateDataKey(r -> r.keyId("alias/orders").numberOfBytes(32)));
    assertThat(errorCode(thrown)).isEqualTo("KMSInternalException");
    assertThat(thrown.statusCode()).isEqualTo(500);
    assertThat(shunt.audit()).kms("GenerateDataKey").failedWith("KMSInternalException").hasCount(thrown.numAttempts());
    assertThat(shunt.audit()).kms("GenerateDataKey").retries().hasCount(thrown.numAttempts() - 1);
    assertThat(shunt.faults().describe()).contains("KMSInternalException");
  }

  @Test
  void anInjectedThrottleIsTheServicesOwn(SsmClient ssm, Shunt shunt) {
    shunt.faults().add(Fault.on("ssm:GetParameter").throttle());
    AwsServiceException thrown = catchThrowableOfType(AwsServiceException.class,
        () -> ssm.getParameter(r -> r.name("/orders/batch-size")));
    assertThat(errorCode(thrown)).isEqualTo("ThrottlingException");
    assertThat(shunt.audit()).ssm("GetParameter").forParameter("/orders/batch-size").throttled()
        .hasCount(thrown.numAttempts());
  }

  @Test
  void bareStatusesResetsAndLatency(KmsClient kms, Shunt shunt) {
    shunt.faults().add(Fault.on("kms:ListKeys").status(503))
        .add(Fault.on("kms:ListAliases").connectionReset())
        .add(Fault.on("kms:GenerateRandom").latency(Duration.ofMillis(300)));
    AwsServiceException unavailable = catchThrowableOfType(AwsServiceException.class, () -> kms.listKeys());
    assertThat(unavailable.statusCode()).isEqualTo(503);
    assertThatThrownBy(() -> kms.listAliases()).isInstanceOf(SdkClientException.class);
    long start = System.nanoTime();
    kms.generateRandom(r -> r.numberOfBytes(8));
    assertThat(Duration.ofNanos(System.nanoTime() - start)).isGreaterThanOrEqualTo(Duration.ofMillis(300));
    ShuntAudit audit = shunt.audit();
    assertThat(audit).kms("ListKeys").failedWith("HTTP 503").hasCount(unavailable.numAttempts());
    assertThat(audit).kms("ListAliases").failedWith("ConnectionReset").hasCountAtLeast(1);
    assertThat(audit).kms("GenerateRandom").succeeded().hasCount(1);
  }

  @Test
  void aRuleTheBackendRefusesSaysWhy(Shunt shunt) {
    assertThatThrownBy(() -> shunt.faults().add(Fault.on("Decrypt").throttle()))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("service:Operation");
    assertThatThrownBy(() -> shunt.quotas().rate("Decrypt", 1)).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> Fault.on("kms:Decrypt").rate(0.5)).isInstanceOf(IllegalStateException.class);
  }

  @Test
  void theClassesQuotasAndFaultsHoldInEveryTestAndATestsOwnAreUndone(SsmClient ssm, SecretsManagerClient secrets,
      KmsClient kms, Shunt shunt) {
    assertThat(errorCode(catchThrowableOfType(AwsServiceException.class,
        () -> ssm.getParametersByPath(r -> r.path("/orders"))))).isEqualTo("ThrottlingException");
    assertThat(errorCode(catchThrowableOfType(AwsServiceException.class, () -> secrets.listSecrets())))
        .isEqualTo("InternalServiceError");
    // What the other tests set is gone, whichever ran before.
    kms.describeKey(r -> r.keyId("alias/orders"));
    kms.generateDataKey(r -> r.keyId("alias/orders").numberOfBytes(32));
    kms.listKeys();
    ssm.getParameter(r -> r.name("/orders/batch-size"));
    shunt.faults().clear();
    secrets.listSecrets();
    assertThat(shunt.audit()).kms().succeeded().hasCount(3);
  }
}
