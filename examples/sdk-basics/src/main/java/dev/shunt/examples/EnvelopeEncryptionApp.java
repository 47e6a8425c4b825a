package dev.shunt.examples;

import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.Map;
import javax.crypto.Cipher;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;
import software.amazon.awssdk.core.SdkBytes;
import software.amazon.awssdk.services.kms.KmsClient;
import software.amazon.awssdk.services.kms.model.DataKeySpec;
import software.amazon.awssdk.services.kms.model.GenerateDataKeyResponse;
import software.amazon.awssdk.services.secretsmanager.SecretsManagerClient;
import software.amazon.awssdk.services.ssm.SsmClient;
import software.amazon.awssdk.services.ssm.model.ParameterType;

/**
 * An ordinary AWS application: envelope encryption with a KMS data key, a database secret in
 * Secrets Manager and a setting in Parameter Store. It knows nothing of any emulator: it builds
 * its clients with the SDK's defaults.
 */
public final class EnvelopeEncryptionApp {
  private EnvelopeEncryptionApp() {}

  public static void main(String[] args) throws Exception {
    try (KmsClient kms = KmsClient.create();
        SecretsManagerClient secrets = SecretsManagerClient.create();
        SsmClient ssm = SsmClient.create()) {
      String keyId = kms.createKey(r -> r.description("orders data key")).keyMetadata().keyId();
      Map<String, String> context = Map.of("purpose", "orders");

      // Envelope encryption: a data key from KMS encrypts the record locally; only its encrypted copy is kept.
      GenerateDataKeyResponse dataKey = kms.generateDataKey(r -> r.keyId(keyId).keySpec(DataKeySpec.AES_256)
          .encryptionContext(context));
      byte[] record = "order 42: 3 widgets".getBytes(StandardCharsets.UTF_8);
      byte[] iv = new byte[12];
      new SecureRandom().nextBytes(iv);
      byte[] sealed = aesGcm(Cipher.ENCRYPT_MODE, dataKey.plaintext().asByteArray(), iv, record);
      SdkBytes storedKey = dataKey.ciphertextBlob();

      byte[] unwrapped = kms.decrypt(r -> r.ciphertextBlob(storedKey).encryptionContext(context))
          .plaintext().asByteArray();
      byte[] opened = aesGcm(Cipher.DECRYPT_MODE, unwrapped, iv, sealed);
      check(Arrays.equals(opened, record), "the record decrypts to what was encrypted");

      secrets.createSecret(r -> r.name("orders/db").secretString("{\"username\":\"orders\",\"password\":\"pw\"}"));
      String secret = secrets.getSecretValue(r -> r.secretId("orders/db")).secretString();
      check(secret.contains("\"username\":\"orders\""), "the secret reads back");

      ssm.putParameter(r -> r.name("/orders/batch-size").value("50").type(ParameterType.STRING));
      String batchSize = ssm.getParameter(r -> r.name("/orders/batch-size")).parameter().value();
      check(batchSize.equals("50"), "the parameter reads back");

      System.out.println("OK: envelope encryption with KMS key " + keyId
          + ", secret orders/db and parameter /orders/batch-size all worked");
    }
  }

  private static byte[] aesGcm(int mode, byte[] key, byte[] iv, byte[] input) throws Exception {
    Cipher cipher = Cipher.getInstance("AES/GCM/NoPadding");
    cipher.init(mode, new SecretKeySpec(key, "AES"), new GCMParameterSpec(128, iv));
    return cipher.doFinal(input);
  }

  private static void check(boolean condition, String what) {
    if (!condition) {
      throw new IllegalStateException("FAILED: " + what);
    }
  }
}
