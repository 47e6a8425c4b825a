package dev.shunt.examples.vault;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import javax.crypto.Cipher;
import javax.crypto.Mac;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;
import software.amazon.awssdk.core.SdkBytes;
import software.amazon.awssdk.services.kms.KmsClient;
import software.amazon.awssdk.services.kms.model.DataKeySpec;
import software.amazon.awssdk.services.kms.model.GenerateDataKeyResponse;
import software.amazon.awssdk.services.secretsmanager.SecretsManagerClient;

/**
 * Stores tenants' documents encrypted, the way many services do with KMS (envelope encryption):
 * each tenant's documents are sealed with AES-256-GCM under a data key that KMS generates under
 * the vault's key, with the tenant in the encryption context, and that the vault keeps (plaintext
 * in memory, encrypted beside each document) so that KMS is asked for one data key per tenant, not
 * one per document. Document ids are a blind index: an HMAC of the title under a key kept in
 * Secrets Manager, read once.
 *
 * <p>An ordinary class: it takes the SDK clients it is given and knows nothing of Shunt.
 */
public final class DocumentVault {
  /** A document as stored: the ciphertext, and the data key it was sealed under, encrypted by KMS. */
  private record Sealed(String tenant, byte[] encryptedDataKey, byte[] iv, byte[] ciphertext) {}

  /** A tenant's data key: plaintext for sealing, and encrypted for storing beside what it sealed. */
  private record DataKey(byte[] plaintext, byte[] encrypted) {}

  private final KmsClient kms;
  private final SecretsManagerClient secrets;
  private final String keyId;
  private final String indexKeySecret;
  private final SecureRandom random = new SecureRandom();
  private final Map<String, DataKey> dataKeys = new ConcurrentHashMap<>();
  private final Map<String, Sealed> documents = new ConcurrentHashMap<>();
  private volatile byte[] indexKey;

  /**
   * @param keyId the KMS key the data keys are generated under (an alias, say)
   * @param indexKeySecret the secret holding the blind index's HMAC key
   */
  public DocumentVault(KmsClient kms, SecretsManagerClient secrets, String keyId, String indexKeySecret) {
    this.kms = kms;
    this.secrets = secrets;
    this.keyId = keyId;
    this.indexKeySecret = indexKeySecret;
  }

  /** Stores a tenant's document and returns its id. */
  public String store(String tenant, String title, String text) {
    DataKey dataKey = dataKeys.computeIfAbsent(tenant, this::newDataKey);
    byte[] iv = new byte[12];
    random.nextBytes(iv);
    byte[] ciphertext = aesGcm(Cipher.ENCRYPT_MODE, dataKey.plaintext(), iv, tenant,
        text.getBytes(StandardCharsets.UTF_8));
    String id = id(tenant, title);
    documents.put(id, new Sealed(tenant, dataKey.encrypted(), iv, ciphertext));
    return id;
  }

  /**
   * Reads a tenant's document: its data key is decrypted by KMS, with the tenant in the encryption
   * context, so that one tenant's data key never opens another's documents.
   */
  public String read(String tenant, String id) {
    Sealed sealed = documents.get(id);
    if (sealed == null) {
      throw new IllegalArgumentException("No document " + id);
    }
    byte[] dataKey = kms.decrypt(r -> r.keyId(keyId).ciphertextBlob(SdkBytes.fromByteArray(sealed.encryptedDataKey()))
        .encryptionContext(context(tenant))).plaintext().asByteArray();
    try {
      return new String(aesGcm(Cipher.DECRYPT_MODE, dataKey, sealed.iv(), tenant, sealed.ciphertext()),
          StandardCharsets.UTF_8);
    } finally {
      Arrays.fill(dataKey, (byte) 0);
    }
  }

  /** The id of a tenant's document with this title (the same title gives the same id). */
  public String id(String tenant, String title) {
    try {
      Mac mac = Mac.getInstance("HmacSHA256");
      mac.init(new SecretKeySpec(indexKey(), "HmacSHA256"));
      return HexFormat.of().formatHex(mac.doFinal((tenant + "\n" + title).getBytes(StandardCharsets.UTF_8)), 0, 16);
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
  }

  private byte[] indexKey() {
    byte[] key = indexKey;
    if (key == null) {
      key = secrets.getSecretValue(r -> r.secretId(indexKeySecret)).secretString().getBytes(StandardCharsets.UTF_8);
      indexKey = key;
    }
    return key;
  }

  private DataKey newDataKey(String tenant) {
    GenerateDataKeyResponse response = kms.generateDataKey(r -> r.keyId(keyId).keySpec(DataKeySpec.AES_256)
        .encryptionContext(context(tenant)));
    return new DataKey(response.plaintext().asByteArray(), response.ciphertextBlob().asByteArray());
  }

  private static Map<String, String> context(String tenant) {
    return Map.of("tenant", tenant, "purpose", "document");
  }

  private static byte[] aesGcm(int mode, byte[] key, byte[] iv, String tenant, byte[] input) {
    try {
      Cipher cipher = Cipher.getInstance("AES/GCM/NoPadding");
      cipher.init(mode, new SecretKeySpec(key, "AES"), new GCMParameterSpec(128, iv));
      cipher.updateAAD(tenant.getBytes(StandardCharsets.UTF_8));
      return cipher.doFinal(input);
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("Cannot " + (mode == Cipher.ENCRYPT_MODE ? "seal" : "open") + " a document", e);
    }
  }
}
