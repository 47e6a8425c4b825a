package dev.shunt.backend.auth;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import dev.shunt.backend.BackendFixture;
import dev.shunt.backend.ShuntBackend;
import dev.shunt.backend.core.Json;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.kms.KmsClient;
import software.amazon.awssdk.services.kms.model.KmsException;

/** A principals file: its access keys sign as their users, role sessions and roots, and the audit names them. */
class PrincipalsIT {
  @TempDir
  Path dir;

  private Path principals(String yaml) throws Exception {
    Path file = dir.resolve("principals.yaml");
    Files.writeString(file, yaml);
    return file;
  }

  private static final String FILE = """
      principals:
        - arn: arn:aws:iam::111122223333:user/alice
          accessKeys: [{id: AKIAALICE, secret: alice-secret}]
          policies: [{Version: "2012-10-17", Statement: [{Effect: Allow, Action: "kms:*", Resource: "*"}]}]
        - arn: arn:aws:iam::111122223333:role/batch/app
          sessionName: nightly
          accessKeys: [{id: AKIAAPP, secret: app-secret}]
          policies: [{file: app-policy.json}]
        - arn: arn:aws:iam::444455556666:root
          accessKeys: [{id: AKIAROOT2, secret: root-secret}]
      """;

  @Test
  void eachKeySignsAsItsPrincipalAndTheAuditNamesItAsCloudTrailDoes() throws Exception {
    Files.writeString(dir.resolve("app-policy.json"),
        "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Allow\",\"Action\":\"kms:Decrypt\",\"Resource\":\"*\"}]}");
    try (BackendFixture shunt = BackendFixture.start(ShuntBackend.builder().auth(AuthMode.SIGV4)
        .option("principals", principals(FILE).toString()).option("admin-token", "a-test-admin-token-1234"))) {
      try (KmsClient alice = shunt.kms("AKIAALICE", "alice-secret", Region.US_EAST_1);
          KmsClient app = shunt.kms("AKIAAPP", "app-secret", Region.US_EAST_1);
          KmsClient root = shunt.kms("AKIAROOT2", "root-secret", Region.US_EAST_1);
          KmsClient forger = shunt.kms("AKIAALICE", "not-her-secret", Region.US_EAST_1)) {
        assertThat(alice.createKey(r -> { }).keyMetadata().arn()).startsWith("arn:aws:kms:us-east-1:111122223333:");
        // The role's policy allows kms:Decrypt alone: ListKeys (on no key) needs its own allow.
        assertThatThrownBy(app::listKeys).isInstanceOfSatisfying(KmsException.class, e -> assertThat(
            e.awsErrorDetails().errorMessage()).isEqualTo("User: arn:aws:sts::111122223333:assumed-role/app/nightly "
                + "is not authorized to perform: kms:ListKeys on resource: * because no identity-based policy allows "
                + "the kms:ListKeys action"));
        assertThat(root.createKey(r -> { }).keyMetadata().awsAccountId()).isEqualTo("444455556666");
        assertThatThrownBy(forger::listKeys).isInstanceOfSatisfying(KmsException.class,
            e -> assertThat(e.awsErrorDetails().errorCode()).isEqualTo("InvalidSignatureException"));
      }
      JsonNode records = shunt.backend().audit().recent(10).stream()
          .map(dev.shunt.backend.audit.CloudTrailRecords::render).collect(Json::array, (a, r) -> a.add(r), (a, b) -> { });
      JsonNode alice = identity(records, "AKIAALICE");
      assertThat(alice.get("type").asText()).isEqualTo("IAMUser");
      assertThat(alice.get("arn").asText()).isEqualTo("arn:aws:iam::111122223333:user/alice");
      assertThat(alice.get("userName").asText()).isEqualTo("alice");
      assertThat(alice.get("accountId").asText()).isEqualTo("111122223333");
      JsonNode app = identity(records, "AKIAAPP");
      assertThat(app.get("type").asText()).isEqualTo("AssumedRole");
      assertThat(app.get("arn").asText()).isEqualTo("arn:aws:sts::111122223333:assumed-role/app/nightly");
      assertThat(app.at("/sessionContext/sessionIssuer/arn").asText()).isEqualTo("arn:aws:iam::111122223333:role/app");
      JsonNode root = identity(records, "AKIAROOT2");
      assertThat(root.get("type").asText()).isEqualTo("Root");
      assertThat(root.get("arn").asText()).isEqualTo("arn:aws:iam::444455556666:root");
    }
  }

  private static JsonNode identity(JsonNode records, String accessKey) {
    for (JsonNode record : records) {
      if (accessKey.equals(record.at("/userIdentity/accessKeyId").asText())) {
        return record.get("userIdentity");
      }
    }
    throw new AssertionError("no record of " + accessKey + " in " + records);
  }

  @Test
  void aFileWithAMistakeStopsTheStartNamingTheEntry() throws Exception {
    String[][] refused = {
        {"principals:\n  - arn: arn:aws:iam::111122223333:user/alice\n    accesKeys: []\n", "unknown key 'accesKeys'"},
        {"principals:\n  - arn: arn:aws:iam::111122223333:group/devs\n    accessKeys: [{id: AKIA1, secret: s}]\n",
            "arn must be arn:aws:iam::ACCOUNT:user/NAME"},
        {"principals:\n  - arn: arn:aws:iam::111122223333:user/a\n    accessKeys: [{id: AKIA1, secret: s}]\n"
            + "  - arn: arn:aws:iam::111122223333:user/b\n    accessKeys: [{id: AKIA1, secret: t}]\n",
            "principal arn:aws:iam::111122223333:user/b: access key AKIA1 is given twice"},
        {"principals:\n  - arn: arn:aws:iam::111122223333:user/a\n    accessKeys: [{id: test, secret: s}]\n",
            "access key test of arn:aws:iam::111122223333:user/a is also in credentials"},
        {"principals:\n  - arn: arn:aws:iam::111122223333:user/a\n    accessKeys: [{id: AKIA1, secret: s}]\n"
            + "    policies: [{file: missing.json}]\n", "cannot read policy file missing.json"},
        {"users: []\n", "must be a mapping with one key, principals"},
    };
    for (String[] file : refused) {
      Path path = principals(file[0]);
      assertThatThrownBy(() -> ShuntBackend.builder().port(0).option("principals", path.toString()).start())
          .as(file[0]).isInstanceOf(IllegalArgumentException.class).hasMessageContaining(file[1]);
    }
  }
}
