package dev.shunt.backend.kms;

import static dev.shunt.backend.AwsErrors.expectError;
import static dev.shunt.backend.AwsErrors.message;
import static org.assertj.core.api.Assertions.assertThat;

import dev.shunt.backend.BackendTest;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.core.SdkBytes;
import software.amazon.awssdk.services.kms.model.DataKeySpec;
import software.amazon.awssdk.services.kms.model.DecryptResponse;
import software.amazon.awssdk.services.kms.model.EncryptResponse;
import software.amazon.awssdk.services.kms.model.EncryptionAlgorithmSpec;
import software.amazon.awssdk.services.kms.model.GenerateDataKeyResponse;
import software.amazon.awssdk.services.kms.model.KeyMetadata;
import software.amazon.awssdk.services.kms.model.ReEncryptResponse;

/** Encrypt, Decrypt, ReEncrypt, GenerateDataKey(WithoutPlaintext) and GenerateRandom over real HTTP. */
class KmsCryptoIT extends BackendTest {

  private static KeyMetadata newKey() {
    return kms.createKey(r -> r.description("crypto test")).keyMetadata();
  }

  private static SdkBytes bytes(String text) {
    return SdkBytes.fromString(text, StandardCharsets.UTF_8);
  }

  @Test
  void encryptThenDecryptReturnsThePlaintextAndTheKeyArn() {
    KeyMetadata key = newKey();
    EncryptResponse encrypted = kms.encrypt(r -> r.keyId(key.keyId()).plaintext(bytes("attack at dawn")));
    assertThat(encrypted.keyId()).isEqualTo(key.arn());
    assertThat(encrypted.encryptionAlgorithm()).isEqualTo(EncryptionAlgorithmSpec.SYMMETRIC_DEFAULT);
    assertThat(new String(encrypted.ciphertextBlob().asByteArray(), StandardCharsets.ISO_8859_1))
        .doesNotContain("attack at dawn");

    DecryptResponse decrypted = kms.decrypt(r -> r.ciphertextBlob(encrypted.ciphertextBlob()));
    assertThat(decrypted.plaintext().asUtf8String()).isEqualTo("attack at dawn");
    assertThat(decrypted.keyId()).isEqualTo(key.arn());
  }

  @Test
  void theSamePlaintextEncryptsDifferentlyEachTime() {
    KeyMetadata key = newKey();
    SdkBytes first = kms.encrypt(r -> r.keyId(key.keyId()).plaintext(bytes("same"))).ciphertextBlob();
    SdkBytes second = kms.encrypt(r -> r.keyId(key.keyId()).plaintext(bytes("same"))).ciphertextBlob();
    assertThat(first).isNotEqualTo(second);
  }

  @Test
  void everyKeyIdentifierFormWorksForEncrypt() {
    KeyMetadata key = newKey();
    kms.createAlias(r -> r.aliasName("alias/crypto-forms").targetKeyId(key.keyId()));
    String aliasArn = key.arn().replace("key/" + key.keyId(), "alias/crypto-forms");
    for (String id : new String[] {key.keyId(), key.arn(), "alias/crypto-forms", aliasArn}) {
      EncryptResponse encrypted = kms.encrypt(r -> r.keyId(id).plaintext(bytes("x")));
      assertThat(encrypted.keyId()).as(id).isEqualTo(key.arn());
    }
  }

  @Test
  void encryptionContextIsBoundToTheCiphertext() {
    KeyMetadata key = newKey();
    Map<String, String> context = Map.of("tenant", "acme", "purpose", "test");
    SdkBytes blob = kms.encrypt(r -> r.keyId(key.keyId()).plaintext(bytes("bound")).encryptionContext(context))
        .ciphertextBlob();

    // Order of the pairs does not matter.
    Map<String, String> reordered = new java.util.LinkedHashMap<>();
    reordered.put("purpose", "test");
    reordered.put("tenant", "acme");
    assertThat(kms.decrypt(r -> r.ciphertextBlob(blob).encryptionContext(reordered)).plaintext().asUtf8String())
        .isEqualTo("bound");

    expectError("InvalidCiphertextException", () -> kms.decrypt(r -> r.ciphertextBlob(blob)));
    expectError("InvalidCiphertextException",
        () -> kms.decrypt(r -> r.ciphertextBlob(blob).encryptionContext(Map.of("tenant", "acme"))));
    expectError("InvalidCiphertextException", () -> kms.decrypt(r -> r.ciphertextBlob(blob)
        .encryptionContext(Map.of("tenant", "acme", "purpose", "other"))));
  }

  @Test
  void everyTamperedOrTruncatedByteIsRejected() {
    KeyMetadata key = newKey();
    byte[] blob = kms.encrypt(r -> r.keyId(key.keyId()).plaintext(bytes("integrity"))).ciphertextBlob().asByteArray();
    for (int i = 0; i < blob.length; i++) {
      byte[] tampered = blob.clone();
      tampered[i] ^= 0x01;
      int index = i;
      String code = catchCode(() -> kms.decrypt(r -> r.ciphertextBlob(SdkBytes.fromByteArray(tampered))));
      // Flipping a bit of the key id or account names another key (not found); everything else fails the tag.
      assertThat(code).as("byte %d", index).isIn("InvalidCiphertextException", "NotFoundException");
    }
    for (int length : new int[] {1, 10, 70, 86, blob.length - 1}) {
      byte[] truncated = java.util.Arrays.copyOf(blob, length);
      expectError("InvalidCiphertextException",
          () -> kms.decrypt(r -> r.ciphertextBlob(SdkBytes.fromByteArray(truncated))));
    }
    expectError("InvalidCiphertextException",
        () -> kms.decrypt(r -> r.ciphertextBlob(bytes("not a ciphertext blob at all, just text"))));
  }

  private static String catchCode(Runnable call) {
    try {
      call.run();
      return "no error";
    } catch (software.amazon.awssdk.awscore.exception.AwsServiceException e) {
      return e.awsErrorDetails().errorCode();
    }
  }

  @Test
  void decryptWithTheWrongKeyIdIsIncorrectKey() {
    KeyMetadata key = newKey();
    KeyMetadata other = newKey();
    SdkBytes blob = kms.encrypt(r -> r.keyId(key.keyId()).plaintext(bytes("mine"))).ciphertextBlob();
    assertThat(kms.decrypt(r -> r.ciphertextBlob(blob).keyId(key.arn())).plaintext().asUtf8String()).isEqualTo("mine");
    var error = expectError("IncorrectKeyException", () -> kms.decrypt(r -> r.ciphertextBlob(blob).keyId(other.keyId())));
    assertThat(message(error)).contains("does not identify");
  }

  @Test
  void disabledAndPendingDeletionKeysRefuseCryptography() {
    KeyMetadata key = newKey();
    SdkBytes blob = kms.encrypt(r -> r.keyId(key.keyId()).plaintext(bytes("state"))).ciphertextBlob();

    kms.disableKey(r -> r.keyId(key.keyId()));
    var disabled = expectError("DisabledException", () -> kms.encrypt(r -> r.keyId(key.keyId()).plaintext(bytes("x"))));
    assertThat(message(disabled)).isEqualTo(key.arn() + " is disabled.");
    expectError("DisabledException", () -> kms.decrypt(r -> r.ciphertextBlob(blob)));
    expectError("DisabledException", () -> kms.generateDataKey(r -> r.keyId(key.keyId()).keySpec(DataKeySpec.AES_256)));

    kms.enableKey(r -> r.keyId(key.keyId()));
    assertThat(kms.decrypt(r -> r.ciphertextBlob(blob)).plaintext().asUtf8String()).isEqualTo("state");

    kms.scheduleKeyDeletion(r -> r.keyId(key.keyId()).pendingWindowInDays(7));
    var pending = expectError("KMSInvalidStateException", () -> kms.decrypt(r -> r.ciphertextBlob(blob)));
    assertThat(message(pending)).isEqualTo(key.arn() + " is pending deletion.");
    expectError("KMSInvalidStateException", () -> kms.encrypt(r -> r.keyId(key.keyId()).plaintext(bytes("x"))));
  }

  @Test
  void plaintextAndCiphertextSizeLimitsAreAws() {
    KeyMetadata key = newKey();
    byte[] max = new byte[4096];
    SdkBytes blob = kms.encrypt(r -> r.keyId(key.keyId()).plaintext(SdkBytes.fromByteArray(max))).ciphertextBlob();
    assertThat(blob.asByteArray().length).isLessThanOrEqualTo(6144);
    assertThat(kms.decrypt(r -> r.ciphertextBlob(blob)).plaintext().asByteArray()).isEqualTo(max);

    var tooLong = expectError("ValidationException",
        () -> kms.encrypt(r -> r.keyId(key.keyId()).plaintext(SdkBytes.fromByteArray(new byte[4097]))));
    assertThat(message(tooLong)).isEqualTo("1 validation error detected: Value at 'plaintext' failed to satisfy "
        + "constraint: Member must have length less than or equal to 4096");
    var empty = expectError("ValidationException",
        () -> kms.encrypt(r -> r.keyId(key.keyId()).plaintext(SdkBytes.fromByteArray(new byte[0]))));
    assertThat(message(empty)).contains("Member must have length greater than or equal to 1");
    var bigBlob = expectError("ValidationException",
        () -> kms.decrypt(r -> r.ciphertextBlob(SdkBytes.fromByteArray(new byte[6145]))));
    assertThat(message(bigBlob)).contains("'ciphertextBlob'").contains("less than or equal to 6144");
  }

  @Test
  void unknownKeysAreNotFound() {
    String missing = "11111111-2222-3333-4444-555555555555";
    var byId = expectError("NotFoundException", () -> kms.encrypt(r -> r.keyId(missing).plaintext(bytes("x"))));
    assertThat(message(byId)).isEqualTo("Key 'arn:aws:kms:us-east-1:000000000000:key/" + missing + "' does not exist");
    var byAlias = expectError("NotFoundException",
        () -> kms.encrypt(r -> r.keyId("alias/does-not-exist").plaintext(bytes("x"))));
    assertThat(message(byAlias)).isEqualTo("Alias arn:aws:kms:us-east-1:000000000000:alias/does-not-exist is not found.");
    var malformed = expectError("NotFoundException", () -> kms.encrypt(r -> r.keyId("not-a-key").plaintext(bytes("x"))));
    assertThat(message(malformed)).isEqualTo("Invalid keyId not-a-key");
  }

  @Test
  void nonSymmetricAlgorithmsAreRejectedForSymmetricKeys() {
    KeyMetadata key = newKey();
    expectError("InvalidKeyUsageException", () -> kms.encrypt(r -> r.keyId(key.keyId()).plaintext(bytes("x"))
        .encryptionAlgorithm(EncryptionAlgorithmSpec.RSAES_OAEP_SHA_256)));
  }

  @Test
  void reEncryptMovesACiphertextToAnotherKeyAndContext() {
    KeyMetadata source = newKey();
    KeyMetadata destination = newKey();
    SdkBytes blob = kms.encrypt(r -> r.keyId(source.keyId()).plaintext(bytes("moving"))
        .encryptionContext(Map.of("from", "a"))).ciphertextBlob();
    ReEncryptResponse moved = kms.reEncrypt(r -> r.ciphertextBlob(blob).sourceEncryptionContext(Map.of("from", "a"))
        .destinationKeyId(destination.arn()).destinationEncryptionContext(Map.of("to", "b")));
    assertThat(moved.sourceKeyId()).isEqualTo(source.arn());
    assertThat(moved.keyId()).isEqualTo(destination.arn());
    DecryptResponse decrypted = kms.decrypt(r -> r.ciphertextBlob(moved.ciphertextBlob())
        .encryptionContext(Map.of("to", "b")));
    assertThat(decrypted.plaintext().asUtf8String()).isEqualTo("moving");
    assertThat(decrypted.keyId()).isEqualTo(destination.arn());

    expectError("InvalidCiphertextException", () -> kms.reEncrypt(r -> r.ciphertextBlob(blob)
        .destinationKeyId(destination.keyId())));
    expectError("IncorrectKeyException", () -> kms.reEncrypt(r -> r.ciphertextBlob(blob)
        .sourceEncryptionContext(Map.of("from", "a")).sourceKeyId(destination.keyId())
        .destinationKeyId(destination.keyId())));
    kms.disableKey(r -> r.keyId(destination.keyId()));
    expectError("DisabledException", () -> kms.reEncrypt(r -> r.ciphertextBlob(blob)
        .sourceEncryptionContext(Map.of("from", "a")).destinationKeyId(destination.keyId())));
  }

  @Test
  void generateDataKeyReturnsAKeyAndItsCiphertext() {
    KeyMetadata key = newKey();
    GenerateDataKeyResponse aes256 = kms.generateDataKey(r -> r.keyId(key.keyId()).keySpec(DataKeySpec.AES_256)
        .encryptionContext(Map.of("file", "a.txt")));
    assertThat(aes256.plaintext().asByteArray()).hasSize(32);
    assertThat(aes256.keyId()).isEqualTo(key.arn());
    assertThat(kms.decrypt(r -> r.ciphertextBlob(aes256.ciphertextBlob()).encryptionContext(Map.of("file", "a.txt")))
        .plaintext()).isEqualTo(aes256.plaintext());

    assertThat(kms.generateDataKey(r -> r.keyId(key.keyId()).keySpec(DataKeySpec.AES_128)).plaintext().asByteArray())
        .hasSize(16);
    assertThat(kms.generateDataKey(r -> r.keyId(key.keyId()).numberOfBytes(1)).plaintext().asByteArray()).hasSize(1);
    assertThat(kms.generateDataKey(r -> r.keyId(key.keyId()).numberOfBytes(1024)).plaintext().asByteArray())
        .hasSize(1024);

    var neither = expectError("ValidationException", () -> kms.generateDataKey(r -> r.keyId(key.keyId())));
    assertThat(message(neither)).isEqualTo("Please specify either number of bytes or key spec.");
    expectError("ValidationException",
        () -> kms.generateDataKey(r -> r.keyId(key.keyId()).numberOfBytes(16).keySpec(DataKeySpec.AES_128)));
    var tooMany = expectError("ValidationException", () -> kms.generateDataKey(r -> r.keyId(key.keyId()).numberOfBytes(1025)));
    assertThat(message(tooMany)).isEqualTo("1 validation error detected: Value '1025' at 'numberOfBytes' failed to "
        + "satisfy constraint: Member must have value less than or equal to 1024");
    expectError("ValidationException", () -> kms.generateDataKey(r -> r.keyId(key.keyId()).numberOfBytes(0)));
  }

  @Test
  void generateDataKeyWithoutPlaintextDecryptsToARandomKey() {
    KeyMetadata key = newKey();
    var response = kms.generateDataKeyWithoutPlaintext(r -> r.keyId(key.keyId()).keySpec(DataKeySpec.AES_256));
    assertThat(response.keyId()).isEqualTo(key.arn());
    byte[] dataKey = kms.decrypt(r -> r.ciphertextBlob(response.ciphertextBlob())).plaintext().asByteArray();
    assertThat(dataKey).hasSize(32);
  }

  @Test
  void generateRandomGivesTheBytesAskedFor() {
    byte[] first = kms.generateRandom(r -> r.numberOfBytes(64)).plaintext().asByteArray();
    byte[] second = kms.generateRandom(r -> r.numberOfBytes(64)).plaintext().asByteArray();
    assertThat(first).hasSize(64).isNotEqualTo(second);
    assertThat(kms.generateRandom(r -> r.numberOfBytes(1024)).plaintext().asByteArray()).hasSize(1024);
    expectError("ValidationException", () -> kms.generateRandom(r -> r.numberOfBytes(1025)));
    expectError("ValidationException", () -> kms.generateRandom(r -> r.numberOfBytes(0)));
    expectError("ValidationException", () -> kms.generateRandom(r -> { }));
    expectError("CustomKeyStoreNotFoundException",
        () -> kms.generateRandom(r -> r.numberOfBytes(8).customKeyStoreId("cks-1234567890abcdef0")));
  }

  @Test
  void dryRunChecksEverythingButAnswersDryRunOperation() {
    KeyMetadata key = newKey();
    expectError("DryRunOperationException", 412,
        () -> kms.encrypt(r -> r.keyId(key.keyId()).plaintext(bytes("x")).dryRun(true)));
    expectError("NotFoundException",
        () -> kms.encrypt(r -> r.keyId("alias/missing-dry-run").plaintext(bytes("x")).dryRun(true)));
  }
}
