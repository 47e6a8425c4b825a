package dev.shunt.backend.kms;

import static dev.shunt.backend.AwsErrors.expectError;
import static org.assertj.core.api.Assertions.assertThat;

import dev.shunt.backend.BackendTest;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.core.SdkBytes;
import software.amazon.awssdk.services.kms.model.DecryptResponse;
import software.amazon.awssdk.services.kms.model.EncryptResponse;
import software.amazon.awssdk.services.kms.model.GetKeyLastUsageResponse;
import software.amazon.awssdk.services.kms.model.KeyLastUsageTrackingOperation;
import software.amazon.awssdk.services.kms.model.KeyMetadata;

/** GetKeyLastUsage: the time, operation and request of a key's last cryptographic use. */
class KmsKeyLastUsageIT extends BackendTest {

  @Test
  void aNewKeyHasNoLastUsage() {
    KeyMetadata key = kms.createKey(r -> r.description("unused")).keyMetadata();
    GetKeyLastUsageResponse usage = kms.getKeyLastUsage(r -> r.keyId(key.keyId()));
    assertThat(usage.keyId()).isEqualTo(key.arn());
    assertThat(usage.keyCreationDate()).isEqualTo(key.creationDate());
    assertThat(usage.trackingStartDate()).isEqualTo(key.creationDate());
    assertThat(usage.keyLastUsage()).isNull();
    // Reading metadata is not a use.
    kms.describeKey(r -> r.keyId(key.keyId()));
    assertThat(kms.getKeyLastUsage(r -> r.keyId(key.arn())).keyLastUsage()).isNull();
  }

  @Test
  void eachCryptographicUseIsRecordedWithItsRequestId() {
    KeyMetadata key = kms.createKey(r -> r.description("used")).keyMetadata();
    EncryptResponse encrypted = kms.encrypt(r -> r.keyId(key.keyId()).plaintext(SdkBytes.fromUtf8String("x")));
    GetKeyLastUsageResponse usage = kms.getKeyLastUsage(r -> r.keyId(key.keyId()));
    assertThat(usage.keyLastUsage().operation()).isEqualTo(KeyLastUsageTrackingOperation.ENCRYPT);
    assertThat(usage.keyLastUsage().kmsRequestId()).isEqualTo(encrypted.responseMetadata().requestId());
    assertThat(usage.keyLastUsage().timestamp()).isBetween(key.creationDate(), Instant.now().plusSeconds(1));

    shunt.backend().clock().advance(Duration.ofHours(1));
    DecryptResponse decrypted = kms.decrypt(r -> r.ciphertextBlob(encrypted.ciphertextBlob()));
    usage = kms.getKeyLastUsage(r -> r.keyId(key.keyId()));
    assertThat(usage.keyLastUsage().operation()).isEqualTo(KeyLastUsageTrackingOperation.DECRYPT);
    assertThat(usage.keyLastUsage().kmsRequestId()).isEqualTo(decrypted.responseMetadata().requestId());
    assertThat(usage.keyLastUsage().timestamp()).isAfter(Instant.now().plus(Duration.ofMinutes(50)));

    kms.generateDataKeyWithoutPlaintext(r -> r.keyId(key.keyId()).numberOfBytes(32));
    assertThat(kms.getKeyLastUsage(r -> r.keyId(key.keyId())).keyLastUsage().operation())
        .isEqualTo(KeyLastUsageTrackingOperation.GENERATE_DATA_KEY_WITHOUT_PLAINTEXT);

    KeyMetadata destination = kms.createKey(r -> r.description("destination")).keyMetadata();
    kms.reEncrypt(r -> r.ciphertextBlob(encrypted.ciphertextBlob()).destinationKeyId(destination.keyId()));
    assertThat(kms.getKeyLastUsage(r -> r.keyId(key.keyId())).keyLastUsage().operation())
        .isEqualTo(KeyLastUsageTrackingOperation.RE_ENCRYPT);
    assertThat(kms.getKeyLastUsage(r -> r.keyId(destination.keyId())).keyLastUsage().operation())
        .isEqualTo(KeyLastUsageTrackingOperation.RE_ENCRYPT);
  }

  @Test
  void aFailedUseIsNotRecorded() {
    KeyMetadata key = kms.createKey(r -> r.description("disabled")).keyMetadata();
    kms.disableKey(r -> r.keyId(key.keyId()));
    expectError("DisabledException", () -> kms.encrypt(r -> r.keyId(key.keyId())
        .plaintext(SdkBytes.fromUtf8String("x"))));
    assertThat(kms.getKeyLastUsage(r -> r.keyId(key.keyId())).keyLastUsage()).isNull();
  }

  @Test
  void unknownKeysAreNotFound() {
    expectError("NotFoundException", () -> kms.getKeyLastUsage(r -> r.keyId("11111111-2222-3333-4444-555555555555")));
    expectError("NotFoundException", () -> kms.getKeyLastUsage(r -> r.keyId("alias/nothing-here")));
    expectError("NotFoundException", () -> kms.getKeyLastUsage(r -> r.keyId("not a key")));
  }
}
