package dev.shunt.backend.auth.policy;

import static org.assertj.core.api.Assertions.assertThat;

import dev.shunt.backend.auth.policy.KmsAccess.Decision;
import dev.shunt.backend.auth.policy.KmsAccess.Reason;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** KMS's combination of key policy and identity policies, on AWS's documented example and its edges. */
class KmsAccessTest {
  static final String ACCOUNT = "111122223333";
  static final String OTHER = "444455556666";

  static String key(String id) {
    return "arn:aws:kms:us-west-2:" + ACCOUNT + ":key/" + id;
  }

  static String user(String name) {
    return "arn:aws:iam::" + ACCOUNT + ":user/" + name;
  }

  static final String ROOT_STATEMENT = """
      {"Sid": "Enable IAM policies", "Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::111122223333:root"},
       "Action": "kms:*", "Resource": "*"}""";

  static final Map<String, Policy> KEY_POLICIES = Map.of(
      "A", Policy.parse("{\"Version\": \"2012-10-17\", \"Statement\": [" + ROOT_STATEMENT + "]}", Policy.Kind.RESOURCE),
      "B", Policy.parse("""
          {"Version": "2012-10-17", "Statement": [{"Sid": "BobAndCharlie", "Effect": "Allow",
           "Principal": {"AWS": ["%s", "%s"]}, "Action": "kms:*", "Resource": "*"}]}"""
          .formatted(user("bob"), user("charlie")), Policy.Kind.RESOURCE),
      "C", Policy.parse("""
          {"Version": "2012-10-17", "Statement": [%s,
           {"Sid": "Alice", "Effect": "Allow", "Principal": {"AWS": "%s"}, "Action": "kms:*", "Resource": "*"},
           {"Sid": "NotThem", "Effect": "Deny", "Principal": {"AWS": ["%s", "%s", "%s"]}, "Action": "kms:*",
            "Resource": "*"}]}""".formatted(ROOT_STATEMENT, user("alice"), user("bob"), user("charlie"), user("david")),
          Policy.Kind.RESOURCE));

  static NamedPolicy identity(String name, String actions, String... keys) {
    StringBuilder resources = new StringBuilder();
    for (String k : keys) {
      resources.append(resources.length() == 0 ? "" : ", ").append('"').append(key(k)).append('"');
    }
    return new NamedPolicy(name, Policy.parse("""
        {"Version": "2012-10-17", "Statement": {"Effect": "Allow", "Action": %s, "Resource": [%s]}}"""
        .formatted(actions, resources), Policy.Kind.IDENTITY));
  }

  static final Map<String, List<NamedPolicy>> IDENTITY_POLICIES = Map.of(
      "alice", List.of(identity("AliceKms", "\"kms:*\"", "A", "B")),
      "bob", List.of(),
      "charlie", List.of(identity("CharlieEncrypt", "\"kms:Encrypt\"", "A")),
      "david", List.of(identity("DavidKms", "\"kms:*\"", "B", "C")));

  @ParameterizedTest(name = "{0} {2} on key {1} -> {3} ({4})")
  @CsvSource(delimiter = '|', textBlock = """
      alice   | A | Encrypt     | ALLOW | ALLOWED_BY_IDENTITY_POLICY
      alice   | A | Decrypt     | ALLOW | ALLOWED_BY_IDENTITY_POLICY
      alice   | A | DescribeKey | ALLOW | ALLOWED_BY_IDENTITY_POLICY
      alice   | B | Encrypt     | NONE  | NO_KEY_POLICY_ALLOWS
      alice   | B | Decrypt     | NONE  | NO_KEY_POLICY_ALLOWS
      alice   | B | DescribeKey | NONE  | NO_KEY_POLICY_ALLOWS
      alice   | C | Encrypt     | ALLOW | ALLOWED_BY_KEY_POLICY
      alice   | C | Decrypt     | ALLOW | ALLOWED_BY_KEY_POLICY
      alice   | C | DescribeKey | ALLOW | ALLOWED_BY_KEY_POLICY
      bob     | A | Encrypt     | NONE  | NO_IDENTITY_POLICY_ALLOWS
      bob     | A | Decrypt     | NONE  | NO_IDENTITY_POLICY_ALLOWS
      bob     | A | DescribeKey | NONE  | NO_IDENTITY_POLICY_ALLOWS
      bob     | B | Encrypt     | ALLOW | ALLOWED_BY_KEY_POLICY
      bob     | B | Decrypt     | ALLOW | ALLOWED_BY_KEY_POLICY
      bob     | B | DescribeKey | ALLOW | ALLOWED_BY_KEY_POLICY
      bob     | C | Encrypt     | DENY  | EXPLICIT_DENY_IN_KEY_POLICY
      bob     | C | Decrypt     | DENY  | EXPLICIT_DENY_IN_KEY_POLICY
      bob     | C | DescribeKey | DENY  | EXPLICIT_DENY_IN_KEY_POLICY
      charlie | A | Encrypt     | ALLOW | ALLOWED_BY_IDENTITY_POLICY
      charlie | A | Decrypt     | NONE  | NO_IDENTITY_POLICY_ALLOWS
      charlie | A | DescribeKey | NONE  | NO_IDENTITY_POLICY_ALLOWS
      charlie | B | Encrypt     | ALLOW | ALLOWED_BY_KEY_POLICY
      charlie | B | Decrypt     | ALLOW | ALLOWED_BY_KEY_POLICY
      charlie | B | DescribeKey | ALLOW | ALLOWED_BY_KEY_POLICY
      charlie | C | Encrypt     | DENY  | EXPLICIT_DENY_IN_KEY_POLICY
      charlie | C | Decrypt     | DENY  | EXPLICIT_DENY_IN_KEY_POLICY
      charlie | C | DescribeKey | DENY  | EXPLICIT_DENY_IN_KEY_POLICY
      david   | A | Encrypt     | NONE  | NO_IDENTITY_POLICY_ALLOWS
      david   | A | Decrypt     | NONE  | NO_IDENTITY_POLICY_ALLOWS
      david   | A | DescribeKey | NONE  | NO_IDENTITY_POLICY_ALLOWS
      david   | B | Encrypt     | NONE  | NO_KEY_POLICY_ALLOWS
      david   | B | Decrypt     | NONE  | NO_KEY_POLICY_ALLOWS
      david   | B | DescribeKey | NONE  | NO_KEY_POLICY_ALLOWS
      david   | C | Encrypt     | DENY  | EXPLICIT_DENY_IN_KEY_POLICY
      david   | C | Decrypt     | DENY  | EXPLICIT_DENY_IN_KEY_POLICY
      david   | C | DescribeKey | DENY  | EXPLICIT_DENY_IN_KEY_POLICY
      """)
  void awsDocumentedExample(String who, String keyName, String action, String effect, Reason reason) {
    AccessRequest request = AccessRequest.builder(user(who), ACCOUNT, "kms:" + action, key(keyName)).build();
    Decision decision = KmsAccess.decide(KEY_POLICIES.get(keyName), IDENTITY_POLICIES.get(who), request, ACCOUNT);
    assertThat(decision.effect()).as(decision.explain()).isEqualTo(Verdict.Effect.valueOf(effect));
    assertThat(decision.reason()).isEqualTo(reason);
  }

  @Test
  void theDecidingPolicyAndStatementAreNamed() {
    Decision alice = KmsAccess.decide(KEY_POLICIES.get("A"), IDENTITY_POLICIES.get("alice"),
        AccessRequest.builder(user("alice"), ACCOUNT, "kms:Decrypt", key("A")).build(), ACCOUNT);
    assertThat(alice.policyName()).isEqualTo("AliceKms");
    assertThat(alice.statement()).isEqualTo("#0");
    Decision bob = KmsAccess.decide(KEY_POLICIES.get("C"), List.of(),
        AccessRequest.builder(user("bob"), ACCOUNT, "kms:Decrypt", key("C")).build(), ACCOUNT);
    assertThat(bob).isEqualTo(new Decision(Verdict.Effect.DENY, Reason.EXPLICIT_DENY_IN_KEY_POLICY, "key policy", 2,
        "NotThem"));
    assertThat(bob.explain()).isEqualTo("EXPLICIT_DENY_IN_KEY_POLICY (key policy, statement NotThem)");
    Decision bobA = KmsAccess.decide(KEY_POLICIES.get("A"), List.of(),
        AccessRequest.builder(user("bob"), ACCOUNT, "kms:Decrypt", key("A")).build(), ACCOUNT);
    assertThat(bobA.policyName()).isEqualTo("key policy");
    assertThat(bobA.sid()).isEqualTo("Enable IAM policies");
    Decision aliceB = KmsAccess.decide(KEY_POLICIES.get("B"), IDENTITY_POLICIES.get("alice"),
        AccessRequest.builder(user("alice"), ACCOUNT, "kms:Decrypt", key("B")).build(), ACCOUNT);
    assertThat(aliceB.statement()).isNull();
  }

  @Test
  void anExplicitDenyInAnIdentityPolicyWinsOverTheKeyPolicy() {
    NamedPolicy deny = new NamedPolicy("NoDecrypt", Policy.parse("""
        {"Statement": {"Sid": "NoDecrypt", "Effect": "Deny", "Action": "kms:Decrypt", "Resource": "*"}}""",
        Policy.Kind.IDENTITY));
    Decision decision = KmsAccess.decide(KEY_POLICIES.get("B"), List.of(deny),
        AccessRequest.builder(user("bob"), ACCOUNT, "kms:Decrypt", key("B")).build(), ACCOUNT);
    assertThat(decision).isEqualTo(new Decision(Verdict.Effect.DENY, Reason.EXPLICIT_DENY_IN_IDENTITY_POLICY,
        "NoDecrypt", 0, "NoDecrypt"));
  }

  @Test
  void theAccountRootIsAllowedByTheRootStatementWithoutAnIdentityPolicy() {
    Decision decision = KmsAccess.decide(KEY_POLICIES.get("A"), List.of(),
        AccessRequest.builder("arn:aws:iam::111122223333:root", ACCOUNT, "kms:Decrypt", key("A")).build(), ACCOUNT);
    assertThat(decision.effect()).isEqualTo(Verdict.Effect.ALLOW);
    assertThat(decision.reason()).isEqualTo(Reason.ALLOWED_BY_KEY_POLICY);
    assertThat(decision.sid()).isEqualTo("Enable IAM policies");
  }

  @Test
  void aRoleSessionIsAllowedByItsRoleInTheKeyPolicy() {
    Policy keyPolicy = Policy.parse("""
        {"Statement": {"Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::111122223333:role/app"},
         "Action": "kms:Decrypt"}}""", Policy.Kind.RESOURCE);
    AccessRequest session = AccessRequest.builder("arn:aws:sts::111122223333:assumed-role/app/i-0123", ACCOUNT,
        "kms:Decrypt", key("R")).build();
    assertThat(KmsAccess.decide(keyPolicy, List.of(), session, ACCOUNT).reason()).isEqualTo(Reason.ALLOWED_BY_KEY_POLICY);
    AccessRequest other = AccessRequest.builder("arn:aws:sts::111122223333:assumed-role/batch/i-0123", ACCOUNT,
        "kms:Decrypt", key("R")).build();
    assertThat(KmsAccess.decide(keyPolicy, List.of(), other, ACCOUNT).reason()).isEqualTo(Reason.NO_KEY_POLICY_ALLOWS);
  }

  @Test
  void aStarPrincipalAllowsEveryoneOfTheAccountDirectly() {
    Policy keyPolicy = Policy.parse("""
        {"Statement": {"Effect": "Allow", "Principal": "*", "Action": "kms:Decrypt",
         "Condition": {"StringEquals": {"kms:CallerAccount": "111122223333"}}}}""", Policy.Kind.RESOURCE);
    AccessRequest request = AccessRequest.builder(user("eve"), ACCOUNT, "kms:Decrypt", key("S"))
        .key("kms:CallerAccount", ACCOUNT).build();
    assertThat(KmsAccess.decide(keyPolicy, List.of(), request, ACCOUNT).reason()).isEqualTo(Reason.ALLOWED_BY_KEY_POLICY);
    AccessRequest noKey = AccessRequest.builder(user("eve"), ACCOUNT, "kms:Decrypt", key("S")).build();
    assertThat(KmsAccess.decide(keyPolicy, List.of(), noKey, ACCOUNT).reason()).isEqualTo(Reason.NO_KEY_POLICY_ALLOWS);
  }

  static final Policy CROSS_ACCOUNT_KEY = Policy.parse("""
      {"Version": "2012-10-17", "Statement": [%s,
       {"Sid": "External", "Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::444455556666:root"},
        "Action": ["kms:Encrypt", "kms:Decrypt"], "Resource": "*"}]}""".formatted(ROOT_STATEMENT),
      Policy.Kind.RESOURCE);

  @Test
  void aCrossAccountCallerNeedsTheKeyPolicyAndAnIdentityPolicyOfItsOwn() {
    String eve = "arn:aws:iam::444455556666:user/eve";
    AccessRequest decrypt = AccessRequest.builder(eve, OTHER, "kms:Decrypt", key("X")).build();
    Decision without = KmsAccess.decide(CROSS_ACCOUNT_KEY, List.of(), decrypt, ACCOUNT);
    assertThat(without.effect()).isEqualTo(Verdict.Effect.NONE);
    assertThat(without.reason()).isEqualTo(Reason.NO_IDENTITY_POLICY_ALLOWS);
    assertThat(without.sid()).isEqualTo("External");

    NamedPolicy eveKms = new NamedPolicy("EveKms", Policy.parse("""
        {"Statement": {"Effect": "Allow", "Action": "kms:*", "Resource": "arn:aws:kms:*:111122223333:key/*"}}""",
        Policy.Kind.IDENTITY));
    Decision with = KmsAccess.decide(CROSS_ACCOUNT_KEY, List.of(eveKms), decrypt, ACCOUNT);
    assertThat(with.effect()).isEqualTo(Verdict.Effect.ALLOW);
    assertThat(with.reason()).isEqualTo(Reason.ALLOWED_BY_IDENTITY_POLICY);
    assertThat(with.policyName()).isEqualTo("EveKms");

    // the identity policy allows it, the key policy does not (DescribeKey is not granted to the account)
    AccessRequest describe = AccessRequest.builder(eve, OTHER, "kms:DescribeKey", key("X")).build();
    assertThat(KmsAccess.decide(CROSS_ACCOUNT_KEY, List.of(eveKms), describe, ACCOUNT).reason())
        .isEqualTo(Reason.NO_KEY_POLICY_ALLOWS);

    // a key that names only its own account gives nothing to another account, whatever its IAM says
    AccessRequest onA = AccessRequest.builder(eve, OTHER, "kms:Decrypt", key("A")).build();
    assertThat(KmsAccess.decide(KEY_POLICIES.get("A"), List.of(eveKms), onA, ACCOUNT).reason())
        .isEqualTo(Reason.NO_KEY_POLICY_ALLOWS);
  }

  @Test
  void aCrossAccountCallerNamedDirectlyStillNeedsAnIdentityPolicy() {
    Policy keyPolicy = Policy.parse("""
        {"Statement": {"Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::444455556666:user/eve"},
         "Action": "kms:*"}}""", Policy.Kind.RESOURCE);
    AccessRequest decrypt = AccessRequest.builder("arn:aws:iam::444455556666:user/eve", OTHER, "kms:Decrypt",
        key("X")).build();
    assertThat(KmsAccess.decide(keyPolicy, List.of(), decrypt, ACCOUNT).reason())
        .isEqualTo(Reason.NO_IDENTITY_POLICY_ALLOWS);
  }

  @Test
  void theOtherAccountsRootNeedsNoIdentityPolicy() {
    AccessRequest root = AccessRequest.builder("arn:aws:iam::444455556666:root", OTHER, "kms:Decrypt", key("X"))
        .build();
    assertThat(KmsAccess.decide(CROSS_ACCOUNT_KEY, List.of(), root, ACCOUNT).reason())
        .isEqualTo(Reason.ALLOWED_BY_KEY_POLICY);
  }

  @Test
  void aConditionInTheKeyPolicyAllowsOnlyTheMatchingRequest() {
    Policy keyPolicy = Policy.parse("""
        {"Version": "2012-10-17", "Statement": {"Sid": "TenantBlue", "Effect": "Allow",
         "Principal": {"AWS": "%s"}, "Action": ["kms:Encrypt", "kms:Decrypt"],
         "Condition": {"StringEquals": {"kms:EncryptionContext:tenant": "blue"}}}}""".formatted(user("alice")),
        Policy.Kind.RESOURCE);
    AccessRequest blue = AccessRequest.builder(user("alice"), ACCOUNT, "kms:Decrypt", key("T"))
        .key("kms:EncryptionContext:tenant", "blue").build();
    AccessRequest red = AccessRequest.builder(user("alice"), ACCOUNT, "kms:Decrypt", key("T"))
        .key("kms:EncryptionContext:tenant", "red").build();
    AccessRequest none = AccessRequest.builder(user("alice"), ACCOUNT, "kms:Decrypt", key("T")).build();
    assertThat(KmsAccess.decide(keyPolicy, List.of(), blue, ACCOUNT))
        .isEqualTo(new Decision(Verdict.Effect.ALLOW, Reason.ALLOWED_BY_KEY_POLICY, "key policy", 0, "TenantBlue"));
    assertThat(KmsAccess.decide(keyPolicy, List.of(), red, ACCOUNT).effect()).isEqualTo(Verdict.Effect.NONE);
    assertThat(KmsAccess.decide(keyPolicy, List.of(), none, ACCOUNT).effect()).isEqualTo(Verdict.Effect.NONE);
  }
}
