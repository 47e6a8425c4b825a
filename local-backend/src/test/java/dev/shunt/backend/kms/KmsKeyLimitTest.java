package dev.shunt.backend.kms;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.shunt.backend.auth.Identity;
import dev.shunt.backend.core.AwsException;
import dev.shunt.backend.core.RequestContext;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * KMS's resource quota, "customer managed keys per Region: 100,000", on the domain directly (a
 * hundred thousand CreateKey calls over HTTP would make a slow test): keys in every state count,
 * AWS managed keys do not, and a key's place is free again once its deletion has happened.
 */
class KmsKeyLimitTest {
  private static final String ACCOUNT = "555555555555";
  private static final Instant NOW = Instant.parse("2026-01-01T00:00:00Z");

  private final KmsBackend kms = new KmsBackend();

  @Test
  void aRegionHoldsAHundredThousandCustomerManagedKeys() {
    KmsKey first = kms.createKey(context("us-east-1", NOW), null, null, Map.of());
    for (int i = 1; i < KmsBackend.MAX_KEYS_PER_REGION; i++) {
      kms.createKey(context("us-east-1", NOW), null, null, Map.of());
    }
    assertThat(limitExceeded(NOW).getMessage())
        .isEqualTo("Customer managed keys per Region limit (100000) exceeded");

    // Another Region has its own quota; an AWS managed key is made whatever the count.
    kms.createKey(context("eu-west-1", NOW), null, null, Map.of());
    assertThat(kms.generateDataKey(context("us-east-1", NOW), "alias/aws/ebs", 32, Map.of(), "ebs",
        "GenerateDataKey").key().awsManaged()).isTrue();

    // A key pending deletion still counts; once deleted, its place is free.
    kms.scheduleKeyDeletion(context("us-east-1", NOW), first.keyId, 7);
    limitExceeded(NOW);
    Instant later = NOW.plus(Duration.ofDays(8));
    AwsException gone = catchThrowableOfType(AwsException.class,
        () -> kms.describeKey(context("us-east-1", later), first.keyId));
    assertThat(gone.code()).isEqualTo("NotFoundException");
    kms.createKey(context("us-east-1", later), null, null, Map.of());
    limitExceeded(later);
  }

  private AwsException limitExceeded(Instant now) {
    AwsException error = catchThrowableOfType(AwsException.class,
        () -> kms.createKey(context("us-east-1", now), null, null, Map.of()));
    assertThat(error).isNotNull();
    assertThat(error.code()).isEqualTo("LimitExceededException");
    return error;
  }

  private static RequestContext context(String region, Instant now) {
    return new RequestContext("test", new Identity(ACCOUNT, "AKIDTEST", "arn:aws:iam::" + ACCOUNT + ":root", region),
        now, "127.0.0.1", "test");
  }
}
