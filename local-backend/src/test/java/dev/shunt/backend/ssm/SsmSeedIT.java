package dev.shunt.backend.ssm;

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
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.ssm.SsmClient;
import software.amazon.awssdk.services.ssm.model.Parameter;
import software.amazon.awssdk.services.ssm.model.ParameterHistory;
import software.amazon.awssdk.services.ssm.model.ParameterMetadata;
import software.amazon.awssdk.services.ssm.model.ParameterTier;
import software.amazon.awssdk.services.ssm.model.ParameterType;
import software.amazon.awssdk.services.ssm.model.ResourceTypeForTagging;
import software.amazon.awssdk.services.ssm.model.Tag;

/**
 * Parameter Store seed files: a YAML seed makes parameters (histories, labels, tiers, policies,
 * tags, SecureStrings given in the clear) and settings in several accounts and Regions; loading
 * it again changes nothing; a seed that contradicts the state, or that PutParameter would refuse,
 * stops the start with a message naming the item.
 */
class SsmSeedIT {
  static final String ACCOUNT = "111122223333";
  static final String SEED = """
      version: 1
      regions:
        - account: "111122223333"
          region: eu-west-1
          ssm:
            serviceSettings:
              - SettingId: /ssm/parameter-store/high-throughput-enabled
                SettingValue: "true"
            parameters:
              - Name: /app/url
                Value: https://example.com
              - Name: /app/hosts
                Type: StringList
                Value: a,b,c
                Tags: [{Key: team, Value: core}, {Key: cost, Value: "42"}]
              - Name: /app/db/password
                Type: SecureString
                Value: hunter2-seeded
                Description: the database password
              - Name: /app/flags
                Versions:
                  - Value: "off"
                    Description: feature flags
                    Labels: [old]
                    LastModifiedDate: "2025-01-02T03:04:05Z"
                    LastModifiedUser: arn:aws:iam::111122223333:user/alice
                  - Value: "on"
                  - Version: 3
                    Value: on,beta
                    Labels: [prod, current]
              - Name: /app/advanced
                Value: big
                Tier: Advanced
                Policies: [{Type: Expiration, Version: "1.0", Attributes: {Timestamp: "2099-01-01T00:00:00.000Z"}}]
              - Name: plain-name
                Value: "7"
                DataType: text
        - region: us-east-1
          ssm:
            parameters:
              - Name: /app/url
                Value: https://default.example.com
      """;

  @TempDir
  Path dir;

  private Path write(String name, String text) throws Exception {
    Path file = dir.resolve(name);
    Files.writeString(file, text);
    return file;
  }

  private static BackendFixture start(ShuntBackend.Builder builder) {
    return BackendFixture.start(builder);
  }

  @Test
  void aSeedMakesParametersInSeveralAccountsAndRegions() throws Exception {
    Path seed = write("seed.yaml", SEED);
    try (BackendFixture shunt = start(ShuntBackend.builder().option("seed", seed.toString()));
        SsmClient ssm = shunt.ssm(ACCOUNT, Region.EU_WEST_1);
        SsmClient home = shunt.ssm()) {
      Parameter url = ssm.getParameter(r -> r.name("/app/url")).parameter();
      assertThat(url.value()).isEqualTo("https://example.com");
      assertThat(url.type()).isEqualTo(ParameterType.STRING);
      assertThat(url.version()).isEqualTo(1L);
      assertThat(url.dataType()).isEqualTo("text");
      assertThat(url.arn()).isEqualTo("arn:aws:ssm:eu-west-1:" + ACCOUNT + ":parameter/app/url");
      assertThat(url.lastModifiedDate()).isEqualTo(Instant.EPOCH);
      assertThat(home.getParameter(r -> r.name("/app/url")).parameter().value()).isEqualTo("https://default.example.com");
      try (SsmClient elsewhere = shunt.ssm(ACCOUNT, Region.US_EAST_1)) {
        assertThat(SsmSnapshot.describe(elsewhere)).isEmpty();
      }

      assertThat(ssm.getParameter(r -> r.name("/app/hosts")).parameter().type()).isEqualTo(ParameterType.STRING_LIST);
      assertThat(ssm.listTagsForResource(r -> r.resourceType(ResourceTypeForTagging.PARAMETER).resourceId("/app/hosts"))
          .tagList()).containsExactly(Tag.builder().key("team").value("core").build(),
          Tag.builder().key("cost").value("42").build());

      Parameter sealed = ssm.getParameter(r -> r.name("/app/db/password")).parameter();
      assertThat(sealed.type()).isEqualTo(ParameterType.SECURE_STRING);
      assertThat(sealed.value()).isNotEqualTo("hunter2-seeded");
      assertThat(ssm.getParameter(r -> r.name("/app/db/password").withDecryption(true)).parameter().value())
          .isEqualTo("hunter2-seeded");
      ParameterMetadata password = SsmSnapshot.describe(ssm).stream().filter(p -> p.name().equals("/app/db/password"))
          .findFirst().orElseThrow();
      assertThat(password.keyId()).isEqualTo("alias/aws/ssm");
      assertThat(password.description()).isEqualTo("the database password");
      assertThat(password.lastModifiedUser()).isEqualTo("arn:aws:iam::" + ACCOUNT + ":root");

      List<ParameterHistory> flags = SsmSnapshot.history(ssm, "/app/flags", false);
      assertThat(flags).extracting(ParameterHistory::version).containsExactly(1L, 2L, 3L);
      assertThat(flags).extracting(ParameterHistory::value).containsExactly("off", "on", "on,beta");
      assertThat(flags).extracting(ParameterHistory::labels).containsExactly(List.of("old"), List.of(),
          List.of("prod", "current"));
      // Description is kept from version to version, as an overwrite keeps it.
      assertThat(flags).extracting(ParameterHistory::description).containsOnly("feature flags");
      assertThat(flags.get(0).lastModifiedDate()).isEqualTo(Instant.parse("2025-01-02T03:04:05Z"));
      assertThat(flags.get(0).lastModifiedUser()).isEqualTo("arn:aws:iam::" + ACCOUNT + ":user/alice");
      assertThat(flags.get(1).lastModifiedDate()).isEqualTo(Instant.EPOCH);
      assertThat(ssm.getParameter(r -> r.name("/app/flags:old")).parameter().value()).isEqualTo("off");
      assertThat(ssm.getParameter(r -> r.name("/app/flags:prod")).parameter().value()).isEqualTo("on,beta");
      // A new version continues the seeded numbers.
      assertThat(ssm.putParameter(r -> r.name("/app/flags").value("x").overwrite(true)).version()).isEqualTo(4L);

      ParameterMetadata advanced = SsmSnapshot.describe(ssm).stream().filter(p -> p.name().equals("/app/advanced"))
          .findFirst().orElseThrow();
      assertThat(advanced.tier()).isEqualTo(ParameterTier.ADVANCED);
      assertThat(advanced.policies()).singleElement().satisfies(policy -> {
        assertThat(policy.policyType()).isEqualTo("Expiration");
        assertThat(policy.policyText()).contains("2099-01-01T00:00:00.000Z");
      });
      // A one-level name is found with or without its slash, as one made by PutParameter.
      assertThat(ssm.getParameter(r -> r.name("/plain-name")).parameter().value()).isEqualTo("7");
      assertThat(ssm.getServiceSetting(r -> r.settingId("/ssm/parameter-store/high-throughput-enabled"))
          .serviceSetting().settingValue()).isEqualTo("true");
      assertThat(shunt.backend().ssm().highThroughput(ACCOUNT, "eu-west-1")).isTrue();
      assertThat(shunt.backend().ssm().highThroughput("000000000000", "us-east-1")).isFalse();
    }
  }

  @Test
  void loadingTheSameSeedTwiceChangesNothing() throws Exception {
    Path seed = write("seed.yaml", SEED);
    com.fasterxml.jackson.databind.node.ArrayNode once;
    try (BackendFixture shunt = start(ShuntBackend.builder().option("seed", seed.toString()))) {
      once = withoutCiphertexts(shunt.backend().export(null, null, true));
    }
    try (BackendFixture shunt = start(ShuntBackend.builder().option("seed", seed + "," + seed));
        SsmClient ssm = shunt.ssm(ACCOUNT, Region.EU_WEST_1)) {
      assertThat(withoutCiphertexts(shunt.backend().export(null, null, true))).isEqualTo(once);
      assertThat(SsmSnapshot.history(ssm, "/app/flags", false)).hasSize(3);
      assertThat(once.toString()).contains("hunter2-seeded");
    }
  }

  @Test
  void restartingWithTheSameSeedOnTheSameDataDirectoryChangesNothing() throws Exception {
    Path seed = write("seed.yaml", SEED);
    Path data = dir.resolve("data");
    java.util.Map<String, Object> before;
    try (BackendFixture shunt = start(ShuntBackend.builder().option("data-dir", data.toString())
        .option("seed", seed.toString()));
        SsmClient ssm = shunt.ssm(ACCOUNT, Region.EU_WEST_1)) {
      ssm.putParameter(r -> r.name("/app/flags").value("later").overwrite(true));
      before = SsmSnapshot.of(ssm);
    }
    try (BackendFixture shunt = start(ShuntBackend.builder().option("data-dir", data.toString())
        .option("seed", seed.toString()));
        SsmClient ssm = shunt.ssm(ACCOUNT, Region.EU_WEST_1)) {
      assertThat(SsmSnapshot.of(ssm)).isEqualTo(before);
      assertThat(SsmSnapshot.history(ssm, "/app/flags", false)).extracting(ParameterHistory::value)
          .containsExactly("off", "on", "on,beta", "later");
    }
  }

  @Test
  void aSeedThatContradictsTheStateStopsTheStartNamingItemAndField() throws Exception {
    Path seed = write("seed.yaml", SEED);
    Path other = write("other.yaml", SEED.replace("- Value: \"on\"", "- Value: \"maybe\""));
    assertThatThrownBy(() -> start(ShuntBackend.builder().option("seed", seed + "," + other)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining(other.toString())
        .hasMessageContaining("(Name /app/flags)")
        .hasMessageContaining("differs: Versions.2.Value");

    String kept = SEED;
    Path first = seed;
    Path data = dir.resolve("data");
    start(ShuntBackend.builder().option("data-dir", data.toString()).option("seed", first.toString())).close();
    Path tagged = write("tagged.yaml", kept.replace("{Key: team, Value: core}", "{Key: team, Value: edge}"));
    assertThatThrownBy(() -> start(ShuntBackend.builder().option("data-dir", data.toString())
        .option("seed", tagged.toString())))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("(Name /app/hosts)")
        .hasMessageContaining("differs: Tags.team");
    Path labelled = write("labelled.yaml", kept.replace("Labels: [old]", "Labels: [prod]")
        .replace("Labels: [prod, current]", "Labels: [current]"));
    assertThatThrownBy(() -> start(ShuntBackend.builder().option("data-dir", data.toString())
        .option("seed", labelled.toString())))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("(Name /app/flags)")
        .hasMessageContaining("differs: Versions.1.Labels.prod");
    Path password = write("password.yaml", kept.replace("Value: hunter2-seeded", "Value: hunter3-seeded"));
    assertThatThrownBy(() -> start(ShuntBackend.builder().option("data-dir", data.toString())
        .option("seed", password.toString())))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("(Name /app/db/password)")
        .hasMessageContaining("differs: Versions.1.Value")
        .hasMessageNotContaining("hunter2-seeded");
    Path setting = write("setting.yaml", kept.replace("SettingValue: \"true\"", "SettingValue: \"false\""));
    assertThatThrownBy(() -> start(ShuntBackend.builder().option("data-dir", data.toString())
        .option("seed", setting.toString())))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("/ssm/parameter-store/high-throughput-enabled")
        .hasMessageContaining("differs: SettingValue");
    // The refused starts changed nothing: the first seed still loads as it is.
    start(ShuntBackend.builder().option("data-dir", data.toString()).option("seed", first.toString())).close();
  }

  @Test
  void aSeedPutParameterWouldRefuseIsRefusedWithItsMessage() throws Exception {
    String[][] cases = {
        {"Name: /aws/mine\n  Value: x", "No access to reserved parameter name"},
        {"Name: /a/b\n  Valu: x", "unknown field 'Valu'"},
        {"Name: /a/b", "Value is required"},
        {"Name: /a/b\n  Value: x\n  Type: Integer", "Member must satisfy enum value set"},
        {"Name: /a/b\n  Value: x\n  KeyId: alias/k", "KeyId is only supported for SecureString parameters."},
        {"Name: /a/b\n  Value: " + "x".repeat(4097), "Standard tier parameters support a maximum parameter value"},
        {"Name: /a/b\n  Value: x\n  Policies: [{Type: Expiration, Version: \"1.0\", Attributes: {Timestamp: "
            + "\"2099-01-01T00:00:00.000Z\"}}]", "Parameter policies are supported only for advanced-parameter tier"},
        {"Name: /a/b\n  Value: x\n  Tier: Advanced\n  Policies: [{Type: Expiration, Version: \"1.0\", Attributes: "
            + "{Timestamp: \"2001-01-01T00:00:00.000Z\"}}]", "Timestamp must be in the future"},
        {"Name: /a/b\n  Value: abc\n  AllowedPattern: \"^\\\\d+$\"", "cannot be validated against allowedPattern"},
        {"Name: /a/b\n  Value: x\n  Labels: [aws-x]", "the label aws-x is not one LabelParameterVersion takes"},
        {"Name: /a/b\n  Versions: [{Value: x, Type: String}, {Value: y, Type: SecureString}]",
            "The parameter type can't be changed from String to SecureString"},
        {"Name: /a/b\n  Versions: [{Version: 2, Value: x}, {Version: 4, Value: y}]", "must follow the one before it"},
        {"Name: /a/b\n  Versions: [{Value: x, Labels: [l]}, {Value: y, Labels: [l]}]", "the label l is on two versions"},
        {"Name: /a/b\n  Value: x\n  Versions: [{Value: y}]", "give either Versions or one version's fields"},
        {"Name: /a/b\n  Value: x\n  Tags: [{Key: \"aws:x\", Value: y}]", "Tag keys beginning with aws: are reserved"},
        {"Name: /a/b\n  Value: x\n  DataType: aws:ec2:image", "is not in the correct format for data type"},
        {"Name: /a/b\n  Value: x\n  LastModifiedDate: yesterday", "LastModifiedDate must be an ISO-8601 date and time"},
    };
    for (String[] test : cases) {
      Path seed = write("bad.yaml", "regions:\n  - ssm:\n      parameters:\n        - "
          + test[0].replace("\n  ", "\n          "));
      assertThatThrownBy(() -> start(ShuntBackend.builder().option("seed", seed.toString()))).as(test[0])
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("parameters[0]")
          .hasMessageContaining(test[1]);
    }
  }

  /**
   * The ssm part of an export, Region by Region, without what differs between two backends that
   * encrypted the same values: ciphertexts and the ARNs of keys made on first use.
   */
  static com.fasterxml.jackson.databind.node.ArrayNode withoutCiphertexts(ObjectNode export) {
    com.fasterxml.jackson.databind.node.ArrayNode out = Json.array();
    for (JsonNode region : export.path("regions")) {
      if (!region.has("ssm")) {
        continue;
      }
      ObjectNode ssm = region.get("ssm").deepCopy();
      for (JsonNode parameter : ssm.path("parameters")) {
        for (JsonNode version : parameter.path("Versions")) {
          ((ObjectNode) version).remove(List.of("SealedValue", "SealedKeyArn"));
        }
      }
      out.addObject().put("account", region.get("account").asText()).put("region", region.get("region").asText())
          .set("ssm", ssm);
    }
    return out;
  }

  static Path writeJson(Path file, JsonNode node) throws Exception {
    Files.write(file, Json.write(node));
    return file;
  }

  static String text(Path file) throws Exception {
    return new String(Files.readAllBytes(file), StandardCharsets.UTF_8);
  }
}
