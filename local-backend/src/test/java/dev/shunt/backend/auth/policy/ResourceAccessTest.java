package dev.shunt.backend.auth.policy;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.shunt.backend.auth.policy.ResourceAccess.Decision;
import dev.shunt.backend.auth.policy.ResourceAccess.Reason;
import dev.shunt.backend.core.Json;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The decision of a resource with resource policies beside identity policies (Secrets Manager,
 * Parameter Store): IAM's same-account and cross-account rules, and which policy and statement
 * decided each case.
 */
class ResourceAccessTest {
  static final String OWNER = "111122223333";
  static final String OTHER = "444455556666";
  static final String RESOURCE = "arn:aws:ssm:us-east-1:" + OWNER + ":parameter/p";

  static NamedPolicy resource(String name, String effect, String sid, String principal) {
    return new NamedPolicy(name, Policy.parse("""
        {"Version": "2012-10-17", "Statement": [{"Sid": "%s", "Effect": "%s", "Principal": {"AWS": "%s"},
         "Action": "ssm:GetParameter", "Resource": "*"}]}""".formatted(sid, effect, principal), Policy.Kind.RESOURCE));
  }

  static NamedPolicy identity(String name, String effect) {
    return new NamedPolicy(name, Policy.parse("""
        {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "kms:Decrypt", "Resource": "*"},
         {"Effect": "%s", "Action": "ssm:GetParameter", "Resource": "*"}]}""".formatted(effect),
        Policy.Kind.IDENTITY));
  }

  static final Map<String, List<NamedPolicy>> RESOURCE_POLICIES = Map.of(
      "none", List.of(),
      "otherAccount", List.of(resource("shares", "Allow", "Account", OTHER)),
      "otherUser", List.of(resource("shares", "Allow", "Eve", "arn:aws:iam::" + OTHER + ":user/eve")),
      "ownerUser", List.of(resource("shares", "Allow", "Alice", "arn:aws:iam::" + OWNER + ":user/alice")),
      "ownerAccount", List.of(resource("shares", "Allow", "Owner", "arn:aws:iam::" + OWNER + ":root")),
      "denyOther", List.of(resource("shares", "Allow", "Account", OTHER), resource("blocks", "Deny", "NoEve",
          "arn:aws:iam::" + OTHER + ":user/eve")));

  static final Map<String, List<NamedPolicy>> IDENTITY_POLICIES = Map.of(
      "none", List.of(),
      "allow", List.of(identity("reader", "Allow")),
      "deny", List.of(identity("reader", "Allow"), identity("blocker", "Deny")));

  @ParameterizedTest(name = "{0} with identity {1}, resource policies {2} -> {3}")
  @CsvSource(delimiter = '|', textBlock = """
      arn:aws:iam::111122223333:user/alice | allow | none         | ALLOWED_BY_IDENTITY_POLICY       | reader | #1
      arn:aws:iam::111122223333:user/alice | none  | none         | NO_IDENTITY_POLICY_ALLOWS        |        |
      arn:aws:iam::111122223333:user/alice | none  | ownerUser    | ALLOWED_BY_RESOURCE_POLICY       | shares | Alice
      arn:aws:iam::111122223333:user/alice | none  | ownerAccount | NO_IDENTITY_POLICY_ALLOWS        |        |
      arn:aws:iam::111122223333:user/alice | deny  | ownerUser    | EXPLICIT_DENY_IN_IDENTITY_POLICY | blocker| #1
      arn:aws:iam::111122223333:root       | none  | none         | ALLOWED_AS_ACCOUNT_ROOT          |        |
      arn:aws:iam::444455556666:user/eve   | allow | none         | NO_RESOURCE_POLICY_ALLOWS        |        |
      arn:aws:iam::444455556666:user/eve   | allow | otherAccount | ALLOWED_BY_IDENTITY_POLICY       | reader | #1
      arn:aws:iam::444455556666:user/eve   | none  | otherAccount | NO_IDENTITY_POLICY_ALLOWS        | shares | Account
      arn:aws:iam::444455556666:user/eve   | none  | otherUser    | NO_IDENTITY_POLICY_ALLOWS        | shares | Eve
      arn:aws:iam::444455556666:user/eve   | allow | ownerAccount | NO_RESOURCE_POLICY_ALLOWS        |        |
      arn:aws:iam::444455556666:user/eve   | allow | denyOther    | EXPLICIT_DENY_IN_RESOURCE_POLICY | blocks | NoEve
      arn:aws:iam::444455556666:user/eve   | deny  | otherAccount | EXPLICIT_DENY_IN_IDENTITY_POLICY | blocker| #1
      arn:aws:iam::444455556666:root       | none  | otherAccount | ALLOWED_BY_RESOURCE_POLICY       | shares | Account
      arn:aws:iam::444455556666:root       | none  | none         | NO_RESOURCE_POLICY_ALLOWS        |        |
      """)
  void decides(String principal, String identity, String resource, Reason reason, String policy, String statement) {
    String account = principal.split(":")[4];
    Decision decision = ResourceAccess.decide(RESOURCE_POLICIES.get(resource), IDENTITY_POLICIES.get(identity),
        AccessRequest.builder(principal, account, "ssm:GetParameter", RESOURCE).build(), OWNER);
    assertThat(decision.reason()).isEqualTo(reason);
    assertThat(decision.allowed()).isEqualTo(reason.name().startsWith("ALLOWED"));
    assertThat(decision.policyName()).isEqualTo(policy);
    assertThat(decision.statement()).isEqualTo(statement);
  }

  @Test
  void aDenialSaysWhyInAwsWords() {
    Decision decision = ResourceAccess.decide(List.of(), List.of(), AccessRequest.builder(
        "arn:aws:iam::" + OTHER + ":user/eve", OTHER, "ssm:GetParameter", RESOURCE).build(), OWNER);
    assertThat(decision.denial("arn:aws:iam::" + OTHER + ":user/eve", "ssm:GetParameter", RESOURCE))
        .isEqualTo("User: arn:aws:iam::" + OTHER + ":user/eve is not authorized to perform: ssm:GetParameter on "
            + "resource: " + RESOURCE + " because no resource-based policy allows the ssm:GetParameter action");
  }

  @Test
  void aRequestThatWritesTagsCarriesThemAsRequestTagsAndTagKeys() {
    ObjectNode input = Json.object();
    input.putArray("Tags").addObject().put("Key", "team").put("Value", "core");
    input.withArray("Tags").addObject().put("Key", "env").put("Value", "prod");
    AccessRequest built = request("ssm:PutParameter", input);
    assertThat(built.values("aws:RequestTag/team")).containsExactly("core");
    assertThat(built.values("aws:RequestTag/TEAM")).containsExactly("core");
    assertThat(built.values("aws:RequestTag/env")).containsExactly("prod");
    assertThat(built.values("aws:RequestTag/owner")).isNull();
    assertThat(built.values("aws:TagKeys")).containsExactly("team", "env");

    ObjectNode untag = Json.object();
    untag.putArray("TagKeys").add("env");
    assertThat(request("ssm:RemoveTagsFromResource", untag).values("aws:TagKeys")).containsExactly("env");
    assertThat(request("ssm:GetParameter", Json.object()).values("aws:TagKeys")).isNull();
  }

  private static AccessRequest request(String action, ObjectNode input) {
    return AccessRequest.builder("arn:aws:iam::" + OWNER + ":root", OWNER, action, RESOURCE)
        .source(new GlobalConditionKeys(java.time.Instant.EPOCH, null, java.util.Map.of(), input, "Key", "Value"))
        .build();
  }
}
