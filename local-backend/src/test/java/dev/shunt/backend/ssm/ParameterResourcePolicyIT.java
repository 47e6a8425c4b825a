package dev.shunt.backend.ssm;

import static dev.shunt.backend.AwsErrors.expectError;
import static dev.shunt.backend.AwsErrors.message;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.shunt.backend.BackendFixture;
import dev.shunt.backend.ShuntBackend;
import dev.shunt.backend.core.Json;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.kms.KmsClient;
import software.amazon.awssdk.services.ssm.SsmClient;
import software.amazon.awssdk.services.ssm.model.GetResourcePoliciesResponse;
import software.amazon.awssdk.services.ssm.model.GetResourcePoliciesResponseEntry;
import software.amazon.awssdk.services.ssm.model.ParameterMetadata;
import software.amazon.awssdk.services.ssm.model.ParameterTier;
import software.amazon.awssdk.services.ssm.model.ParameterType;
import software.amazon.awssdk.services.ssm.model.PutResourcePolicyResponse;
import software.amazon.awssdk.services.ssm.model.ResourceTypeForTagging;
import software.amazon.awssdk.services.ssm.model.Tag;

/**
 * Sharing parameters with resource policies, without a principals file (every access key acts as
 * its account's root), with the real SDK: PutResourcePolicy, GetResourcePolicies and
 * DeleteResourcePolicy and each of their errors, reads of a shared parameter by its ARN from
 * another account (allowed exactly where a resource policy allows; a SecureString only where the
 * key's policy lets that account decrypt), and the policies kept across a restart, an export and a
 * seed. The rules are the AWS user guide's ("Working with shared parameters").
 */
class ParameterResourcePolicyIT {
  static final String OWNER = "111122223333";
  static final String CONSUMER = "444455556666";
  static final String STRANGER = "777788889999";
  static final String CONSUMER_ROOT = "arn:aws:iam::" + CONSUMER + ":root";

  private static BackendFixture shunt;
  private static SsmClient owner;
  private static SsmClient consumer;
  private static SsmClient stranger;
  private static KmsClient ownerKms;

  @TempDir
  Path dir;

  @BeforeAll
  static void start() {
    shunt = BackendFixture.start();
    owner = shunt.ssm(OWNER, Region.US_EAST_1);
    consumer = shunt.ssm(CONSUMER, Region.US_EAST_1);
    stranger = shunt.ssm(STRANGER, Region.US_EAST_1);
    ownerKms = shunt.kms(OWNER, Region.US_EAST_1);
  }

  @AfterAll
  static void stop() {
    owner.close();
    consumer.close();
    stranger.close();
    ownerKms.close();
    shunt.close();
  }

  static String arn(String name) {
    return "arn:aws:ssm:us-east-1:" + OWNER + ":parameter" + name;
  }

  /** A fresh advanced String parameter of the owner; its name. */
  static String advanced(String value) {
    String name = "/shared/" + UUID.randomUUID();
    owner.putParameter(r -> r.name(name).value(value).type(ParameterType.STRING).tier(ParameterTier.ADVANCED));
    return name;
  }

  static String policy(String effect, String principal, String... actions) {
    StringBuilder list = new StringBuilder();
    for (String action : actions) {
      list.append(list.length() == 0 ? "" : ",").append('"').append(action).append('"');
    }
    return "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Sid\":\"Share\",\"Effect\":\"" + effect + "\","
        + "\"Principal\":{\"AWS\":\"" + principal + "\"},\"Action\":[" + list + "],\"Resource\":\"*\"}]}";
  }

  static String read(String principal) {
    return policy("Allow", principal, "ssm:GetParameter", "ssm:GetParameters", "ssm:DescribeParameters");
  }

  static PutResourcePolicyResponse share(String name, String policy) {
    return owner.putResourcePolicy(r -> r.resourceArn(arn(name)).policy(policy));
  }

  static List<GetResourcePoliciesResponseEntry> policies(String name) {
    return owner.getResourcePolicies(r -> r.resourceArn(arn(name))).policies();
  }

  static String sha256(String text) throws Exception {
    return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8)));
  }

  static String denial(String account, String action, String resource, String why) {
    return "User: arn:aws:iam::" + account + ":root is not authorized to perform: ssm:" + action + " on resource: "
        + resource + why;
  }

  // ---- PutResourcePolicy, GetResourcePolicies, DeleteResourcePolicy --------------------------

  @Test
  void aPolicyIsAddedReadUpdatedAndDeletedByItsIdAndHash() throws Exception {
    String name = advanced("v");
    String first = read(CONSUMER);
    PutResourcePolicyResponse put = share(name, first);
    assertThat(put.policyId()).matches("[0-9a-f-]{36}");
    assertThat(put.policyHash()).isEqualTo(sha256(first));
    assertThat(policies(name)).singleElement().satisfies(p -> {
      assertThat(p.policyId()).isEqualTo(put.policyId());
      assertThat(p.policyHash()).isEqualTo(put.policyHash());
      assertThat(p.policy()).isEqualTo(first);
    });

    String second = read(STRANGER);
    PutResourcePolicyResponse updated = owner.putResourcePolicy(r -> r.resourceArn(arn(name)).policy(second)
        .policyId(put.policyId()).policyHash(put.policyHash()));
    assertThat(updated.policyId()).isEqualTo(put.policyId());
    assertThat(updated.policyHash()).isEqualTo(sha256(second)).isNotEqualTo(put.policyHash());
    assertThat(policies(name)).extracting(GetResourcePoliciesResponseEntry::policy).containsExactly(second);

    // A second policy without PolicyId is another policy.
    PutResourcePolicyResponse other = share(name, read(CONSUMER));
    assertThat(other.policyId()).isNotEqualTo(put.policyId());
    assertThat(policies(name)).extracting(GetResourcePoliciesResponseEntry::policyId)
        .containsExactly(put.policyId(), other.policyId());

    owner.deleteResourcePolicy(r -> r.resourceArn(arn(name)).policyId(put.policyId()).policyHash(updated.policyHash()));
    assertThat(policies(name)).extracting(GetResourcePoliciesResponseEntry::policyId).containsExactly(other.policyId());
    owner.deleteResourcePolicy(r -> r.resourceArn(arn(name)).policyId(other.policyId()).policyHash(other.policyHash()));
    assertThat(policies(name)).isEmpty();
  }

  @Test
  void aStalePolicyHashIsAConflictAndAnUnknownIdIsNotFound() {
    String name = advanced("v");
    PutResourcePolicyResponse put = share(name, read(CONSUMER));
    owner.putResourcePolicy(r -> r.resourceArn(arn(name)).policy(read(STRANGER)).policyId(put.policyId())
        .policyHash(put.policyHash()));
    // put.policyHash() is the first version's: another writer changed the policy since.
    expectError("ResourcePolicyConflictException", () -> owner.putResourcePolicy(r -> r.resourceArn(arn(name))
        .policy(read(CONSUMER)).policyId(put.policyId()).policyHash(put.policyHash())));
    expectError("ResourcePolicyConflictException", () -> owner.deleteResourcePolicy(r -> r.resourceArn(arn(name))
        .policyId(put.policyId()).policyHash(put.policyHash())));
    expectError("ResourcePolicyNotFoundException", () -> owner.putResourcePolicy(r -> r.resourceArn(arn(name))
        .policy(read(CONSUMER)).policyId("no-such-policy").policyHash(put.policyHash())));
    expectError("ResourcePolicyNotFoundException", () -> owner.deleteResourcePolicy(r -> r.resourceArn(arn(name))
        .policyId("no-such-policy").policyHash(put.policyHash())));
    expectError("ResourcePolicyInvalidParameterException", () -> owner.putResourcePolicy(r -> r
        .resourceArn(arn(name)).policy(read(CONSUMER)).policyId(put.policyId())));
    expectError("ResourcePolicyInvalidParameterException", () -> owner.putResourcePolicy(r -> r
        .resourceArn(arn(name)).policy(read(CONSUMER)).policyHash(put.policyHash())));
    assertThat(policies(name)).extracting(GetResourcePoliciesResponseEntry::policy).containsExactly(read(STRANGER));
  }

  @Test
  void onlyAnAdvancedParameterUnderACustomerManagedKeyCanBeShared() {
    String standard = "/shared/standard-" + UUID.randomUUID();
    owner.putParameter(r -> r.name(standard).value("v").type(ParameterType.STRING));
    assertThat(message(expectError("ResourcePolicyInvalidParameterException", () -> share(standard, read(CONSUMER)))))
        .contains("Standard tier").contains("advanced parameter tier");
    String managed = "/shared/managed-" + UUID.randomUUID();
    owner.putParameter(r -> r.name(managed).value("v").type(ParameterType.SECURE_STRING).tier(ParameterTier.ADVANCED));
    assertThat(message(expectError("ResourcePolicyInvalidParameterException", () -> share(managed, read(CONSUMER)))))
        .contains("customer managed key");
    // Once moved to the advanced tier and a customer managed key, both can.
    owner.putParameter(r -> r.name(standard).value("w").overwrite(true).tier(ParameterTier.ADVANCED));
    share(standard, read(CONSUMER));
    String key = ownerKms.createKey(r -> r.description("for sharing")).keyMetadata().arn();
    owner.putParameter(r -> r.name(managed).value("w").overwrite(true).keyId(key));
    share(managed, read(CONSUMER));
  }

  @Test
  void aPolicyMayShareOnlyReadsWithNamedAccountsOfThisParameter() {
    String name = advanced("v");
    String[][] refused = {
        {policy("Allow", CONSUMER, "ssm:PutParameter"), "ssm:PutParameter"},
        {policy("Allow", CONSUMER, "ssm:GetParameter", "ssm:DeleteParameter"), "ssm:DeleteParameter"},
        {policy("Allow", CONSUMER, "ssm:*"), "ssm:*"},
        {policy("Allow", CONSUMER, "*"), "allows *"},
        // GetParametersByPath is not a shared parameter's: the wildcard matches it.
        {policy("Allow", CONSUMER, "ssm:GetParameter*"), "ssm:GetParameter*"},
        {policy("Allow", "*", "ssm:GetParameter"), "not publicly"},
        {"{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Allow\",\"Principal\":{\"Service\":"
            + "\"ec2.amazonaws.com\"},\"Action\":\"ssm:GetParameter\",\"Resource\":\"*\"}]}", "Service"},
        {"{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Allow\",\"Principal\":{\"AWS\":\"" + CONSUMER
            + "\"},\"NotAction\":\"ssm:PutParameter\",\"Resource\":\"*\"}]}", "NotAction"},
        {"{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Allow\",\"Principal\":{\"AWS\":\"" + CONSUMER
            + "\"},\"Action\":\"ssm:GetParameter\",\"Resource\":\"" + arn("/some/other") + "\"}]}", "/some/other"},
        {"{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Allow\",\"Action\":\"ssm:GetParameter\","
            + "\"Resource\":\"*\"}]}", "Principal"},
        {"{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Allow\",\"Principal\":{\"AWS\":\"" + CONSUMER
            + "\"},\"Action\":\"ssm:GetParameter\",\"Condition\":{\"NoSuchOperator\":{\"aws:SourceIp\":\"x\"}}}]}",
            "NoSuchOperator"},
        {"{\"Statement\": not json", "not valid JSON"},
        {"[1, 2, 3]", "JSON object"},
    };
    for (String[] test : refused) {
      assertThat(message(expectError("MalformedResourcePolicyDocumentException", () -> share(name, test[0]))))
          .as(test[0]).contains(test[1]);
    }
    assertThat(policies(name)).isEmpty();
    // What is read-only passes: the exact ARN, a wildcard that matches only reads, a Deny of anything.
    share(name, "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Allow\",\"Principal\":{\"AWS\":["
        + "\"arn:aws:iam::" + CONSUMER + ":root\",\"arn:aws:iam::" + STRANGER + ":user/x\"]},\"Action\":"
        + "[\"ssm:GetParameter?\",\"ssm:GetParameterHistory\"],\"Resource\":\"" + arn(name) + "\"},{\"Effect\":"
        + "\"Deny\",\"Principal\":{\"AWS\":\"" + STRANGER + "\"},\"Action\":\"ssm:*\"}]}");
    assertThat(policies(name)).hasSize(1);
  }

  @Test
  void aPolicyOverTheSizeLimitOrAParameterOverThePolicyLimitIsRefused() {
    String name = advanced("v");
    String padded = "{\"Id\":\"" + "x".repeat(1024) + "\"," + read(CONSUMER).substring(1);
    assertThat(message(expectError("ResourcePolicyLimitExceededException", () -> share(name, padded))))
        .contains("1024 bytes");
    for (int i = 0; i < ParameterResourcePolicies.MAX_POLICIES; i++) {
      share(name, read(CONSUMER));
    }
    expectError("ResourcePolicyLimitExceededException", () -> share(name, read(CONSUMER)));
    // GetResourcePolicies pages them.
    GetResourcePoliciesResponse first = owner.getResourcePolicies(r -> r.resourceArn(arn(name)).maxResults(20));
    assertThat(first.policies()).hasSize(20);
    GetResourcePoliciesResponse second = owner.getResourcePolicies(r -> r.resourceArn(arn(name)).maxResults(40)
        .nextToken(first.nextToken()));
    assertThat(second.policies()).hasSize(30);
    assertThat(second.nextToken()).isNull();
    expectError("ResourcePolicyInvalidParameterException", () -> owner.getResourcePolicies(r -> r
        .resourceArn(arn(name)).nextToken("not-a-token")));
    expectError("ValidationException", () -> owner.getResourcePolicies(r -> r.resourceArn(arn(name)).maxResults(51)));
  }

  @Test
  void aResourceArnThatIsNoParameterHereIsRefused() {
    String name = advanced("v");
    String policy = read(CONSUMER);
    String[] invalid = {
        "arn:aws:ssm:eu-west-1:" + OWNER + ":parameter" + name,
        "arn:aws-cn:ssm:us-east-1:" + OWNER + ":parameter" + name,
        "arn:aws:ssm:us-east-1:" + OWNER + ":opsitemgroup/default",
        "arn:aws:secretsmanager:us-east-1:" + OWNER + ":secret:x",
        "arn:aws:ssm:us-east-1:" + OWNER + ":parameter/bad name{}",
        "not an arn at all, but long enough",
    };
    for (String resource : invalid) {
      expectError("ResourcePolicyInvalidParameterException", () -> owner.putResourcePolicy(r -> r
          .resourceArn(resource).policy(policy)));
      expectError("ResourcePolicyInvalidParameterException", () -> owner.getResourcePolicies(r -> r
          .resourceArn(resource)));
    }
    String missing = arn("/shared/missing-" + UUID.randomUUID());
    expectError("ResourceNotFoundException", () -> owner.putResourcePolicy(r -> r.resourceArn(missing).policy(policy)));
    expectError("ResourceNotFoundException", () -> owner.getResourcePolicies(r -> r.resourceArn(missing)));
    expectError("ResourceNotFoundException", () -> owner.deleteResourcePolicy(r -> r.resourceArn(missing)
        .policyId("p").policyHash("h")));
    expectError("ValidationException", () -> owner.getResourcePolicies(r -> r.resourceArn("arn:aws:ssm:x")));
    expectError("ValidationException", () -> share(name, "   "));
  }

  @Test
  void anotherAccountCannotManageTheOwnersPolicies() {
    String name = advanced("v");
    PutResourcePolicyResponse put = share(name, read(CONSUMER));
    assertThat(message(expectError("AccessDeniedException", () -> consumer.putResourcePolicy(r -> r
        .resourceArn(arn(name)).policy(read(CONSUMER))))))
        .isEqualTo(denial(CONSUMER, "PutResourcePolicy", arn(name),
            " because no resource-based policy allows the ssm:PutResourcePolicy action"));
    expectError("AccessDeniedException", () -> consumer.getResourcePolicies(r -> r.resourceArn(arn(name))));
    expectError("AccessDeniedException", () -> consumer.deleteResourcePolicy(r -> r.resourceArn(arn(name))
        .policyId(put.policyId()).policyHash(put.policyHash())));
    assertThat(policies(name)).hasSize(1);
  }

  // ---- reading a shared parameter from another account --------------------------------------

  @Test
  void anotherAccountReadsByArnExactlyWhatAPolicyShares() {
    String name = advanced("shared value");
    String resource = arn(name);
    assertThat(message(expectError("AccessDeniedException", () -> consumer.getParameter(r -> r.name(resource)))))
        .isEqualTo(denial(CONSUMER, "GetParameter", resource,
            " because no resource-based policy allows the ssm:GetParameter action"));
    share(name, read(CONSUMER));

    var parameter = consumer.getParameter(r -> r.name(resource)).parameter();
    assertThat(parameter.value()).isEqualTo("shared value");
    assertThat(parameter.arn()).isEqualTo(resource);
    assertThat(consumer.getParameter(r -> r.name(resource + ":1")).parameter().value()).isEqualTo("shared value");
    assertThat(consumer.getParameters(r -> r.names(resource)).parameters()).extracting(p -> p.value())
        .containsExactly("shared value");
    // By its name alone the consumer means its own account's parameter, which it does not have.
    expectError("ParameterNotFound", () -> consumer.getParameter(r -> r.name(name)));
    // The policy shares GetParameter, GetParameters and DescribeParameters, not the history.
    assertThat(message(expectError("AccessDeniedException", () -> consumer.getParameterHistory(r -> r
        .name(resource))))).isEqualTo(denial(CONSUMER, "GetParameterHistory", resource,
            " because no resource-based policy allows the ssm:GetParameterHistory action"));
    // A third account is not named.
    expectError("AccessDeniedException", () -> stranger.getParameter(r -> r.name(resource)));
    // Nothing but reads, whatever the policy says.
    expectError("AccessDeniedException", () -> consumer.putParameter(r -> r.name(resource).value("mine")
        .overwrite(true)));
    expectError("AccessDeniedException", () -> consumer.deleteParameter(r -> r.name(resource)));
    expectError("AccessDeniedException", () -> consumer.labelParameterVersion(r -> r.name(resource).labels("l")));
    expectError("AccessDeniedException", () -> consumer.addTagsToResource(r -> r
        .resourceType(ResourceTypeForTagging.PARAMETER).resourceId(resource).tags(Tag.builder().key("k").value("v")
            .build())));
    assertThat(owner.getParameter(r -> r.name(name)).parameter().value()).isEqualTo("shared value");
    assertThat(owner.getParameter(r -> r.name(name)).parameter().version()).isEqualTo(1L);
  }

  @Test
  void theHistoryAndTheSharedListingFollowThePolicy() {
    String name = advanced("one");
    owner.putParameter(r -> r.name(name).value("two").overwrite(true));
    share(name, policy("Allow", CONSUMER_ROOT, "ssm:GetParameterHistory", "ssm:DescribeParameters"));
    assertThat(consumer.getParameterHistory(r -> r.name(arn(name))).parameters()).extracting(h -> h.value())
        .containsExactly("one", "two");
    List<ParameterMetadata> shared = consumer.describeParameters(r -> r.shared(true).maxResults(50)).parameters();
    assertThat(shared).extracting(ParameterMetadata::arn).contains(arn(name));
    assertThat(shared).allSatisfy(p -> assertThat(p.arn()).doesNotContain(CONSUMER));
    // Its own listing holds its own parameters only; the stranger has nothing shared with it by this policy.
    assertThat(consumer.describeParameters(r -> r.maxResults(50)).parameters()).extracting(ParameterMetadata::arn)
        .doesNotContain(arn(name));
    assertThat(stranger.describeParameters(r -> r.shared(true).maxResults(50)).parameters())
        .extracting(ParameterMetadata::arn).doesNotContain(arn(name));
  }

  @Test
  void theSharedListingPagesByArnWithItsFilters() {
    String prefix = "/paged/" + UUID.randomUUID();
    List<String> arns = new java.util.ArrayList<>();
    for (int i = 0; i < 3; i++) {
      String name = prefix + "/p" + i;
      owner.putParameter(r -> r.name(name).value("v").type(ParameterType.STRING).tier(ParameterTier.ADVANCED));
      share(name, read(CONSUMER));
      arns.add(arn(name));
    }
    var filter = software.amazon.awssdk.services.ssm.model.ParameterStringFilter.builder().key("Path")
        .option("Recursive").values(prefix).build();
    List<String> seen = new java.util.ArrayList<>();
    String token = null;
    do {
      String from = token;
      var page = consumer.describeParameters(r -> r.shared(true).maxResults(2).parameterFilters(filter)
          .nextToken(from));
      assertThat(page.parameters()).hasSizeLessThanOrEqualTo(2);
      page.parameters().forEach(p -> seen.add(p.arn()));
      token = page.nextToken();
    } while (token != null);
    assertThat(seen).containsExactlyElementsOf(arns);
    expectError("InvalidNextToken", () -> consumer.describeParameters(r -> r.shared(true).nextToken("forged")));
  }

  @Test
  void anExplicitDenyInAPolicyWinsOverAnAllowInAnother() {
    String name = advanced("v");
    share(name, read(CONSUMER));
    share(name, policy("Deny", CONSUMER, "ssm:GetParameter"));
    assertThat(message(expectError("AccessDeniedException", () -> consumer.getParameter(r -> r.name(arn(name))))))
        .isEqualTo(denial(CONSUMER, "GetParameter", arn(name), " with an explicit deny in a resource-based policy"));
    // GetParameters is another action: the Deny names GetParameter only.
    assertThat(consumer.getParameters(r -> r.names(arn(name))).parameters()).hasSize(1);
  }

  @Test
  void deletingThePolicyOrTheParameterEndsTheSharing() {
    String name = advanced("v");
    PutResourcePolicyResponse put = share(name, read(CONSUMER));
    assertThat(consumer.getParameter(r -> r.name(arn(name))).parameter().value()).isEqualTo("v");
    owner.deleteResourcePolicy(r -> r.resourceArn(arn(name)).policyId(put.policyId()).policyHash(put.policyHash()));
    expectError("AccessDeniedException", () -> consumer.getParameter(r -> r.name(arn(name))));

    share(name, read(CONSUMER));
    owner.deleteParameter(r -> r.name(name));
    owner.putParameter(r -> r.name(name).value("again").type(ParameterType.STRING).tier(ParameterTier.ADVANCED));
    assertThat(policies(name)).isEmpty();
    expectError("AccessDeniedException", () -> consumer.getParameter(r -> r.name(arn(name))));
  }

  @Test
  void anArnOfAnotherRegionOrPartitionIsNoParameterHere() {
    String name = advanced("v");
    share(name, read(CONSUMER));
    String elsewhere = "arn:aws:ssm:eu-west-1:" + OWNER + ":parameter" + name;
    // The owner's own ARN in another Region: SSM does not follow it there.
    expectError("ParameterNotFound", () -> owner.getParameter(r -> r.name(elsewhere)));
    assertThat(owner.getParameters(r -> r.names(elsewhere)).invalidParameters()).containsExactly(elsewhere);
    expectError("ParameterNotFound", () -> owner.getParameter(r -> r.name("arn:aws-cn:ssm:us-east-1:" + OWNER
        + ":parameter" + name)));
    // Another account's: nothing there shares it.
    expectError("AccessDeniedException", () -> consumer.getParameter(r -> r.name(elsewhere)));
    expectError("AccessDeniedException", () -> consumer.getParameter(r -> r.name(arn("/shared/missing"))));
  }

  @Test
  void aSharedSecureStringDecryptsOnlyWhereTheKeyPolicyLetsTheOtherAccount() {
    String sharedKeyPolicy = "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Allow\",\"Principal\":{\"AWS\":"
        + "[\"arn:aws:iam::" + OWNER + ":root\",\"" + CONSUMER_ROOT + "\"]},\"Action\":\"kms:*\",\"Resource\":\"*\"}]}";
    String sharedKey = ownerKms.createKey(r -> r.policy(sharedKeyPolicy)).keyMetadata().arn();
    String privateKey = ownerKms.createKey(r -> r.description("owner only")).keyMetadata().arn();
    String open = "/shared/secure-open-" + UUID.randomUUID();
    String closed = "/shared/secure-closed-" + UUID.randomUUID();
    owner.putParameter(r -> r.name(open).value("s3cret").type(ParameterType.SECURE_STRING).keyId(sharedKey)
        .tier(ParameterTier.ADVANCED));
    owner.putParameter(r -> r.name(closed).value("s3cret").type(ParameterType.SECURE_STRING).keyId(privateKey)
        .tier(ParameterTier.ADVANCED));
    share(open, read(CONSUMER));
    share(closed, read(CONSUMER));

    assertThat(consumer.getParameter(r -> r.name(arn(open)).withDecryption(true)).parameter().value())
        .isEqualTo("s3cret");
    assertThat(message(expectError("AccessDeniedException", () -> consumer.getParameter(r -> r.name(arn(closed))
        .withDecryption(true))))).startsWith("User: " + CONSUMER_ROOT + " is not authorized to perform: kms:Decrypt "
            + "on resource: " + privateKey);
    // Without decryption the ciphertext is all it gets, which needs no key.
    assertThat(consumer.getParameter(r -> r.name(arn(closed))).parameter().value()).isNotEqualTo("s3cret");
    // A key AWS manages for the owner is never usable by another account, even after the policy was put.
    owner.putParameter(r -> r.name(open).value("later").overwrite(true).keyId("alias/aws/ssm"));
    assertThat(message(expectError("AccessDeniedException", () -> consumer.getParameter(r -> r.name(arn(open))
        .withDecryption(true))))).contains("kms:Decrypt");
  }

  @Test
  void cachedReadsOfASharedParameterGoWhenTheOwnerChangesIt() {
    try (BackendFixture cached = BackendFixture.start(ShuntBackend.builder().option("parameter-cache-ttl", "60s"));
        SsmClient cachedOwner = cached.ssm(OWNER, Region.US_EAST_1);
        SsmClient cachedConsumer = cached.ssm(CONSUMER, Region.US_EAST_1)) {
      String name = "/cached/" + UUID.randomUUID();
      String resource = arn(name);
      cachedOwner.putParameter(r -> r.name(name).value("v1").type(ParameterType.STRING).tier(ParameterTier.ADVANCED));
      PutResourcePolicyResponse put = cachedOwner.putResourcePolicy(r -> r.resourceArn(resource).policy(read(CONSUMER)));
      assertThat(cachedConsumer.getParameter(r -> r.name(resource)).parameter().value()).isEqualTo("v1");
      cachedOwner.putParameter(r -> r.name(name).value("v2").overwrite(true));
      assertThat(cachedConsumer.getParameter(r -> r.name(resource)).parameter().value()).isEqualTo("v2");
      cachedOwner.deleteResourcePolicy(r -> r.resourceArn(resource).policyId(put.policyId())
          .policyHash(put.policyHash()));
      expectError("AccessDeniedException", () -> cachedConsumer.getParameter(r -> r.name(resource)));
    }
  }

  // ---- kept ----------------------------------------------------------------------------------

  @Test
  void policiesSurviveARestartAnExportAndASeed() throws Exception {
    Path data = dir.resolve("data");
    String name = "/kept/shared";
    PutResourcePolicyResponse put;
    String export;
    try (BackendFixture first = BackendFixture.start(ShuntBackend.builder().option("data-dir", data.toString()));
        SsmClient firstOwner = first.ssm(OWNER, Region.US_EAST_1)) {
      firstOwner.putParameter(r -> r.name(name).value("kept").type(ParameterType.STRING).tier(ParameterTier.ADVANCED));
      put = firstOwner.putResourcePolicy(r -> r.resourceArn(arn(name)).policy(read(CONSUMER)));
    }
    try (BackendFixture second = BackendFixture.start(ShuntBackend.builder().option("data-dir", data.toString()));
        SsmClient secondOwner = second.ssm(OWNER, Region.US_EAST_1);
        SsmClient secondConsumer = second.ssm(CONSUMER, Region.US_EAST_1)) {
      assertThat(secondOwner.getResourcePolicies(r -> r.resourceArn(arn(name))).policies()).singleElement()
          .satisfies(p -> {
            assertThat(p.policyId()).isEqualTo(put.policyId());
            assertThat(p.policyHash()).isEqualTo(put.policyHash());
          });
      assertThat(secondConsumer.getParameter(r -> r.name(arn(name))).parameter().value()).isEqualTo("kept");
      assertThat(secondConsumer.describeParameters(r -> r.shared(true)).parameters())
          .extracting(ParameterMetadata::arn).containsExactly(arn(name));
      // Deleting it is kept too.
      secondOwner.deleteResourcePolicy(r -> r.resourceArn(arn(name)).policyId(put.policyId())
          .policyHash(put.policyHash()));
      secondOwner.putResourcePolicy(r -> r.resourceArn(arn(name)).policy(read(STRANGER)));
      export = Json.text(second.backend().export(null, null, true));
    }
    try (BackendFixture third = BackendFixture.start(ShuntBackend.builder().option("data-dir", data.toString()));
        SsmClient thirdConsumer = third.ssm(CONSUMER, Region.US_EAST_1);
        SsmClient thirdStranger = third.ssm(STRANGER, Region.US_EAST_1)) {
      expectError("AccessDeniedException", () -> thirdConsumer.getParameter(r -> r.name(arn(name))));
      assertThat(thirdStranger.getParameter(r -> r.name(arn(name))).parameter().value()).isEqualTo("kept");
    }
    assertThat(export).contains("ResourcePolicies");
    Path seed = Files.writeString(dir.resolve("export.json"), export);
    try (BackendFixture copy = BackendFixture.start(ShuntBackend.builder().option("seed", seed.toString()));
        SsmClient copyStranger = copy.ssm(STRANGER, Region.US_EAST_1);
        SsmClient copyOwner = copy.ssm(OWNER, Region.US_EAST_1)) {
      assertThat(copyStranger.getParameter(r -> r.name(arn(name))).parameter().value()).isEqualTo("kept");
      assertThat(Json.text(copy.backend().export(null, null, true))).contains(
          copyOwner.getResourcePolicies(r -> r.resourceArn(arn(name))).policies().get(0).policyHash());
    }
    // Loading the export into the state it came from changes nothing.
    try (BackendFixture again = BackendFixture.start(ShuntBackend.builder().option("data-dir", data.toString())
        .option("seed", seed.toString()))) {
      assertThat(Json.text(again.backend().export(null, null, true))).isEqualTo(export);
    }
  }

  @Test
  void aSeedSharesAParameterAndRefusesWhatPutResourcePolicyWould() throws Exception {
    Path seed = Files.writeString(dir.resolve("seed.yaml"), """
        regions:
          - account: "111122223333"
            region: us-east-1
            ssm:
              parameters:
                - Name: /seeded/shared
                  Value: from the seed
                  Tier: Advanced
                  ResourcePolicies:
                    - Policy: {Version: "2012-10-17", Statement: [{Effect: Allow, Principal: {AWS: "444455556666"},
                               Action: ["ssm:GetParameter"], Resource: "*"}]}
        """);
    String id;
    try (BackendFixture seeded = BackendFixture.start(ShuntBackend.builder().option("seed", seed.toString()));
        SsmClient seededOwner = seeded.ssm(OWNER, Region.US_EAST_1);
        SsmClient seededConsumer = seeded.ssm(CONSUMER, Region.US_EAST_1)) {
      assertThat(seededConsumer.getParameter(r -> r.name(arn("/seeded/shared"))).parameter().value())
          .isEqualTo("from the seed");
      id = seededOwner.getResourcePolicies(r -> r.resourceArn(arn("/seeded/shared"))).policies().get(0).policyId();
    }
    // The same seed makes the same id everywhere.
    try (BackendFixture seeded = BackendFixture.start(ShuntBackend.builder().option("seed", seed.toString()));
        SsmClient seededOwner = seeded.ssm(OWNER, Region.US_EAST_1)) {
      assertThat(seededOwner.getResourcePolicies(r -> r.resourceArn(arn("/seeded/shared"))).policies().get(0)
          .policyId()).isEqualTo(id);
    }
    String[][] cases = {
        {"Value: x\n  ResourcePolicies: [{Policy: '" + read(CONSUMER) + "'}]", "advanced parameter tier"},
        {"Value: x\n  Tier: Advanced\n  ResourcePolicies: [{Policy: '" + policy("Allow", CONSUMER, "ssm:PutParameter")
            + "'}]", "ResourcePolicies[0].Policy: Policy statement 1 allows ssm:PutParameter"},
        {"Value: x\n  Tier: Advanced\n  ResourcePolicies: [{PolicyHash: abc, Policy: '" + read(CONSUMER) + "'}]",
            "PolicyHash abc is not the hash of its Policy"},
        {"Value: x\n  Tier: Advanced\n  ResourcePolicies: [{Policie: x}]", "unknown field 'Policie'"},
        {"Value: x\n  Tier: Advanced\n  ResourcePolicies: {Policy: x}", "ResourcePolicies must be a list"},
    };
    for (String[] test : cases) {
      Path bad = Files.writeString(dir.resolve("bad.yaml"), "regions:\n  - ssm:\n      parameters:\n        - "
          + ("Name: /a/b\n  " + test[0]).replace("\n  ", "\n          "));
      assertThatThrownBy(() -> BackendFixture.start(ShuntBackend.builder().option("seed", bad.toString())))
          .as(test[0]).isInstanceOf(IllegalArgumentException.class).hasMessageContaining(test[1]);
    }
  }
}
