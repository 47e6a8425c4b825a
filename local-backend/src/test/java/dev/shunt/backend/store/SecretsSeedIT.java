package dev.shunt.backend.store;

import static dev.shunt.backend.AwsErrors.expectError;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.shunt.backend.BackendFixture;
import dev.shunt.backend.ShuntBackend;
import dev.shunt.backend.core.Json;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.core.SdkBytes;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.kms.KmsClient;
import software.amazon.awssdk.services.secretsmanager.SecretsManagerClient;
import software.amazon.awssdk.services.secretsmanager.model.DescribeSecretResponse;
import software.amazon.awssdk.services.secretsmanager.model.GetSecretValueResponse;
import software.amazon.awssdk.services.secretsmanager.model.ReplicaRegionType;
import software.amazon.awssdk.services.secretsmanager.model.SecretVersionsListEntry;
import software.amazon.awssdk.services.secretsmanager.model.Tag;

/**
 * Secrets in seed files and exports: a hand-written YAML seed makes secrets in any account and
 * Region, the same ids on every machine; loading it again changes nothing; one that contradicts
 * the state stops the start naming the secret and the field; export (plaintext or sealed under
 * the root key) seeds a backend whose secrets are the same.
 */
class SecretsSeedIT {
  private static final Instant DAY = Instant.parse("2030-06-15T10:00:00Z");
  private static final String ROOT_KEY = Base64.getEncoder().encodeToString(new byte[32]);
  private static final String OTHER_ROOT_KEY = Base64.getEncoder().encodeToString("another root key, 32 bytes long"
      .concat("!").getBytes(StandardCharsets.US_ASCII));
  private static final String SEEDED_KEY = "1234abcd-12ab-34cd-56ef-1234567890ab";
  private static final String SEED = """
      version: 1
      regions:
        - account: "111122223333"
          region: eu-west-1
          secretsmanager:
            secrets:
              - Name: app/db
                Description: the database
                SecretString: {username: app, password: "s3cret"}
                Tags: [{Key: team, Value: core}]
              - Name: app/key
                SecretBinary: AAEC/w==
                Tags: {purpose: signing}
        - region: us-east-1
          kms:
            keys:
              - KeyId: 1234abcd-12ab-34cd-56ef-1234567890ab
                Material: AQIDBAUGBwgJCgsMDQ4PEBESExQVFhcYGRobHB0eHyA=
                Aliases: [alias/seeded]
          secretsmanager:
            secrets:
              - Name: app/multi
                CreatedDate: 2024-01-01T00:00:00Z
                KmsKeyId: alias/seeded
                Versions:
                  - SecretString: old
                    VersionStages: [AWSPREVIOUS]
                  - VersionId: 11111111-2222-3333-4444-555555555555
                    SecretString: new
                    VersionStages: [AWSCURRENT, blue]
                    CreatedDate: 2024-01-02T00:00:00Z
              - Name: app/plain
                SecretString: hello
      """;

  @TempDir
  Path dir;

  private Path file(String name, String text) throws IOException {
    Path file = dir.resolve(name);
    Files.writeString(file, text);
    return file;
  }

  private static BackendFixture seeded(ShuntBackend.Builder builder, Path... seeds) {
    return BackendFixture.start(builder.option("seed", String.join(",", java.util.Arrays.stream(seeds)
        .map(Path::toString).toList())));
  }

  @Test
  void aSeedMakesSecretsInAnyAccountAndRegionWithTheSameIdsOnEveryMachine() throws IOException {
    Path seed = file("seed.yaml", SEED);
    DescribeSecretResponse multi;
    DescribeSecretResponse db;
    try (BackendFixture shunt = seeded(ShuntBackend.builder(), seed);
        SecretsManagerClient ireland = shunt.secrets("111122223333", Region.EU_WEST_1)) {
      SecretsManagerClient sm = shunt.secrets();
      GetSecretValueResponse value = ireland.getSecretValue(r -> r.secretId("app/db"));
      assertThat(value.secretString()).isEqualTo("{\"username\":\"app\",\"password\":\"s3cret\"}");
      assertThat(value.versionStages()).containsExactly("AWSCURRENT");
      db = ireland.describeSecret(r -> r.secretId("app/db"));
      assertThat(db.arn()).matches("arn:aws:secretsmanager:eu-west-1:111122223333:secret:app/db-[A-Za-z0-9]{6}");
      assertThat(db.description()).isEqualTo("the database");
      assertThat(db.tags()).containsExactly(Tag.builder().key("team").value("core").build());
      assertThat(ireland.getSecretValue(r -> r.secretId("app/key")).secretBinary().asByteArray())
          .containsExactly(0, 1, 2, 0xff);
      assertThat(ireland.describeSecret(r -> r.secretId("app/key")).tags())
          .containsExactly(Tag.builder().key("purpose").value("signing").build());
      // Another account's Region holds none of them.
      expectError("ResourceNotFoundException", () -> sm.describeSecret(r -> r.secretId("app/db")));

      assertThat(sm.getSecretValue(r -> r.secretId("app/multi")).secretString()).isEqualTo("new");
      assertThat(sm.getSecretValue(r -> r.secretId("app/multi").versionStage("AWSPREVIOUS")).secretString())
          .isEqualTo("old");
      assertThat(sm.getSecretValue(r -> r.secretId("app/multi").versionStage("blue")).versionId())
          .isEqualTo("11111111-2222-3333-4444-555555555555");
      multi = sm.describeSecret(r -> r.secretId("app/multi"));
      assertThat(multi.createdDate()).isEqualTo(Instant.parse("2024-01-01T00:00:00Z"));
      assertThat(multi.kmsKeyId()).isEqualTo("alias/seeded");
      // Sealed under the seeded key, through KMS as CreateSecret seals.
      assertThat(sm.listSecretVersionIds(r -> r.secretId("app/multi")).versions())
          .flatExtracting(SecretVersionsListEntry::kmsKeyIds)
          .containsOnly("arn:aws:kms:us-east-1:000000000000:key/" + SEEDED_KEY);
      assertThat(sm.listSecretVersionIds(r -> r.secretId("app/multi")).versions())
          .filteredOn(v -> v.versionId().equals("11111111-2222-3333-4444-555555555555"))
          .singleElement().satisfies(v -> assertThat(v.createdDate()).isEqualTo(Instant.parse("2024-01-02T00:00:00Z")));
      assertThat(sm.getSecretValue(r -> r.secretId("app/plain")).secretString()).isEqualTo("hello");
    }
    // Another machine (another backend) gives the same ARNs and version ids.
    try (BackendFixture shunt = seeded(ShuntBackend.builder(), seed);
        SecretsManagerClient ireland = shunt.secrets("111122223333", Region.EU_WEST_1)) {
      DescribeSecretResponse again = shunt.secrets().describeSecret(r -> r.secretId("app/multi"));
      assertThat(again.arn()).isEqualTo(multi.arn());
      assertThat(again.versionIdsToStages()).isEqualTo(multi.versionIdsToStages());
      DescribeSecretResponse dbAgain = ireland.describeSecret(r -> r.secretId("app/db"));
      assertThat(dbAgain.arn()).isEqualTo(db.arn());
      assertThat(dbAgain.versionIdsToStages()).isEqualTo(db.versionIdsToStages());
    }
  }

  @Test
  void loadingTheSameSeedAgainChangesNothing() throws IOException {
    Path seed = file("seed.yaml", SEED);
    List<SecretsSnapshot.Scope> scopes = List.of(new SecretsSnapshot.Scope("AKIDTEST", Region.US_EAST_1),
        new SecretsSnapshot.Scope("111122223333", Region.EU_WEST_1));
    // Twice in one start, in memory.
    try (BackendFixture shunt = seeded(ShuntBackend.builder(), seed, seed)) {
      assertThat(shunt.secrets().listSecretVersionIds(r -> r.secretId("app/multi")).versions()).hasSize(2);
      assertThat(shunt.secrets().listSecretVersionIds(r -> r.secretId("app/plain")).versions()).hasSize(1);
    }
    // At each start on a data directory: the secrets restored from it are those the seed describes.
    Path data = dir.resolve("data");
    Map<String, List<Object>> first;
    try (BackendFixture shunt = seeded(ShuntBackend.builder().option("data-dir", data.toString()), seed)) {
      shunt.backend().clock().set(DAY);
      first = SecretsSnapshot.of(shunt, scopes, false);
    }
    assertThat(first).hasSize(4);
    try (BackendFixture shunt = seeded(ShuntBackend.builder().option("data-dir", data.toString()), seed, seed)) {
      shunt.backend().clock().set(DAY);
      SecretsSnapshot.assertSame(SecretsSnapshot.of(shunt, scopes, false), first);
      // The app moves on: a new value where the seed gave one (SecretString, which states no labels)...
      shunt.secrets().putSecretValue(r -> r.secretId("app/plain").secretString("changed by the app"));
    }
    // ...is no contradiction: the seed's version is still there with its value, and the change is kept.
    String multiOther;
    try (BackendFixture shunt = seeded(ShuntBackend.builder().option("data-dir", data.toString()), seed)) {
      SecretsManagerClient sm = shunt.secrets();
      assertThat(sm.getSecretValue(r -> r.secretId("app/plain")).secretString()).isEqualTo("changed by the app");
      assertThat(sm.getSecretValue(r -> r.secretId("app/plain").versionStage("AWSPREVIOUS")).secretString())
          .isEqualTo("hello");
      // Labels a seed states are compared, though: moving one away contradicts it.
      multiOther = sm.getSecretValue(r -> r.secretId("app/multi").versionStage("AWSPREVIOUS")).versionId();
      sm.updateSecretVersionStage(r -> r.secretId("app/multi").versionStage("blue").moveToVersionId(multiOther)
          .removeFromVersionId("11111111-2222-3333-4444-555555555555"));
    }
    assertThatThrownBy(() -> seeded(ShuntBackend.builder().option("data-dir", data.toString()), seed))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("(Name app/multi)")
        .hasMessageEndingWith("differs: Versions." + multiOther + ".VersionStages");
  }

  @Test
  void aSeedThatContradictsTheStateStopsTheStartNamingTheSecretAndTheField() throws IOException {
    Path seed = file("seed.yaml", SEED);
    Path otherValue = file("other-value.yaml", """
        regions:
          - secretsmanager:
              secrets:
                - Name: app/plain
                  SecretString: not hello
        """);
    assertThatThrownBy(() -> seeded(ShuntBackend.builder(), seed, otherValue))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining(otherValue.toString()).hasMessageContaining("(Name app/plain)")
        .hasMessageMatching("(?s).*differs: Versions\\.[0-9a-f-]{36}\\.SecretString.*");
    Path otherDescription = file("other-description.yaml", """
        regions:
          - account: "111122223333"
            region: eu-west-1
            secretsmanager:
              secrets:
                - Name: app/db
                  Description: not the database
        """);
    assertThatThrownBy(() -> seeded(ShuntBackend.builder(), seed, otherDescription))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("(Name app/db)")
        .hasMessageEndingWith("differs: Description");
    Path binaryInstead = file("binary-instead.yaml", """
        regions:
          - secretsmanager:
              secrets:
                - Name: app/plain
                  SecretBinary: aGVsbG8=
        """);
    assertThatThrownBy(() -> seeded(ShuntBackend.builder(), seed, binaryInstead))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("(Name app/plain)")
        .hasMessageContaining(".SecretBinary");
    // Stating less is no contradiction: only what a seed states is compared.
    Path less = file("less.yaml", """
        regions:
          - account: "111122223333"
            region: eu-west-1
            secretsmanager:
              secrets:
                - Name: app/db
                  Tags: {team: core}
        """);
    try (BackendFixture shunt = seeded(ShuntBackend.builder(), seed, less)) {
      assertThat(shunt.backend().export(null, null, true).toString()).contains("app/db");
    }
    // On a data directory, at the next start.
    Path data = dir.resolve("data");
    try (BackendFixture shunt = seeded(ShuntBackend.builder().option("data-dir", data.toString()), seed)) {
      assertThat(shunt.secrets().getSecretValue(r -> r.secretId("app/plain")).secretString()).isEqualTo("hello");
    }
    assertThatThrownBy(() -> seeded(ShuntBackend.builder().option("data-dir", data.toString()), otherValue))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("(Name app/plain)")
        .hasMessageContaining(".SecretString");
  }

  @Test
  void malformedSecretsAreRefusedWithWhatIsWrong() throws IOException {
    Map<String, String> cases = Map.of(
        "- {Name: a, Secretstring: x}", "unknown field 'Secretstring'",
        "- {Name: a, SecretString: x, CreatedDate: yesterday}", "CreatedDate must be an ISO-8601 date",
        "- {Name: 'a b', SecretString: x}", "Name: Invalid name",
        "- {SecretString: x}", "Name is required",
        "- {Name: a, SecretString: x, SecretBinary: eA==}", "not both",
        "- {Name: a, Versions: [{SecretString: x, VersionStages: [AWSCURRENT]},"
            + " {SecretString: y, VersionStages: [AWSCURRENT]}]}",
        "Versions[1].VersionStages: AWSCURRENT is on version",
        "- {Name: a, SecretBinary: '%%%'}", "SecretBinary is not base64",
        "- {Name: a, SecretString: x, RotationRules: {AutomaticallyAfterDays: 5000}}", "RotationRules:",
        "- {Name: a, SecretString: x, ResourcePolicy: 'not json'}", "ResourcePolicy:",
        "- {Name: a, SecretString: x, ARN: 'arn:aws:secretsmanager:us-east-1:000000000000:secret:b-abcdef'}",
        "is not this secret's");
    int i = 0;
    for (Map.Entry<String, String> entry : cases.entrySet()) {
      Path seed = file("bad" + i++ + ".yaml", "regions:\n  - secretsmanager:\n      secrets:\n        "
          + entry.getKey() + "\n");
      assertThatThrownBy(() -> seeded(ShuntBackend.builder(), seed)).as(entry.getKey())
          .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("secrets[0]")
          .hasMessageContaining(entry.getValue());
    }
  }

  @Test
  void aPlaintextExportSeedsABackendWithTheSameSecrets() throws IOException {
    List<SecretsSnapshot.Scope> scopes = List.of(new SecretsSnapshot.Scope("AKIDTEST", Region.US_EAST_1),
        new SecretsSnapshot.Scope("AKIDTEST", Region.EU_WEST_1),
        new SecretsSnapshot.Scope("111122223333", Region.US_EAST_1));
    Map<String, List<Object>> original;
    ObjectNode exported;
    try (BackendFixture shunt = BackendFixture.start(ShuntBackend.builder())) {
      shunt.backend().clock().set(DAY);
      makeVariedSecrets(shunt);
      // Exported before the snapshot reads the values (and sets LastAccessedDate).
      exported = shunt.backend().export(null, null, true);
      original = SecretsSnapshot.of(shunt, scopes);
    }
    assertThat(original).hasSize(8);
    Path file = file("export.json", Json.text(exported));
    // Loaded twice: the second load compares every field of every secret with what the first made.
    try (BackendFixture shunt = seeded(ShuntBackend.builder(), file, file)) {
      shunt.backend().clock().set(DAY);
      assertThat(secretsOf(shunt.backend().export(null, null, true))).isEqualTo(secretsOf(exported));
      SecretsSnapshot.assertSame(SecretsSnapshot.of(shunt, scopes), original);
    }
  }

  /**
   * An export loaded back into the data directory it came from changes nothing: every field of
   * every restored secret agrees with it (values compared by decrypting the restored ones).
   */
  @Test
  void anExportLoadsBackIntoItsOwnDataDirectoryChangingNothing() throws IOException {
    List<SecretsSnapshot.Scope> scopes = List.of(new SecretsSnapshot.Scope("AKIDTEST", Region.US_EAST_1),
        new SecretsSnapshot.Scope("AKIDTEST", Region.EU_WEST_1),
        new SecretsSnapshot.Scope("111122223333", Region.US_EAST_1));
    Path data = dir.resolve("data");
    Map<String, List<Object>> before;
    ObjectNode plain;
    ObjectNode sealed;
    try (BackendFixture shunt = BackendFixture.start(ShuntBackend.builder().option("data-dir", data.toString()))) {
      shunt.backend().clock().set(DAY);
      makeVariedSecrets(shunt);
      plain = shunt.backend().export(null, null, true);
      sealed = shunt.backend().export(null, null, false);
      before = SecretsSnapshot.of(shunt, scopes, false);
    }
    Path plainFile = file("plain.json", Json.text(plain));
    Path sealedFile = file("sealed.json", Json.text(sealed));
    try (BackendFixture shunt = seeded(ShuntBackend.builder().option("data-dir", data.toString()), plainFile,
        sealedFile)) {
      shunt.backend().clock().set(DAY);
      SecretsSnapshot.assertSame(SecretsSnapshot.of(shunt, scopes, false), before);
      assertThat(secretsOf(shunt.backend().export(null, null, true))).isEqualTo(secretsOf(plain));
    }
  }

  @Test
  void aSealedExportHoldsNoValueAndNeedsItsRootKey() throws IOException {
    ObjectNode sealed;
    Map<String, List<Object>> original;
    List<SecretsSnapshot.Scope> scopes = List.of(new SecretsSnapshot.Scope("AKIDTEST", Region.US_EAST_1));
    try (BackendFixture shunt = BackendFixture.start(ShuntBackend.builder().option("root-key", ROOT_KEY))) {
      shunt.backend().clock().set(DAY);
      SecretsManagerClient sm = shunt.secrets();
      sm.createSecret(r -> r.name("sealed/text").secretString("the text nobody may read"));
      sm.putSecretValue(r -> r.secretId("sealed/text").secretString("the next text nobody may read"));
      sm.createSecret(r -> r.name("sealed/binary").secretBinary(SdkBytes.fromUtf8String("the bytes nobody may read")));
      sealed = shunt.backend().export(null, null, false);
      original = SecretsSnapshot.of(shunt, scopes);
    }
    String text = Json.text(sealed);
    for (String secret : List.of("the text nobody may read", "the next text nobody may read",
        "the bytes nobody may read")) {
      assertThat(text).doesNotContain(secret)
          .doesNotContain(Base64.getEncoder().encodeToString(secret.getBytes(StandardCharsets.UTF_8)));
    }
    assertThat(sealed.findValues("SecretString")).hasSize(2)
        .allSatisfy(v -> assertThat(v.asText()).startsWith("sealed:"));
    assertThat(sealed.findValues("SecretBinary")).hasSize(1)
        .allSatisfy(v -> assertThat(v.asText()).startsWith("sealed:"));
    Path file = file("sealed.json", text);
    try (BackendFixture shunt = seeded(ShuntBackend.builder().option("root-key", ROOT_KEY), file)) {
      shunt.backend().clock().set(DAY);
      SecretsSnapshot.assertSame(SecretsSnapshot.of(shunt, scopes), original);
    }
    assertThatThrownBy(() -> seeded(ShuntBackend.builder().option("root-key", OTHER_ROOT_KEY), file))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("root key");
    assertThatThrownBy(() -> seeded(ShuntBackend.builder(), file))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("no root key");
  }

  @Test
  void aValueItsKeyCannotDecryptIsExportedSealedByKmsAndLoadsWhereTheKeyIs() throws IOException {
    ObjectNode exported;
    String key;
    try (BackendFixture shunt = BackendFixture.start(ShuntBackend.builder())) {
      KmsClient kms = shunt.kms();
      key = kms.createKey(r -> r.description("to be disabled")).keyMetadata().keyId();
      shunt.secrets().createSecret(r -> r.name("locked").kmsKeyId(key).secretString("behind a disabled key"));
      kms.disableKey(r -> r.keyId(key));
      exported = shunt.backend().export(null, null, true);
    }
    JsonNode version = exported.findValue("secrets").get(0).get("Versions").get(0);
    assertThat(version.has("SecretString")).isFalse();
    assertThat(version.get("SealedValue").get("KmsKeyArn").asText()).endsWith(key);
    assertThat(Json.text(exported)).doesNotContain("behind a disabled key");
    try (BackendFixture shunt = seeded(ShuntBackend.builder(), file("export.json", Json.text(exported)))) {
      expectError("DecryptionFailure", () -> shunt.secrets().getSecretValue(r -> r.secretId("locked")));
      shunt.kms().enableKey(r -> r.keyId(key));
      assertThat(shunt.secrets().getSecretValue(r -> r.secretId("locked")).secretString())
          .isEqualTo("behind a disabled key");
    }
  }

  /** Versions, labels, tags, a policy, rotation settings, a replica, a deletion schedule, another account. */
  private static void makeVariedSecrets(BackendFixture shunt) {
    SecretsManagerClient sm = shunt.secrets();
    String key = shunt.kms().createKey(r -> r.description("customer key")).keyMetadata().keyId();
    String first = sm.createSecret(r -> r.name("x/versions").secretString("v1").description("several")
        .tags(Tag.builder().key("a").value("1").build(), Tag.builder().key("b").value("2").build())).versionId();
    sm.putSecretValue(r -> r.secretId("x/versions").secretString("v2"));
    sm.putSecretValue(r -> r.secretId("x/versions").secretBinary(SdkBytes.fromUtf8String("v3")).versionStages("NEXT"));
    sm.updateSecretVersionStage(r -> r.secretId("x/versions").versionStage("blue").moveToVersionId(first));
    sm.untagResource(r -> r.secretId("x/versions").tagKeys("a"));
    sm.createSecret(r -> r.name("x/keyed").kmsKeyId(key).secretBinary(SdkBytes.fromByteArray(new byte[] {1, 2, 3})));
    sm.createSecret(r -> r.name("x/policy").secretString("p"));
    sm.putResourcePolicy(r -> r.secretId("x/policy").resourcePolicy("{\"Version\": \"2012-10-17\", \"Statement\": "
        + "[{\"Effect\": \"Deny\", \"Principal\": {\"AWS\": \"arn:aws:iam::111122223333:root\"}, "
        + "\"Action\": \"secretsmanager:DeleteSecret\", \"Resource\": \"*\"}]}"));
    sm.createSecret(r -> r.name("x/rotation").secretString("r"));
    sm.rotateSecret(r -> r.secretId("x/rotation").rotateImmediately(false)
        .rotationLambdaARN("arn:aws:lambda:us-east-1:000000000000:function:shunt-password-rotator")
        .rotationRules(rules -> rules.scheduleExpression("cron(0 4 ? * MON *)").duration("2h")));
    sm.createSecret(r -> r.name("x/replicated").secretString("both")
        .addReplicaRegions(ReplicaRegionType.builder().region("eu-west-1").build()));
    sm.createSecret(r -> r.name("x/doomed").secretString("d"));
    sm.deleteSecret(r -> r.secretId("x/doomed").recoveryWindowInDays(10L));
    try (SecretsManagerClient other = shunt.secrets("111122223333", Region.US_EAST_1)) {
      other.createSecret(r -> r.name("x/versions").secretString("someone else's"));
    }
  }

  /** The Regions of an export, each with its Secrets Manager part only. */
  static JsonNode secretsOf(ObjectNode export) {
    ArrayNode regions = export.withArray("regions").deepCopy();
    for (JsonNode region : regions) {
      ((ObjectNode) region).retain("account", "region", "secretsmanager");
    }
    return regions;
  }
}
