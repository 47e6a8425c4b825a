package dev.shunt.backend.kms;

import static dev.shunt.backend.AwsErrors.expectError;
import static dev.shunt.backend.AwsErrors.message;
import static org.assertj.core.api.Assertions.assertThat;

import dev.shunt.backend.BackendTest;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import software.amazon.awssdk.core.SdkBytes;
import software.amazon.awssdk.services.kms.model.GenerateMacResponse;
import software.amazon.awssdk.services.kms.model.KeyMetadata;
import software.amazon.awssdk.services.kms.model.KeySpec;
import software.amazon.awssdk.services.kms.model.KeyUsageType;
import software.amazon.awssdk.services.kms.model.MacAlgorithmSpec;
import software.amazon.awssdk.services.kms.model.VerifyMacResponse;

/**
 * GenerateMac and VerifyMac over real HTTP with the SDK, one test per error the API reference
 * documents. The HMAC key never leaves KMS, so no outside HMAC can be compared here (the family's
 * own test compares with Bouncy Castle and OpenSSL given the key bytes): instead the MAC has its
 * digest's length, and VerifyMac refuses every one-bit change of it.
 */
class KmsMacIT extends BackendTest {
  private static final SdkBytes MESSAGE = SdkBytes.fromString("order 42 paid", StandardCharsets.UTF_8);

  private static KeyMetadata hmacKey(KeySpec spec) {
    return kms.createKey(r -> r.keySpec(spec).keyUsage(KeyUsageType.GENERATE_VERIFY_MAC)).keyMetadata();
  }

  private static SdkBytes mac(String keyId, MacAlgorithmSpec algorithm, SdkBytes message) {
    return kms.generateMac(r -> r.keyId(keyId).macAlgorithm(algorithm).message(message)).mac();
  }

  @ParameterizedTest
  @CsvSource({"HMAC_224, HMAC_SHA_224, 28", "HMAC_256, HMAC_SHA_256, 32", "HMAC_384, HMAC_SHA_384, 48",
      "HMAC_512, HMAC_SHA_512, 64"})
  void aMacHasItsDigestsLengthAndVerifies(KeySpec spec, MacAlgorithmSpec algorithm, int length) {
    KeyMetadata key = hmacKey(spec);
    GenerateMacResponse generated = kms.generateMac(r -> r.keyId(key.keyId()).macAlgorithm(algorithm)
        .message(MESSAGE));
    assertThat(generated.mac().asByteArray()).hasSize(length);
    assertThat(generated.keyId()).isEqualTo(key.arn());
    assertThat(generated.macAlgorithm()).isEqualTo(algorithm);

    VerifyMacResponse verified = kms.verifyMac(r -> r.keyId(key.keyId()).macAlgorithm(algorithm).message(MESSAGE)
        .mac(generated.mac()));
    assertThat(verified.macValid()).isTrue();
    assertThat(verified.keyId()).isEqualTo(key.arn());
    assertThat(verified.macAlgorithm()).isEqualTo(algorithm);
  }

  @Test
  void aMacIsDeterministicPerKeyAndMessageAndNamedByAliasOrArnAlike() {
    KeyMetadata key = hmacKey(KeySpec.HMAC_256);
    kms.createAlias(r -> r.aliasName("alias/webhooks").targetKeyId(key.keyId()));
    SdkBytes mac = mac(key.keyId(), MacAlgorithmSpec.HMAC_SHA_256, MESSAGE);
    assertThat(mac(key.arn(), MacAlgorithmSpec.HMAC_SHA_256, MESSAGE)).isEqualTo(mac);
    assertThat(mac("alias/webhooks", MacAlgorithmSpec.HMAC_SHA_256, MESSAGE)).isEqualTo(mac);
    assertThat(mac(key.keyId(), MacAlgorithmSpec.HMAC_SHA_256, SdkBytes.fromUtf8String("order 43 paid")))
        .isNotEqualTo(mac);
    assertThat(mac(hmacKey(KeySpec.HMAC_256).keyId(), MacAlgorithmSpec.HMAC_SHA_256, MESSAGE)).isNotEqualTo(mac);
  }

  @Test
  void verifyMacRefusesEverySingleBitFlipOfTheMac() {
    KeyMetadata key = hmacKey(KeySpec.HMAC_256);
    byte[] mac = mac(key.keyId(), MacAlgorithmSpec.HMAC_SHA_256, MESSAGE).asByteArray();
    for (int bit = 0; bit < mac.length * 8; bit++) {
      byte[] flipped = mac.clone();
      flipped[bit / 8] ^= (byte) (1 << (bit % 8));
      expectError("KMSInvalidMacException", () -> kms.verifyMac(r -> r.keyId(key.keyId())
          .macAlgorithm(MacAlgorithmSpec.HMAC_SHA_256).message(MESSAGE).mac(SdkBytes.fromByteArray(flipped))));
    }
  }

  @Test
  void aMacOfAnotherMessageOrKeyOrTruncatedIsKmsInvalidMac() {
    KeyMetadata key = hmacKey(KeySpec.HMAC_384);
    KeyMetadata other = hmacKey(KeySpec.HMAC_384);
    byte[] mac = mac(key.keyId(), MacAlgorithmSpec.HMAC_SHA_384, MESSAGE).asByteArray();
    expectError("KMSInvalidMacException", () -> kms.verifyMac(r -> r.keyId(key.keyId())
        .macAlgorithm(MacAlgorithmSpec.HMAC_SHA_384).message(SdkBytes.fromUtf8String("order 43 paid"))
        .mac(SdkBytes.fromByteArray(mac))));
    expectError("KMSInvalidMacException", () -> kms.verifyMac(r -> r.keyId(other.keyId())
        .macAlgorithm(MacAlgorithmSpec.HMAC_SHA_384).message(MESSAGE).mac(SdkBytes.fromByteArray(mac))));
    byte[] truncated = java.util.Arrays.copyOf(mac, 32);
    expectError("KMSInvalidMacException", () -> kms.verifyMac(r -> r.keyId(key.keyId())
        .macAlgorithm(MacAlgorithmSpec.HMAC_SHA_384).message(MESSAGE).mac(SdkBytes.fromByteArray(truncated))));
  }

  @Test
  void anAlgorithmOtherThanTheKeysIsInvalidKeyUsage() {
    KeyMetadata key = hmacKey(KeySpec.HMAC_256);
    SdkBytes mac = mac(key.keyId(), MacAlgorithmSpec.HMAC_SHA_256, MESSAGE);
    var error = expectError("InvalidKeyUsageException", () -> kms.generateMac(r -> r.keyId(key.keyId())
        .macAlgorithm(MacAlgorithmSpec.HMAC_SHA_512).message(MESSAGE)));
    assertThat(message(error)).contains("HMAC_SHA_512").contains(key.arn());
    expectError("InvalidKeyUsageException", () -> kms.verifyMac(r -> r.keyId(key.keyId())
        .macAlgorithm(MacAlgorithmSpec.HMAC_SHA_224).message(MESSAGE).mac(mac)));
  }

  @Test
  void aKeyThatIsNotAnHmacKeyIsInvalidKeyUsage() {
    String symmetric = kms.createKey(r -> { }).keyMetadata().keyId();
    String signing = kms.createKey(r -> r.keySpec(KeySpec.ECC_NIST_P256).keyUsage(KeyUsageType.SIGN_VERIFY))
        .keyMetadata().keyId();
    for (String keyId : new String[] {symmetric, signing}) {
      var error = expectError("InvalidKeyUsageException", () -> kms.generateMac(r -> r.keyId(keyId)
          .macAlgorithm(MacAlgorithmSpec.HMAC_SHA_256).message(MESSAGE)));
      assertThat(message(error)).contains("GenerateMac");
      expectError("InvalidKeyUsageException", () -> kms.verifyMac(r -> r.keyId(keyId)
          .macAlgorithm(MacAlgorithmSpec.HMAC_SHA_256).message(MESSAGE).mac(SdkBytes.fromByteArray(new byte[32]))));
    }
  }

  @Test
  void aDisabledKeyIsDisabledAndOnePendingDeletionIsInvalidState() {
    KeyMetadata key = hmacKey(KeySpec.HMAC_224);
    SdkBytes mac = mac(key.keyId(), MacAlgorithmSpec.HMAC_SHA_224, MESSAGE);
    kms.disableKey(r -> r.keyId(key.keyId()));
    var disabled = expectError("DisabledException", () -> mac(key.keyId(), MacAlgorithmSpec.HMAC_SHA_224, MESSAGE));
    assertThat(message(disabled)).isEqualTo(key.arn() + " is disabled.");
    expectError("DisabledException", () -> kms.verifyMac(r -> r.keyId(key.keyId())
        .macAlgorithm(MacAlgorithmSpec.HMAC_SHA_224).message(MESSAGE).mac(mac)));

    kms.scheduleKeyDeletion(r -> r.keyId(key.keyId()).pendingWindowInDays(7));
    var pending = expectError("KMSInvalidStateException",
        () -> mac(key.keyId(), MacAlgorithmSpec.HMAC_SHA_224, MESSAGE));
    assertThat(message(pending)).isEqualTo(key.arn() + " is pending deletion.");
    expectError("KMSInvalidStateException", () -> kms.verifyMac(r -> r.keyId(key.keyId())
        .macAlgorithm(MacAlgorithmSpec.HMAC_SHA_224).message(MESSAGE).mac(mac)));
  }

  @Test
  void aKeyOrAliasThatDoesNotExistIsNotFound() {
    expectError("NotFoundException", () -> mac("0b7b4f3c-1d1e-4a7e-9a55-3d6a9b1c0f11", MacAlgorithmSpec.HMAC_SHA_256,
        MESSAGE));
    expectError("NotFoundException", () -> kms.verifyMac(r -> r.keyId("alias/missing")
        .macAlgorithm(MacAlgorithmSpec.HMAC_SHA_256).message(MESSAGE).mac(SdkBytes.fromByteArray(new byte[32]))));
  }

  @Test
  void aKeyPolicyThatDeniesTheActionIsAccessDenied() {
    KeyMetadata key = hmacKey(KeySpec.HMAC_256);
    SdkBytes mac = mac(key.keyId(), MacAlgorithmSpec.HMAC_SHA_256, MESSAGE);
    kms.putKeyPolicy(r -> r.keyId(key.keyId()).policy("{\"Statement\":[{\"Effect\":\"Deny\",\"Principal\":\"*\","
        + "\"Action\":\"kms:VerifyMac\",\"Resource\":\"*\"},{\"Effect\":\"Allow\",\"Principal\":{\"AWS\":\"*\"},"
        + "\"Action\":\"kms:*\",\"Resource\":\"*\"}]}"));
    assertThat(mac(key.keyId(), MacAlgorithmSpec.HMAC_SHA_256, MESSAGE)).isEqualTo(mac);
    var denied = expectError("AccessDeniedException", () -> kms.verifyMac(r -> r.keyId(key.keyId())
        .macAlgorithm(MacAlgorithmSpec.HMAC_SHA_256).message(MESSAGE).mac(mac)));
    assertThat(message(denied)).contains("kms:VerifyMac");
  }

  @Test
  void dryRunChecksEverythingButTheMacAndAnswersDryRunOperation() {
    KeyMetadata key = hmacKey(KeySpec.HMAC_256);
    var dryRun = expectError("DryRunOperationException", 412, () -> kms.generateMac(r -> r.keyId(key.keyId())
        .macAlgorithm(MacAlgorithmSpec.HMAC_SHA_256).message(MESSAGE).dryRun(true)));
    assertThat(message(dryRun)).contains("DryRun");
    // A wrong MAC is not looked at: the request would have been allowed.
    expectError("DryRunOperationException", 412, () -> kms.verifyMac(r -> r.keyId(key.keyId())
        .macAlgorithm(MacAlgorithmSpec.HMAC_SHA_256).message(MESSAGE).mac(SdkBytes.fromByteArray(new byte[32]))
        .dryRun(true)));
    expectError("InvalidKeyUsageException", () -> kms.generateMac(r -> r.keyId(key.keyId())
        .macAlgorithm(MacAlgorithmSpec.HMAC_SHA_384).message(MESSAGE).dryRun(true)));
    kms.disableKey(r -> r.keyId(key.keyId()));
    expectError("DisabledException", () -> kms.generateMac(r -> r.keyId(key.keyId())
        .macAlgorithm(MacAlgorithmSpec.HMAC_SHA_256).message(MESSAGE).dryRun(true)));
  }

  @Test
  void theMessageIsOneTo4096BytesAndGrantTokensAreAccepted() {
    KeyMetadata key = hmacKey(KeySpec.HMAC_512);
    SdkBytes largest = SdkBytes.fromByteArray(new byte[4096]);
    // Grant tokens KMS issued are accepted; one it did not issue is refused, as by every operation that takes them.
    String token = kms.createGrant(r -> r.keyId(key.keyId()).granteePrincipal("arn:aws:iam::000000000000:role/mac")
        .operations(software.amazon.awssdk.services.kms.model.GrantOperation.GENERATE_MAC)).grantToken();
    SdkBytes mac = kms.generateMac(r -> r.keyId(key.keyId()).macAlgorithm(MacAlgorithmSpec.HMAC_SHA_512)
        .message(largest).grantTokens(token, token)).mac();
    assertThat(kms.verifyMac(r -> r.keyId(key.keyId()).macAlgorithm(MacAlgorithmSpec.HMAC_SHA_512).message(largest)
        .mac(mac).grantTokens(token)).macValid()).isTrue();
    expectError("InvalidGrantTokenException", () -> kms.verifyMac(r -> r.keyId(key.keyId())
        .macAlgorithm(MacAlgorithmSpec.HMAC_SHA_512).message(largest).mac(mac).grantTokens("token-1")));

    var tooLong = expectError("ValidationException", () -> kms.generateMac(r -> r.keyId(key.keyId())
        .macAlgorithm(MacAlgorithmSpec.HMAC_SHA_512).message(SdkBytes.fromByteArray(new byte[4097]))));
    assertThat(message(tooLong)).contains("'message'").contains("less than or equal to 4096");
    expectError("ValidationException", () -> kms.generateMac(r -> r.keyId(key.keyId())
        .macAlgorithm(MacAlgorithmSpec.HMAC_SHA_512).message(SdkBytes.fromByteArray(new byte[0]))));
    expectError("ValidationException", () -> kms.verifyMac(r -> r.keyId(key.keyId())
        .macAlgorithm(MacAlgorithmSpec.HMAC_SHA_512).message(MESSAGE)));
  }
}
