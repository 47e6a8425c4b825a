package dev.shunt.backend.ssm;

import static dev.shunt.backend.AwsErrors.expectError;
import static dev.shunt.backend.AwsErrors.message;
import static org.assertj.core.api.Assertions.assertThat;

import dev.shunt.backend.BackendTest;
import java.time.Instant;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.core.SdkBytes;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.ssm.SsmClient;
import software.amazon.awssdk.services.ssm.model.GetParametersResponse;
import software.amazon.awssdk.services.ssm.model.Parameter;
import software.amazon.awssdk.services.ssm.model.ParameterTier;
import software.amazon.awssdk.services.ssm.model.ParameterType;
import software.amazon.awssdk.services.ssm.model.PutParameterResponse;
import software.amazon.awssdk.services.ssm.model.Tag;

/** PutParameter, GetParameter(s), DeleteParameter(s): types, SecureStrings, names, versions, tiers. */
class SsmParametersIT extends BackendTest {

  private static long put(String name, String value, ParameterType type) {
    return ssm.putParameter(r -> r.name(name).value(value).type(type)).version();
  }

  @Test
  void stringAndStringListRoundTrip() {
    PutParameterResponse put = ssm.putParameter(r -> r.name("/app/url").value("https://example.com")
        .type(ParameterType.STRING).description("the url"));
    assertThat(put.version()).isEqualTo(1);
    assertThat(put.tier()).isEqualTo(ParameterTier.STANDARD);
    Parameter parameter = ssm.getParameter(r -> r.name("/app/url")).parameter();
    assertThat(parameter.name()).isEqualTo("/app/url");
    assertThat(parameter.value()).isEqualTo("https://example.com");
    assertThat(parameter.type()).isEqualTo(ParameterType.STRING);
    assertThat(parameter.version()).isEqualTo(1);
    assertThat(parameter.arn()).isEqualTo("arn:aws:ssm:us-east-1:000000000000:parameter/app/url");
    assertThat(parameter.dataType()).isEqualTo("text");
    assertThat(parameter.lastModifiedDate()).isBefore(Instant.now().plusSeconds(1));

    put("hosts", "a,b,c", ParameterType.STRING_LIST);
    Parameter list = ssm.getParameter(r -> r.name("hosts")).parameter();
    assertThat(list.type()).isEqualTo(ParameterType.STRING_LIST);
    assertThat(list.value()).isEqualTo("a,b,c");
    assertThat(list.arn()).isEqualTo("arn:aws:ssm:us-east-1:000000000000:parameter/hosts");
    assertThat(ssm.getParameter(r -> r.name(list.arn())).parameter().value()).isEqualTo("a,b,c");
    assertThat(ssm.getParameter(r -> r.name(parameter.arn())).parameter().name()).isEqualTo("/app/url");
  }

  @Test
  void secureStringsAreEncryptedUnderKms() {
    put("/db/password", "s3cr3t", ParameterType.SECURE_STRING);
    Parameter decrypted = ssm.getParameter(r -> r.name("/db/password").withDecryption(true)).parameter();
    assertThat(decrypted.value()).isEqualTo("s3cr3t");
    assertThat(decrypted.type()).isEqualTo(ParameterType.SECURE_STRING);

    // Without decryption, the ciphertext: a KMS blob under the AWS managed key, which only SSM may use.
    String ciphertext = ssm.getParameter(r -> r.name("/db/password")).parameter().value();
    assertThat(ciphertext).isNotEqualTo("s3cr3t");
    SdkBytes blob = SdkBytes.fromByteArray(Base64.getDecoder().decode(ciphertext));
    expectError("AccessDeniedException", () -> kms.decrypt(r -> r.ciphertextBlob(blob)
        .encryptionContext(Map.of("PARAMETER_ARN", decrypted.arn()))));
    assertThat(kms.describeKey(r -> r.keyId("alias/aws/ssm")).keyMetadata().keyManagerAsString()).isEqualTo("AWS");

    var metadata = ssm.describeParameters(r -> { }).parameters().get(0);
    assertThat(metadata.keyId()).isEqualTo("alias/aws/ssm");
  }

  @Test
  void theCiphertextFormDecryptsWithKmsAndTheParameterArnAsContext() {
    String keyId = kms.createKey(r -> { }).keyMetadata().keyId();
    ssm.putParameter(r -> r.name("/db/own-key").value("mine").type(ParameterType.SECURE_STRING).keyId(keyId));
    Parameter parameter = ssm.getParameter(r -> r.name("/db/own-key")).parameter();
    SdkBytes blob = SdkBytes.fromByteArray(Base64.getDecoder().decode(parameter.value()));
    var plain = kms.decrypt(r -> r.ciphertextBlob(blob).encryptionContext(Map.of("PARAMETER_ARN", parameter.arn())));
    assertThat(plain.plaintext().asUtf8String()).isEqualTo("mine");
    assertThat(plain.keyId()).endsWith(keyId);
    expectError("InvalidCiphertextException", () -> kms.decrypt(r -> r.ciphertextBlob(blob)));
  }

  @Test
  void aCustomerKeyProtectsTheParameterAndADisabledKeyFails() {
    String keyId = kms.createKey(r -> { }).keyMetadata().keyId();
    ssm.putParameter(r -> r.name("/db/token").value("t0k3n").type(ParameterType.SECURE_STRING).keyId(keyId));
    assertThat(ssm.getParameter(r -> r.name("/db/token").withDecryption(true)).parameter().value()).isEqualTo("t0k3n");

    kms.disableKey(r -> r.keyId(keyId));
    var read = expectError("InvalidKeyId", () -> ssm.getParameter(r -> r.name("/db/token").withDecryption(true)));
    assertThat(message(read)).contains("is disabled").contains("DisabledException");
    // The ciphertext form needs no key.
    assertThat(ssm.getParameter(r -> r.name("/db/token")).parameter().value()).isNotEqualTo("t0k3n");
    expectError("InvalidKeyId", () -> ssm.putParameter(r -> r.name("/db/token").value("x").overwrite(true)));
    expectError("InvalidKeyId", () -> ssm.getParametersByPath(r -> r.path("/db").withDecryption(true)));

    kms.enableKey(r -> r.keyId(keyId));
    assertThat(ssm.getParameter(r -> r.name("/db/token").withDecryption(true)).parameter().value()).isEqualTo("t0k3n");
    expectError("InvalidKeyId", () -> ssm.putParameter(r -> r.name("/db/other").value("x")
        .type(ParameterType.SECURE_STRING).keyId("alias/no-such-key")));
    expectError("ValidationException", () -> ssm.putParameter(r -> r.name("/plain").value("x")
        .type(ParameterType.STRING).keyId(keyId)));
  }

  @Test
  void overwriteRulesAndVersions() {
    assertThat(put("/v", "1", ParameterType.STRING)).isEqualTo(1);
    var exists = expectError("ParameterAlreadyExists", () -> put("/v", "2", ParameterType.STRING));
    assertThat(message(exists)).startsWith("The parameter already exists.");
    assertThat(ssm.putParameter(r -> r.name("/v").value("2").overwrite(true)).version()).isEqualTo(2);
    assertThat(ssm.putParameter(r -> r.name("/v").value("3").overwrite(true).type(ParameterType.STRING)).version())
        .isEqualTo(3);
    expectError("HierarchyTypeMismatchException",
        () -> ssm.putParameter(r -> r.name("/v").value("4").overwrite(true).type(ParameterType.SECURE_STRING)));
    expectError("ValidationException", () -> ssm.putParameter(r -> r.name("/v").value("4").overwrite(true)
        .tags(Tag.builder().key("k").value("v").build())));
    var noType = expectError("ValidationException", () -> ssm.putParameter(r -> r.name("/new").value("x")));
    assertThat(message(noType)).contains("type is required");

    assertThat(ssm.getParameter(r -> r.name("/v:1")).parameter().value()).isEqualTo("1");
    Parameter second = ssm.getParameter(r -> r.name("/v:2")).parameter();
    assertThat(second.value()).isEqualTo("2");
    assertThat(second.selector()).isEqualTo(":2");
    assertThat(second.name()).isEqualTo("/v");
    expectError("ParameterVersionNotFound", () -> ssm.getParameter(r -> r.name("/v:9")));
    expectError("ParameterNotFound", () -> ssm.getParameter(r -> r.name("/nope")));

    ssm.labelParameterVersion(r -> r.name("/v").parameterVersion(2L).labels("stable"));
    assertThat(ssm.getParameter(r -> r.name("/v:stable")).parameter().value()).isEqualTo("2");
    expectError("ParameterVersionNotFound", () -> ssm.getParameter(r -> r.name("/v:unknown-label")));
  }

  @Test
  void namesFollowSsmRules() {
    String invalid = SsmErrors.INVALID_NAME;
    expectError("AccessDeniedException", () -> put("awsThing", "x", ParameterType.STRING));
    for (String name : new String[] {"SSM-x", "/ssm/x", "has space", "/a//b", "/a/b/", "semi;colon"}) {
      var error = expectError("ValidationException", () -> put(name, "x", ParameterType.STRING));
      assertThat(message(error)).as(name).isEqualTo(invalid);
    }
    var relative = expectError("ValidationException", () -> put("a/b", "x", ParameterType.STRING));
    assertThat(message(relative)).isEqualTo("Parameter name must be a fully qualified name.");
    String fifteen = "/l".repeat(15);
    put(fifteen, "deep", ParameterType.STRING);
    expectError("HierarchyLevelLimitExceededException", () -> put(fifteen + "/l", "x", ParameterType.STRING));
    put("Mixed.Case-name_1", "ok", ParameterType.STRING);
    expectError("ParameterNotFound", () -> ssm.getParameter(r -> r.name("mixed.case-name_1")));
  }

  @Test
  void getParametersReportsTheMissingOnes() {
    put("/a", "1", ParameterType.STRING);
    put("/b", "2", ParameterType.STRING);
    GetParametersResponse response = ssm.getParameters(r -> r.names("/a", "/missing", "/b", "/a:7"));
    assertThat(response.parameters()).extracting(Parameter::name).containsExactly("/a", "/b");
    assertThat(response.invalidParameters()).containsExactly("/missing", "/a:7");
    var tooMany = expectError("ValidationException", () -> ssm.getParameters(r -> r.names(
        "/1", "/2", "/3", "/4", "/5", "/6", "/7", "/8", "/9", "/10", "/11")));
    assertThat(message(tooMany)).contains("'names'").contains("less than or equal to 10");
  }

  @Test
  void deleteParameterAndDeleteParameters() {
    put("/x", "1", ParameterType.STRING);
    ssm.deleteParameter(r -> r.name("/x"));
    expectError("ParameterNotFound", () -> ssm.getParameter(r -> r.name("/x")));
    expectError("ParameterNotFound", () -> ssm.deleteParameter(r -> r.name("/x")));
    assertThat(put("/x", "again", ParameterType.STRING)).isEqualTo(1);

    put("/y", "2", ParameterType.STRING);
    var deleted = ssm.deleteParameters(r -> r.names("/x", "/y", "/z"));
    assertThat(deleted.deletedParameters()).containsExactly("/x", "/y");
    assertThat(deleted.invalidParameters()).containsExactly("/z");
  }

  @Test
  void dataTypesAndAllowedPatterns() {
    ssm.putParameter(r -> r.name("/ami").value("ami-0123456789abcdef0").type(ParameterType.STRING)
        .dataType("aws:ec2:image"));
    assertThat(ssm.getParameter(r -> r.name("/ami")).parameter().dataType()).isEqualTo("aws:ec2:image");
    expectError("ValidationException", () -> ssm.putParameter(r -> r.name("/ami2").value("not-an-ami")
        .type(ParameterType.STRING).dataType("aws:ec2:image")));
    expectError("ValidationException", () -> ssm.putParameter(r -> r.name("/bad").value("x")
        .type(ParameterType.STRING).dataType("Text")));

    ssm.putParameter(r -> r.name("/port").value("8080").type(ParameterType.STRING).allowedPattern("^\\d+$"));
    var mismatch = expectError("ParameterPatternMismatchException",
        () -> ssm.putParameter(r -> r.name("/port").value("eighty").overwrite(true)));
    assertThat(message(mismatch)).contains("^\\d+$");
    expectError("InvalidAllowedPatternException", () -> ssm.putParameter(r -> r.name("/p2").value("x")
        .type(ParameterType.STRING).allowedPattern("([unclosed")));
  }

  @Test
  void tiersBoundTheValueSize() {
    String fourKb = "x".repeat(4096);
    PutParameterResponse standard = ssm.putParameter(r -> r.name("/s").value(fourKb).type(ParameterType.STRING));
    assertThat(standard.tier()).isEqualTo(ParameterTier.STANDARD);
    var tooBig = expectError("ValidationException", () -> ssm.putParameter(r -> r.name("/s2").value(fourKb + "x")
        .type(ParameterType.STRING)));
    assertThat(message(tooBig)).startsWith("Standard tier parameters support a maximum parameter value of 4096");

    String eightKb = "y".repeat(8192);
    assertThat(ssm.putParameter(r -> r.name("/a").value(eightKb).type(ParameterType.SECURE_STRING)
        .tier(ParameterTier.ADVANCED)).tier()).isEqualTo(ParameterTier.ADVANCED);
    assertThat(ssm.getParameter(r -> r.name("/a").withDecryption(true)).parameter().value()).isEqualTo(eightKb);
    expectError("ValidationException", () -> ssm.putParameter(r -> r.name("/a2").value(eightKb + "y")
        .type(ParameterType.STRING).tier(ParameterTier.ADVANCED)));

    assertThat(ssm.putParameter(r -> r.name("/i1").value("small").type(ParameterType.STRING)
        .tier(ParameterTier.INTELLIGENT_TIERING)).tier()).isEqualTo(ParameterTier.STANDARD);
    assertThat(ssm.putParameter(r -> r.name("/i2").value(fourKb + "z").type(ParameterType.STRING)
        .tier(ParameterTier.INTELLIGENT_TIERING)).tier()).isEqualTo(ParameterTier.ADVANCED);

    var downgrade = expectError("ValidationException", () -> ssm.putParameter(r -> r.name("/a").value("v")
        .overwrite(true).tier(ParameterTier.STANDARD)));
    assertThat(message(downgrade)).contains("can't downgrade");
    // Overwriting an advanced parameter without a tier keeps it advanced.
    assertThat(ssm.putParameter(r -> r.name("/a").value("small now").overwrite(true)).tier())
        .isEqualTo(ParameterTier.ADVANCED);
  }

  @Test
  void historyKeepsAHundredVersionsAndLabelsPinTheOldest() {
    put("/h", "v1", ParameterType.STRING);
    for (int i = 2; i <= 100; i++) {
      int n = i;
      ssm.putParameter(r -> r.name("/h").value("v" + n).overwrite(true));
    }
    assertThat(ssm.putParameter(r -> r.name("/h").value("v101").overwrite(true)).version()).isEqualTo(101);
    List<Long> versions = ssm.getParameterHistoryPaginator(r -> r.name("/h")).stream().flatMap(page -> page.parameters().stream())
        .map(p -> p.version()).toList();
    assertThat(versions).hasSize(100).startsWith(2L).endsWith(101L);

    ssm.labelParameterVersion(r -> r.name("/h").parameterVersion(2L).labels("pinned"));
    var pinned = expectError("ParameterMaxVersionLimitExceeded",
        () -> ssm.putParameter(r -> r.name("/h").value("v102").overwrite(true)));
    assertThat(message(pinned)).contains("Version 2, the oldest version, can't be deleted");
    ssm.unlabelParameterVersion(r -> r.name("/h").parameterVersion(2L).labels("pinned"));
    assertThat(ssm.putParameter(r -> r.name("/h").value("v102").overwrite(true)).version()).isEqualTo(102);
  }

  @Test
  void historyShowsEachVersionWithItsOwnMetadataAndPages() {
    ssm.putParameter(r -> r.name("/m").value("a").type(ParameterType.STRING).description("first"));
    ssm.putParameter(r -> r.name("/m").value("b").overwrite(true).description("second"));
    ssm.putParameter(r -> r.name("/m").value("c").overwrite(true));
    var page = ssm.getParameterHistory(r -> r.name("/m").maxResults(2));
    assertThat(page.parameters()).extracting(p -> p.value()).containsExactly("a", "b");
    assertThat(page.parameters()).extracting(p -> p.description()).containsExactly("first", "second");
    assertThat(page.parameters().get(0).lastModifiedUser()).isEqualTo("arn:aws:iam::000000000000:root");
    var rest = ssm.getParameterHistory(r -> r.name("/m").maxResults(2).nextToken(page.nextToken()));
    assertThat(rest.parameters()).extracting(p -> p.value()).containsExactly("c");
    assertThat(rest.parameters().get(0).description()).isEqualTo("second");
    assertThat(rest.nextToken()).isNull();
    expectError("ParameterNotFound", () -> ssm.getParameterHistory(r -> r.name("/none")));
    expectError("InvalidNextToken", () -> ssm.getParameterHistory(r -> r.name("/m").nextToken("!!")));
  }

  @Test
  void labelsMoveBetweenVersionsAndFollowTheRules() {
    put("/l", "1", ParameterType.STRING);
    ssm.putParameter(r -> r.name("/l").value("2").overwrite(true));
    var labelled = ssm.labelParameterVersion(r -> r.name("/l").parameterVersion(1L)
        .labels("prod", "1bad", "awsReserved", "ssm-x", "bad label", "ok.label-1_x"));
    assertThat(labelled.parameterVersion()).isEqualTo(1);
    assertThat(labelled.invalidLabels()).containsExactlyInAnyOrder("1bad", "awsReserved", "ssm-x", "bad label");
    assertThat(ssm.getParameter(r -> r.name("/l:prod")).parameter().version()).isEqualTo(1);

    // Without a version, the latest; a label lives on one version at a time.
    assertThat(ssm.labelParameterVersion(r -> r.name("/l").labels("prod")).parameterVersion()).isEqualTo(2);
    assertThat(ssm.getParameter(r -> r.name("/l:prod")).parameter().version()).isEqualTo(2);
    assertThat(ssm.getParameterHistory(r -> r.name("/l")).parameters().get(0).labels()).containsExactly("ok.label-1_x");

    ssm.labelParameterVersion(r -> r.name("/l").parameterVersion(2L).labels("a1", "a2", "a3", "a4", "a5", "a6",
        "a7", "a8", "a9"));
    expectError("ParameterVersionLabelLimitExceeded",
        () -> ssm.labelParameterVersion(r -> r.name("/l").parameterVersion(2L).labels("a10")));
    expectError("ParameterVersionNotFound", () -> ssm.labelParameterVersion(r -> r.name("/l").parameterVersion(9L)
        .labels("x")));

    var unlabelled = ssm.unlabelParameterVersion(r -> r.name("/l").parameterVersion(2L).labels("prod", "nothere"));
    assertThat(unlabelled.removedLabels()).containsExactly("prod");
    assertThat(unlabelled.invalidLabels()).containsExactly("nothere");
    expectError("ParameterVersionNotFound", () -> ssm.getParameter(r -> r.name("/l:prod")));
  }

  @Test
  void tagsOnParameters() {
    ssm.putParameter(r -> r.name("/t").value("v").type(ParameterType.STRING)
        .tags(Tag.builder().key("team").value("a").build()));
    ssm.addTagsToResource(r -> r.resourceType("Parameter").resourceId("/t")
        .tags(Tag.builder().key("env").value("dev").build()));
    assertThat(ssm.listTagsForResource(r -> r.resourceType("Parameter").resourceId("/t")).tagList())
        .extracting(Tag::key).containsExactly("team", "env");
    ssm.removeTagsFromResource(r -> r.resourceType("Parameter").resourceId("/t").tagKeys("team"));
    assertThat(ssm.listTagsForResource(r -> r.resourceType("Parameter").resourceId("/t")).tagList())
        .extracting(Tag::key).containsExactly("env");
    expectError("InvalidResourceId", () -> ssm.listTagsForResource(r -> r.resourceType("Parameter").resourceId("/no")));
    expectError("InvalidResourceType",
        () -> ssm.listTagsForResource(r -> r.resourceType("Document").resourceId("/t")));
    expectError("ValidationException", () -> ssm.addTagsToResource(r -> r.resourceType("Parameter").resourceId("/t")
        .tags(Tag.builder().key("aws:x").value("v").build())));
  }

  @Test
  void parametersAreSeparatedByRegionAndAccount() {
    put("/regional", "east", ParameterType.STRING);
    try (SsmClient europe = shunt.ssm("AKIDTEST", Region.EU_WEST_1);
        SsmClient other = shunt.ssm("111122223333", Region.US_EAST_1)) {
      expectError("ParameterNotFound", () -> europe.getParameter(r -> r.name("/regional")));
      europe.putParameter(r -> r.name("/regional").value("west").type(ParameterType.STRING));
      assertThat(europe.getParameter(r -> r.name("/regional")).parameter().arn())
          .isEqualTo("arn:aws:ssm:eu-west-1:000000000000:parameter/regional");
      expectError("ParameterNotFound", () -> other.getParameter(r -> r.name("/regional")));
    }
    assertThat(ssm.getParameter(r -> r.name("/regional")).parameter().value()).isEqualTo("east");
  }

  @Test
  void secretsManagerSecretsAreReadableThroughTheReferencePath() {
    try (var secrets = shunt.secrets()) {
      secrets.createSecret(r -> r.name("db/creds").secretString("{\"password\":\"p\"}"));
      Parameter reference = ssm.getParameter(r -> r.name("/aws/reference/secretsmanager/db/creds")
          .withDecryption(true)).parameter();
      assertThat(reference.value()).isEqualTo("{\"password\":\"p\"}");
      assertThat(reference.type()).isEqualTo(ParameterType.SECURE_STRING);
      assertThat(reference.arn()).startsWith("arn:aws:secretsmanager:us-east-1:000000000000:secret:db/creds-");
      assertThat(reference.sourceResult()).contains("\"Name\":\"db/creds\"").doesNotContain("password");
      expectError("ValidationException", () -> ssm.getParameter(r -> r.name("/aws/reference/secretsmanager/db/creds")));
      expectError("ParameterNotFound", () -> ssm.getParameter(r -> r.name("/aws/reference/secretsmanager/missing")
          .withDecryption(true)));
      secrets.putSecretValue(r -> r.secretId("db/creds").secretString("v2"));
      assertThat(ssm.getParameter(r -> r.name("/aws/reference/secretsmanager/db/creds:AWSPREVIOUS")
          .withDecryption(true)).parameter().value()).isEqualTo("{\"password\":\"p\"}");
    }
  }
}
