package dev.shunt.backend.store;

import static dev.shunt.backend.AwsErrors.expectError;
import static org.assertj.core.api.Assertions.assertThat;

import dev.shunt.backend.BackendFixture;
import dev.shunt.backend.ShuntBackend;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.core.SdkBytes;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.kms.KmsClient;
import software.amazon.awssdk.services.kms.model.DataKeySpec;
import software.amazon.awssdk.services.kms.model.GrantOperation;
import software.amazon.awssdk.services.kms.model.KeyMetadata;
import software.amazon.awssdk.services.kms.model.KeySpec;
import software.amazon.awssdk.services.kms.model.KeyUsageType;
import software.amazon.awssdk.services.kms.model.ListKeysResponse;
import software.amazon.awssdk.services.kms.model.MacAlgorithmSpec;
import software.amazon.awssdk.services.kms.model.MessageType;
import software.amazon.awssdk.services.kms.model.SigningAlgorithmSpec;
import software.amazon.awssdk.services.kms.model.Tag;

/** KMS state in a data directory: every key, its material versions, aliases, grants and settings survive a restart. */
class KmsDurableStateIT {
  @TempDir
  Path dir;

  private BackendFixture start() {
    return BackendFixture.start(ShuntBackend.builder().option("data-dir", dir.toString()));
  }

  @Test
  void keysAliasesGrantsAndMaterialSurviveARestart() {
    String symmetric;
    String rsa;
    String hmac;
    String replica;
    String grantId;
    byte[] oldCiphertext;
    byte[] newCiphertext;
    byte[] signature;
    byte[] mac;
    byte[] wrappedDataKey;
    byte[] dataKey;
    KeyMetadata before;
    String marker;
    try (BackendFixture shunt = start()) {
      KmsClient kms = shunt.kms();
      symmetric = kms.createKey(r -> r.description("orders").tags(Tag.builder().tagKey("team").tagValue("a").build()))
          .keyMetadata().keyId();
      oldCiphertext = kms.encrypt(r -> r.keyId(symmetric).plaintext(SdkBytes.fromUtf8String("before rotation"))
          .encryptionContext(Map.of("purpose", "test"))).ciphertextBlob().asByteArray();
      kms.rotateKeyOnDemand(r -> r.keyId(symmetric));
      newCiphertext = kms.encrypt(r -> r.keyId(symmetric).plaintext(SdkBytes.fromUtf8String("after rotation")))
          .ciphertextBlob().asByteArray();
      var generated = kms.generateDataKey(r -> r.keyId(symmetric).keySpec(DataKeySpec.AES_256));
      wrappedDataKey = generated.ciphertextBlob().asByteArray();
      dataKey = generated.plaintext().asByteArray();
      kms.enableKeyRotation(r -> r.keyId(symmetric).rotationPeriodInDays(180));
      kms.createAlias(r -> r.aliasName("alias/orders").targetKeyId(symmetric));
      grantId = kms.createGrant(r -> r.keyId(symmetric).granteePrincipal("arn:aws:iam::000000000000:role/app")
          .operations(GrantOperation.DECRYPT).name("app")).grantId();

      rsa = kms.createKey(r -> r.keySpec(KeySpec.RSA_2048).keyUsage(KeyUsageType.SIGN_VERIFY)).keyMetadata().keyId();
      signature = kms.sign(r -> r.keyId(rsa).message(SdkBytes.fromUtf8String("signed"))
          .messageType(MessageType.RAW).signingAlgorithm(SigningAlgorithmSpec.RSASSA_PSS_SHA_256)).signature()
          .asByteArray();
      hmac = kms.createKey(r -> r.keySpec(KeySpec.HMAC_256).keyUsage(KeyUsageType.GENERATE_VERIFY_MAC))
          .keyMetadata().keyId();
      mac = kms.generateMac(r -> r.keyId(hmac).message(SdkBytes.fromUtf8String("maced"))
          .macAlgorithm(MacAlgorithmSpec.HMAC_SHA_256)).mac().asByteArray();
      String disabled = kms.createKey(r -> r.description("to disable")).keyMetadata().keyId();
      kms.disableKey(r -> r.keyId(disabled));
      String doomed = kms.createKey(r -> r.description("to delete")).keyMetadata().keyId();
      kms.scheduleKeyDeletion(r -> r.keyId(doomed).pendingWindowInDays(7));
      String primary = kms.createKey(r -> r.multiRegion(true).description("global")).keyMetadata().keyId();
      replica = kms.replicateKey(r -> r.keyId(primary).replicaRegion("eu-west-1")).replicaKeyMetadata().keyId();
      before = kms.describeKey(r -> r.keyId(symmetric)).keyMetadata();
      ListKeysResponse firstPage = kms.listKeys(r -> r.limit(2));
      marker = firstPage.nextMarker();
    }

    try (BackendFixture shunt = start()) {
      KmsClient kms = shunt.kms();
      assertThat(kms.describeKey(r -> r.keyId(symmetric)).keyMetadata()).isEqualTo(before);
      assertThat(kms.decrypt(r -> r.ciphertextBlob(SdkBytes.fromByteArray(oldCiphertext))
          .encryptionContext(Map.of("purpose", "test"))).plaintext().asUtf8String()).isEqualTo("before rotation");
      assertThat(kms.decrypt(r -> r.ciphertextBlob(SdkBytes.fromByteArray(newCiphertext))).plaintext().asUtf8String())
          .isEqualTo("after rotation");
      assertThat(kms.decrypt(r -> r.ciphertextBlob(SdkBytes.fromByteArray(wrappedDataKey))).plaintext().asByteArray())
          .isEqualTo(dataKey);
      assertThat(kms.listKeyRotations(r -> r.keyId(symmetric)).rotations()).hasSize(1);
      assertThat(kms.getKeyRotationStatus(r -> r.keyId(symmetric)).rotationPeriodInDays()).isEqualTo(180);
      assertThat(kms.listResourceTags(r -> r.keyId(symmetric)).tags()).extracting(Tag::tagValue).containsExactly("a");
      assertThat(kms.describeKey(r -> r.keyId("alias/orders")).keyMetadata().keyId()).isEqualTo(symmetric);
      assertThat(kms.listGrants(r -> r.keyId(symmetric)).grants()).singleElement()
          .satisfies(grant -> assertThat(grant.grantId()).isEqualTo(grantId));
      assertThat(kms.verify(r -> r.keyId(rsa).message(SdkBytes.fromUtf8String("signed")).messageType(MessageType.RAW)
          .signingAlgorithm(SigningAlgorithmSpec.RSASSA_PSS_SHA_256).signature(SdkBytes.fromByteArray(signature)))
          .signatureValid()).isTrue();
      assertThat(kms.verifyMac(r -> r.keyId(hmac).message(SdkBytes.fromUtf8String("maced"))
          .macAlgorithm(MacAlgorithmSpec.HMAC_SHA_256).mac(SdkBytes.fromByteArray(mac))).macValid()).isTrue();
      List<String> states = kms.listKeys(r -> r.limit(100)).keys().stream()
          .map(k -> kms.describeKey(d -> d.keyId(k.keyId())).keyMetadata().keyStateAsString()).toList();
      assertThat(states).contains("Disabled", "PendingDeletion");
      KmsClient ireland = shunt.kms("AKIDTEST", Region.EU_WEST_1);
      assertThat(ireland.describeKey(r -> r.keyId(replica)).keyMetadata().multiRegionConfiguration()
          .primaryKey().region()).isEqualTo("us-east-1");
      // The marker of a page served before the restart still pages on.
      assertThat(kms.listKeys(r -> r.limit(100).marker(marker)).keys()).isNotEmpty();
    }
  }

  @Test
  void deletedAliasesAndRetiredGrantsStayGone() {
    String key;
    try (BackendFixture shunt = start()) {
      KmsClient kms = shunt.kms();
      key = kms.createKey(r -> r.description("k")).keyMetadata().keyId();
      kms.createAlias(r -> r.aliasName("alias/gone").targetKeyId(key));
      kms.deleteAlias(r -> r.aliasName("alias/gone"));
      String grant = kms.createGrant(r -> r.keyId(key).granteePrincipal("arn:aws:iam::000000000000:role/x")
          .operations(GrantOperation.ENCRYPT)).grantId();
      kms.revokeGrant(r -> r.keyId(key).grantId(grant));
    }
    try (BackendFixture shunt = start()) {
      KmsClient kms = shunt.kms();
      expectError("NotFoundException", () -> kms.describeKey(r -> r.keyId("alias/gone")));
      assertThat(kms.listGrants(r -> r.keyId(key)).grants()).isEmpty();
      assertThat(kms.describeKey(r -> r.keyId(key)).keyMetadata().description()).isEqualTo("k");
    }
  }

  @Test
  void theDatabaseFileHoldsNoKeyMaterialOrPlaintext() throws Exception {
    byte[] dataKey;
    try (BackendFixture shunt = start()) {
      KmsClient kms = shunt.kms();
      String key = kms.createKey(r -> r.description("secret keeper")).keyMetadata().keyId();
      dataKey = kms.generateDataKey(r -> r.keyId(key).keySpec(DataKeySpec.AES_256)).plaintext().asByteArray();
      var exported = shunt.backend().export(null, null, true);
      byte[] material = java.util.Base64.getDecoder().decode(exported.findValues("KeyMaterials").stream()
          .filter(list -> list.size() == 1).findFirst().orElseThrow().get(0).get("Material").asText());
      assertThat(material).hasSize(32);
      assertThat(StoreFiles.contain(dir, material)).as("key material in the data directory").isFalse();
      assertThat(StoreFiles.contain(dir, "secret keeper".getBytes(StandardCharsets.UTF_8))).isFalse();
    }
    assertThat(StoreFiles.contain(dir, dataKey)).isFalse();
  }
}
