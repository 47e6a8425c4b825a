package dev.shunt.backend.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.shunt.backend.BackendFixture;
import dev.shunt.backend.ShuntBackend;
import dev.shunt.backend.core.Json;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyFactory;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.Signature;
import java.security.spec.ECGenParameterSpec;
import java.security.spec.MGF1ParameterSpec;
import java.security.spec.PSSParameterSpec;
import java.security.spec.X509EncodedKeySpec;
import java.util.Base64;
import java.util.Map;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.core.SdkBytes;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.kms.KmsClient;
import software.amazon.awssdk.services.kms.model.KeyMetadata;
import software.amazon.awssdk.services.kms.model.MacAlgorithmSpec;
import software.amazon.awssdk.services.kms.model.MessageType;
import software.amazon.awssdk.services.kms.model.SigningAlgorithmSpec;

/** KMS keys from seed files: fixed ids and material, the same on every machine; export writes what seeding takes. */
class KmsSeedFilesIT {
  private static final String SYMMETRIC = "1234abcd-12ab-34cd-56ef-1234567890ab";
  private static final String HMAC = "2234abcd-12ab-34cd-56ef-1234567890ab";
  private static final String RSA = "3234abcd-12ab-34cd-56ef-1234567890ab";
  private static final String ECC = "4234abcd-12ab-34cd-56ef-1234567890ab";
  private static final String OTHER_ACCOUNT = "5234abcd-12ab-34cd-56ef-1234567890ab";
  private static final byte[] MATERIAL_1 = bytes(32, 1);
  private static final byte[] MATERIAL_2 = bytes(32, 2);
  private static final byte[] HMAC_MATERIAL = bytes(32, 3);
  private static KeyPair rsa;
  private static KeyPair ecc;

  @TempDir
  static Path files;

  @TempDir
  Path dir;

  private static Path seed;

  @BeforeAll
  static void writeSeed() throws Exception {
    KeyPairGenerator rsaGenerator = KeyPairGenerator.getInstance("RSA");
    rsaGenerator.initialize(2048);
    rsa = rsaGenerator.generateKeyPair();
    KeyPairGenerator eccGenerator = KeyPairGenerator.getInstance("EC");
    eccGenerator.initialize(new ECGenParameterSpec("secp256r1"));
    ecc = eccGenerator.generateKeyPair();
    seed = Files.writeString(files.resolve("seed.yaml"), """
        version: 1
        regions:
          - kms:
              keys:
                - KeyId: %s
                  Description: orders
                  KeyMaterials:
                    - Material: %s
                    - Material: %s
                      RotationType: ON_DEMAND
                  Aliases: [alias/orders]
                  Tags: {team: payments}
                  Policy:
                    Version: "2012-10-17"
                    Statement:
                      - {Sid: root, Effect: Allow, Principal: {AWS: "arn:aws:iam::000000000000:root"}, Action: "kms:*", Resource: "*"}
                - KeyId: %s
                  KeySpec: HMAC_256
                  KeyUsage: GENERATE_VERIFY_MAC
                  Material: %s
                - KeyId: %s
                  KeySpec: RSA_2048
                  KeyUsage: SIGN_VERIFY
                  PrivateKeyPem: |
        %s
                - KeyId: %s
                  KeySpec: ECC_NIST_P256
                  KeyUsage: SIGN_VERIFY
                  KeyState: Disabled
                  PrivateKeyPem: |
        %s
          - account: "111122223333"
            region: eu-west-1
            kms:
              keys:
                - KeyId: %s
                  Material: %s
        """.formatted(SYMMETRIC, b64(MATERIAL_1), b64(MATERIAL_2), HMAC, b64(HMAC_MATERIAL), RSA,
        pem(rsa.getPrivate().getEncoded()), ECC, pem(ecc.getPrivate().getEncoded()), OTHER_ACCOUNT, b64(MATERIAL_1)));
  }

  private static BackendFixture seeded(Path... seeds) {
    StringBuilder list = new StringBuilder();
    for (Path file : seeds) {
      list.append(list.length() == 0 ? "" : ",").append(file);
    }
    return BackendFixture.start(ShuntBackend.builder().option("seed", list.toString()));
  }

  @Test
  void seededKeysHaveTheirIdsMaterialAliasesTagsAndPolicy() throws Exception {
    try (BackendFixture shunt = seeded(seed)) {
      KmsClient kms = shunt.kms();
      KeyMetadata key = kms.describeKey(r -> r.keyId("alias/orders")).keyMetadata();
      assertThat(key.keyId()).isEqualTo(SYMMETRIC);
      assertThat(key.description()).isEqualTo("orders");
      assertThat(kms.listResourceTags(r -> r.keyId(SYMMETRIC)).tags()).singleElement()
          .satisfies(tag -> assertThat(tag.tagValue()).isEqualTo("payments"));
      assertThat(kms.getKeyPolicy(r -> r.keyId(SYMMETRIC)).policy()).contains("\"Sid\":\"root\"");
      assertThat(kms.listKeyRotations(r -> r.keyId(SYMMETRIC)).rotations()).hasSize(1);

      byte[] mac = kms.generateMac(r -> r.keyId(HMAC).macAlgorithm(MacAlgorithmSpec.HMAC_SHA_256)
          .message(SdkBytes.fromUtf8String("hello"))).mac().asByteArray();
      Mac expected = Mac.getInstance("HmacSHA256");
      expected.init(new SecretKeySpec(HMAC_MATERIAL, "HmacSHA256"));
      assertThat(mac).isEqualTo(expected.doFinal("hello".getBytes(StandardCharsets.UTF_8)));

      byte[] signature = kms.sign(r -> r.keyId(RSA).message(SdkBytes.fromUtf8String("signed"))
          .messageType(MessageType.RAW).signingAlgorithm(SigningAlgorithmSpec.RSASSA_PSS_SHA_256)).signature()
          .asByteArray();
      Signature verifier = Signature.getInstance("RSASSA-PSS");
      verifier.setParameter(new PSSParameterSpec("SHA-256", "MGF1", MGF1ParameterSpec.SHA256, 32, 1));
      verifier.initVerify(rsa.getPublic());
      verifier.update("signed".getBytes(StandardCharsets.UTF_8));
      assertThat(verifier.verify(signature)).as("signed with the seed's private key").isTrue();

      assertThat(kms.describeKey(r -> r.keyId(ECC)).keyMetadata().keyStateAsString()).isEqualTo("Disabled");
      kms.enableKey(r -> r.keyId(ECC));
      byte[] publicKey = kms.getPublicKey(r -> r.keyId(ECC)).publicKey().asByteArray();
      assertThat(KeyFactory.getInstance("EC").generatePublic(new X509EncodedKeySpec(publicKey)))
          .isEqualTo(ecc.getPublic());

      KmsClient other = shunt.kms("111122223333", Region.EU_WEST_1);
      assertThat(other.describeKey(r -> r.keyId(OTHER_ACCOUNT)).keyMetadata().arn())
          .isEqualTo("arn:aws:kms:eu-west-1:111122223333:key/" + OTHER_ACCOUNT);
    }
  }

  @Test
  void aCiphertextMadeOnOneMachineDecryptsOnAnotherSeededAlike() {
    byte[] ciphertext;
    try (BackendFixture one = seeded(seed)) {
      ciphertext = one.kms().encrypt(r -> r.keyId("alias/orders").plaintext(SdkBytes.fromUtf8String("portable"))
          .encryptionContext(Map.of("app", "orders"))).ciphertextBlob().asByteArray();
    }
    try (BackendFixture another = seeded(seed)) {
      assertThat(another.kms().decrypt(r -> r.ciphertextBlob(SdkBytes.fromByteArray(ciphertext))
          .encryptionContext(Map.of("app", "orders"))).plaintext().asUtf8String()).isEqualTo("portable");
    }
  }

  @Test
  void loadingASeedTwiceChangesNothingAndADurableRestartTakesItAgain() {
    try (BackendFixture twice = seeded(seed, seed)) {
      assertThat(twice.kms().listKeys().keys()).hasSize(4);
    }
    ShuntBackend.Builder durable = ShuntBackend.builder().option("seed", seed.toString())
        .option("data-dir", dir.toString());
    String before;
    try (BackendFixture first = BackendFixture.start(durable)) {
      first.kms().updateKeyDescription(r -> r.keyId(HMAC).description("changed since"));
      before = Json.text(first.backend().export(null, null, true));
    }
    try (BackendFixture again = BackendFixture.start(ShuntBackend.builder().option("seed", seed.toString())
        .option("data-dir", dir.toString()))) {
      assertThat(Json.text(again.backend().export(null, null, true))).isEqualTo(before);
    }
  }

  @Test
  void aRunningBackendTakesASeedAgainAfterAResetAndResolvesKeyNamesAsKmsDoes() {
    try (BackendFixture shunt = seeded(seed)) {
      ShuntBackend backend = shunt.backend();
      String arn = "arn:aws:kms:us-east-1:000000000000:key/" + SYMMETRIC;
      assertThat(backend.keyArn("000000000000", "us-east-1", "alias/orders")).contains(arn);
      assertThat(backend.keyArn("000000000000", "us-east-1", SYMMETRIC)).contains(arn);
      assertThat(backend.keyArn("000000000000", "us-east-1", "arn:aws:kms:us-east-1:000000000000:alias/orders"))
          .contains(arn);
      assertThat(backend.keyArn("000000000000", "eu-west-1", "alias/orders")).isEmpty();
      assertThat(backend.keyArn("000000000000", "us-east-1", "alias/aws/secretsmanager")).as("made by no one yet")
          .isEmpty();
      backend.reset();
      assertThat(backend.keyArn("000000000000", "us-east-1", "alias/orders")).isEmpty();
      backend.loadSeed(seed.toString());
      backend.loadSeed(seed.toString());
      assertThat(backend.keyArn("000000000000", "us-east-1", "alias/orders")).contains(arn);
      assertThat(shunt.kms().listKeys().keys()).hasSize(4);
    }
  }

  @Test
  void aSeedThatContradictsTheStateIsRefusedNamingTheItem() throws Exception {
    Path contradicting = Files.writeString(dir.resolve("contradicting.yaml"), """
        regions:
          - kms:
              keys:
                - KeyId: %s
                  Description: something else
        """.formatted(SYMMETRIC));
    assertThatThrownBy(() -> seeded(seed, contradicting)).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("contradicting.yaml: regions[0].kms.keys[0] (KeyId " + SYMMETRIC + ")")
        .hasMessageContaining("Description differs");
  }

  @Test
  void malformedSeedsSayWhatIsWrong() throws Exception {
    Map<String, String> refused = Map.of(
        "regions:\n  - kms: {keys: [{KeyId: " + SYMMETRIC + ", Descriptin: typo}]}\n", "unknown field 'Descriptin'",
        "regions:\n  - kms: {keys: [{KeyId: " + SYMMETRIC + ", Material: AAAA}]}\n",
        "the Material of a SYMMETRIC_DEFAULT key is 32 bytes, not 3",
        "regions:\n  - kms: {keys: [{Description: no id}]}\n", "KeyId is required",
        "regions:\n  - kms: {aliases: [{AliasName: alias/x, TargetKeyId: " + SYMMETRIC + "}]}\n",
        "is not a key of this account and Region",
        "regions:\n  - account: '12'\n    kms: {keys: []}\n", "account must be 12 digits",
        "regions:\n  - account: 000000000000\n    kms: {keys: []}\n", "account must be quoted (account: \"000000000000\")",
        "regions:\n  - sns: {}\n", "unknown key 'sns'",
        "version: 2\nregions: []\n", "version 2 is not one this Shunt reads",
        "regions:\n  - kms: {keys: [{KeyId: " + RSA + ", KeySpec: RSA_2048, KeyUsage: SIGN_VERIFY, "
            + "PrivateKeyPem: 'not a pem'}]}\n", "PrivateKeyPem must be a PKCS#8 PEM");
    int n = 0;
    for (Map.Entry<String, String> bad : refused.entrySet()) {
      Path file = Files.writeString(dir.resolve("bad-" + n++ + ".yaml"), bad.getKey());
      assertThatThrownBy(() -> seeded(file)).as(bad.getKey()).isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining(bad.getValue());
    }
  }

  @Test
  void exportThenSeedGivesEqualStateAndOldCiphertextsDecrypt() throws Exception {
    byte[] ciphertext;
    String exported;
    try (BackendFixture shunt = BackendFixture.start(ShuntBackend.builder())) {
      KmsClient kms = shunt.kms();
      String key = kms.createKey(r -> r.description("made here")).keyMetadata().keyId();
      kms.rotateKeyOnDemand(r -> r.keyId(key));
      kms.createAlias(r -> r.aliasName("alias/made").targetKeyId(key));
      kms.createGrant(r -> r.keyId(key).granteePrincipal("arn:aws:iam::000000000000:role/app")
          .operations(software.amazon.awssdk.services.kms.model.GrantOperation.DECRYPT));
      ciphertext = kms.encrypt(r -> r.keyId(key).plaintext(SdkBytes.fromUtf8String("carried over")))
          .ciphertextBlob().asByteArray();
      exported = Json.text(shunt.backend().export(null, null, true));
    }
    Path file = Files.writeString(dir.resolve("export.json"), exported);
    try (BackendFixture copy = seeded(file)) {
      assertThat(Json.text(copy.backend().export(null, null, true))).isEqualTo(exported);
      assertThat(copy.kms().decrypt(r -> r.ciphertextBlob(SdkBytes.fromByteArray(ciphertext))).plaintext()
          .asUtf8String()).isEqualTo("carried over");
    }
  }

  @Test
  void exportSealsKeyMaterialUnderTheRootKeyUnlessAskedForPlaintext() throws Exception {
    String rootKey = Base64.getEncoder().encodeToString(bytes(32, 9));
    String sealed;
    try (BackendFixture shunt = BackendFixture.start(ShuntBackend.builder().option("seed", seed.toString())
        .option("root-key", rootKey))) {
      sealed = Json.text(shunt.backend().export(null, null, false));
      JsonNode plain = shunt.backend().export(null, null, true);
      assertThat(plain.toString()).contains(b64(MATERIAL_1));
      assertThat(shunt.get("/_shunt/export?plaintext=true").body()).contains(b64(MATERIAL_1));
      assertThat(shunt.get("/_shunt/export?account=111122223333&region=eu-west-1").body())
          .contains(OTHER_ACCOUNT).doesNotContain(SYMMETRIC);
    }
    assertThat(sealed).doesNotContain(b64(MATERIAL_1)).doesNotContain(b64(HMAC_MATERIAL)).contains("sealed:");
    Path file = Files.writeString(dir.resolve("sealed.json"), sealed);
    try (BackendFixture sameKey = BackendFixture.start(ShuntBackend.builder().option("seed", file.toString())
        .option("root-key", rootKey))) {
      ObjectNode again = sameKey.backend().export(null, null, true);
      assertThat(again.toString()).contains(b64(MATERIAL_1)).contains(b64(HMAC_MATERIAL));
    }
    assertThatThrownBy(() -> seeded(file)).hasMessageContaining("this Shunt has no root key");
    String otherKey = Base64.getEncoder().encodeToString(bytes(32, 8));
    assertThatThrownBy(() -> BackendFixture.start(ShuntBackend.builder().option("seed", file.toString())
        .option("root-key", otherKey))).hasMessageContaining("does not open with this Shunt's root key");
    try (BackendFixture noKey = BackendFixture.start(ShuntBackend.builder())) {
      assertThat(noKey.get("/_shunt/export").body()).contains("no root key");
    }
  }

  private static byte[] bytes(int length, int seedByte) {
    byte[] bytes = new byte[length];
    for (int i = 0; i < length; i++) {
      bytes[i] = (byte) (seedByte * 31 + i);
    }
    return bytes;
  }

  private static String b64(byte[] bytes) {
    return Base64.getEncoder().encodeToString(bytes);
  }

  /** A PKCS#8 PEM, indented to sit in the seed's block scalar. */
  private static String pem(byte[] der) {
    String body = Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII)).encodeToString(der);
    String text = "-----BEGIN PRIVATE KEY-----\n" + body + "\n-----END PRIVATE KEY-----";
    return text.lines().map(line -> "                    " + line).reduce((a, b) -> a + "\n" + b).orElseThrow();
  }
}
