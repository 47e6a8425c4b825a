package dev.shunt.examples;

import com.amazonaws.encryptionsdk.AwsCrypto;
import com.amazonaws.encryptionsdk.CommitmentPolicy;
import com.amazonaws.encryptionsdk.CryptoResult;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Map;
import software.amazon.awssdk.services.kms.KmsClient;
import software.amazon.cryptography.materialproviders.IKeyring;
import software.amazon.cryptography.materialproviders.MaterialProviders;
import software.amazon.cryptography.materialproviders.model.CreateAwsKmsKeyringInput;
import software.amazon.cryptography.materialproviders.model.MaterialProvidersConfig;

/**
 * The AWS Encryption SDK for Java 3.x with a KMS keyring: encrypts a message larger than the 4 KB
 * KMS Encrypt accepts (the SDK wraps a data key with KMS and encrypts the message itself), then
 * decrypts it. Nothing here knows about an emulator.
 */
public final class EncryptionSdkApp {
  private EncryptionSdkApp() {}

  public static void main(String[] args) {
    try (KmsClient kms = KmsClient.create()) {
      String keyArn = kms.createKey(r -> r.description("encryption sdk key")).keyMetadata().arn();
      MaterialProviders providers = MaterialProviders.builder()
          .MaterialProvidersConfig(MaterialProvidersConfig.builder().build()).build();
      IKeyring keyring = providers.CreateAwsKmsKeyring(CreateAwsKmsKeyringInput.builder()
          .kmsKeyId(keyArn).kmsClient(kms).build());
      AwsCrypto crypto = AwsCrypto.builder()
          .withCommitmentPolicy(CommitmentPolicy.RequireEncryptRequireDecrypt).build();

      byte[] message = "A message well over four kilobytes. ".repeat(300).getBytes(StandardCharsets.UTF_8);
      Map<String, String> context = Map.of("tenant", "acme");
      CryptoResult<byte[], ?> encrypted = crypto.encryptData(keyring, message, context);
      CryptoResult<byte[], ?> decrypted = crypto.decryptData(keyring, encrypted.getResult(), context);
      if (!Arrays.equals(decrypted.getResult(), message)) {
        throw new IllegalStateException("FAILED: the message did not decrypt to itself");
      }
      System.out.println("OK: the Encryption SDK encrypted and decrypted " + message.length + " bytes ("
          + encrypted.getResult().length + " bytes of ciphertext) with KMS key " + keyArn);
    }
  }
}
