package dev.shunt.backend.auth.policy;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Statements: actions, resources, principals, their Not forms, Deny beating Allow and the statement reported. */
class PolicyTest {
  static final String ACCOUNT = "111122223333";
  static final String ALICE = "arn:aws:iam::111122223333:user/alice";
  static final String KEY = "arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab";

  static AccessRequest request(String principal, String account, String action, String resource) {
    return AccessRequest.builder(principal, account, action, resource).build();
  }

  static AccessRequest alice(String action, String resource) {
    return request(ALICE, ACCOUNT, action, resource);
  }

  static Policy identity(String actionElement, String actions, String resourceElement, String resources) {
    return Policy.parse("""
        {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "%s": %s, "%s": %s}]}"""
        .formatted(actionElement, actions, resourceElement, resources), Policy.Kind.IDENTITY);
  }

  @ParameterizedTest(name = "{0} vs {1} -> {2}")
  @CsvSource(delimiter = '|', textBlock = """
      "kms:Decrypt"               | kms:Decrypt         | true
      "kms:decrypt"               | KMS:DECRYPT         | true
      "KMS:*"                     | kms:Encrypt         | true
      "kms:Gen*"                  | kms:GenerateDataKey | true
      "kms:gen*"                  | kms:GenerateDataKeyPairWithoutPlaintext | true
      "kms:Gen*"                  | kms:Decrypt         | false
      "kms:*crypt"                | kms:ReEncrypt       | true
      "kms:?ecrypt"               | kms:Decrypt         | true
      "kms:?ecrypt"               | kms:ReDecrypt       | false
      "*"                         | kms:Decrypt         | true
      "secretsmanager:*"          | kms:Decrypt         | false
      ["s3:GetObject","kms:Dec*"] | kms:Decrypt         | true
      """)
  void actionsMatchWithoutCaseAndWithWildcards(String actions, String action, boolean expected) {
    assertThat(identity("Action", actions, "Resource", "\"*\"").evaluate(alice(action, KEY)).allowed())
        .isEqualTo(expected);
  }

  @ParameterizedTest(name = "{0} vs {1} -> {2}")
  @CsvSource(delimiter = '|', textBlock = """
      "*"                                                  | arn:aws:kms:us-east-1:111122223333:key/abc | true
      "arn:aws:kms:us-east-1:111122223333:key/abc"         | arn:aws:kms:us-east-1:111122223333:key/abc | true
      "arn:aws:kms:us-east-1:111122223333:key/ABC"         | arn:aws:kms:us-east-1:111122223333:key/abc | false
      "arn:aws:kms:*:111122223333:key/*"                   | arn:aws:kms:eu-west-1:111122223333:key/abc | true
      "arn:aws:kms:*:111122223333:key/*"                   | arn:aws:kms:eu-west-1:444455556666:key/abc | false
      "arn:aws:kms:us-east-1:111122223333:key/a?c"         | arn:aws:kms:us-east-1:111122223333:key/abc | true
      "arn:aws:kms:us-east-1:111122223333:alias/*"         | arn:aws:kms:us-east-1:111122223333:key/abc | false
      ["arn:aws:s3:::b","arn:aws:kms:*"]                   | arn:aws:kms:us-east-1:111122223333:key/abc | true
      """)
  void resourcesMatchWithCaseAndWithWildcards(String resources, String resource, boolean expected) {
    assertThat(identity("Action", "\"kms:*\"", "Resource", resources).evaluate(alice("kms:Decrypt", resource))
        .allowed()).isEqualTo(expected);
  }

  @Test
  void notActionAppliesToEveryOtherAction() {
    Policy policy = identity("NotAction", "[\"kms:Delete*\", \"kms:ScheduleKeyDeletion\"]", "Resource", "\"*\"");
    assertThat(policy.evaluate(alice("kms:Decrypt", KEY)).allowed()).isTrue();
    assertThat(policy.evaluate(alice("kms:ScheduleKeyDeletion", KEY)).allowed()).isFalse();
    assertThat(policy.evaluate(alice("kms:deletealias", KEY)).allowed()).isFalse();
  }

  @Test
  void notResourceAppliesToEveryOtherResource() {
    Policy policy = identity("Action", "\"kms:*\"", "NotResource", "\"arn:aws:kms:*:*:key/secret-*\"");
    assertThat(policy.evaluate(alice("kms:Decrypt", KEY)).allowed()).isTrue();
    assertThat(policy.evaluate(alice("kms:Decrypt", "arn:aws:kms:us-east-1:111122223333:key/secret-1")).allowed())
        .isFalse();
  }

  @Test
  void aResourcePolicyWithoutResourceMeansEveryResource() {
    Policy policy = Policy.parse("""
        {"Statement": {"Effect": "Allow", "Principal": {"AWS": "%s"}, "Action": "kms:*"}}""".formatted(ALICE),
        Policy.Kind.RESOURCE);
    assertThat(policy.evaluate(alice("kms:Decrypt", KEY)).allowed()).isTrue();
    assertThat(policy.evaluate(alice("kms:Decrypt", "arn:aws:kms:us-east-1:1:key/other")).allowed()).isTrue();
  }

  @Test
  void aResourceVariableTakesTheRequestsValue() {
    Policy policy = identity("Action", "\"secretsmanager:*\"", "Resource",
        "\"arn:aws:secretsmanager:*:*:secret:home/${aws:username}/*\"");
    assertThat(policy.evaluate(alice("secretsmanager:GetSecretValue",
        "arn:aws:secretsmanager:us-east-1:111122223333:secret:home/alice/db-AbCdEf")).allowed()).isTrue();
    assertThat(policy.evaluate(alice("secretsmanager:GetSecretValue",
        "arn:aws:secretsmanager:us-east-1:111122223333:secret:home/bob/db-AbCdEf")).allowed()).isFalse();
  }

  static Policy resource(String principal) {
    return Policy.parse("""
        {"Version": "2012-10-17", "Statement": {"Effect": "Allow", "Principal": %s, "Action": "kms:*", "Resource": "*"}}"""
        .formatted(principal), Policy.Kind.RESOURCE);
  }

  @ParameterizedTest(name = "{0} vs {1} -> {3}")
  @CsvSource(delimiter = '|', textBlock = """
      "*"                                                          | arn:aws:iam::444455556666:user/eve                 | 444455556666 | true
      {"AWS": "*"}                                                 | arn:aws:iam::444455556666:user/eve                 | 444455556666 | true
      {"AWS": "111122223333"}                                      | arn:aws:iam::111122223333:user/alice               | 111122223333 | true
      {"AWS": "111122223333"}                                      | arn:aws:sts::111122223333:assumed-role/app/s1      | 111122223333 | true
      {"AWS": "111122223333"}                                      | arn:aws:iam::444455556666:user/alice               | 444455556666 | false
      {"AWS": "arn:aws:iam::111122223333:root"}                    | arn:aws:iam::111122223333:user/alice               | 111122223333 | true
      {"AWS": "arn:aws:iam::111122223333:root"}                    | arn:aws:iam::111122223333:root                     | 111122223333 | true
      {"AWS": "arn:aws:iam::111122223333:root"}                    | arn:aws:iam::444455556666:root                     | 444455556666 | false
      {"AWS": "arn:aws:iam::111122223333:user/alice"}              | arn:aws:iam::111122223333:user/alice               | 111122223333 | true
      {"AWS": "arn:aws:iam::111122223333:user/alice"}              | arn:aws:iam::111122223333:user/Alice               | 111122223333 | false
      {"AWS": "arn:aws:iam::111122223333:user/alice"}              | arn:aws:iam::111122223333:user/bob                 | 111122223333 | false
      {"AWS": "arn:aws:iam::111122223333:user/*"}                  | arn:aws:iam::111122223333:user/bob                 | 111122223333 | false
      {"AWS": "arn:aws:iam::111122223333:role/app"}                | arn:aws:sts::111122223333:assumed-role/app/s1      | 111122223333 | true
      {"AWS": "arn:aws:iam::111122223333:role/team/app"}           | arn:aws:sts::111122223333:assumed-role/app/s1      | 111122223333 | true
      {"AWS": "arn:aws:iam::111122223333:role/app"}                | arn:aws:iam::111122223333:role/app                 | 111122223333 | true
      {"AWS": "arn:aws:iam::111122223333:role/app"}                | arn:aws:sts::111122223333:assumed-role/other/s1    | 111122223333 | false
      {"AWS": "arn:aws:iam::111122223333:role/app"}                | arn:aws:sts::444455556666:assumed-role/app/s1      | 444455556666 | false
      {"AWS": "arn:aws:sts::111122223333:assumed-role/app/s1"}     | arn:aws:sts::111122223333:assumed-role/app/s1      | 111122223333 | true
      {"AWS": "arn:aws:sts::111122223333:assumed-role/app/s1"}     | arn:aws:sts::111122223333:assumed-role/app/s2      | 111122223333 | false
      {"AWS": ["arn:aws:iam::111122223333:user/bob", "444455556666"]} | arn:aws:iam::444455556666:user/eve              | 444455556666 | true
      {"Service": "logs.amazonaws.com"}                            | arn:aws:iam::111122223333:user/alice               | 111122223333 | false
      """)
  void principalForms(String principal, String caller, String account, boolean expected) {
    assertThat(resource(principal).evaluate(request(caller, account, "kms:Decrypt", KEY)).allowed())
        .isEqualTo(expected);
  }

  @Test
  void aServicePrincipalMatchesARequestMadeByThatService() {
    Policy policy = resource("{\"Service\": [\"logs.amazonaws.com\"]}");
    AccessRequest byLogs = AccessRequest.builder(ALICE, ACCOUNT, "kms:Decrypt", KEY)
        .callingService("logs.amazonaws.com").build();
    AccessRequest byOther = AccessRequest.builder(ALICE, ACCOUNT, "kms:Decrypt", KEY)
        .callingService("s3.amazonaws.com").build();
    assertThat(policy.evaluate(byLogs).allowed()).isTrue();
    assertThat(policy.evaluate(byOther).allowed()).isFalse();
  }

  @Test
  void accountDelegationIsNotADirectMatchExceptForTheRoot() {
    Policy policy = resource("{\"AWS\": \"arn:aws:iam::111122223333:root\"}");
    assertThat(policy.evaluate(alice("kms:Decrypt", KEY), Policy.PrincipalMatch.DIRECT)).isEqualTo(Verdict.NONE);
    assertThat(policy.evaluate(alice("kms:Decrypt", KEY), Policy.PrincipalMatch.ANY).allowed()).isTrue();
    AccessRequest root = request("arn:aws:iam::111122223333:root", ACCOUNT, "kms:Decrypt", KEY);
    assertThat(policy.evaluate(root, Policy.PrincipalMatch.DIRECT).allowed()).isTrue();
  }

  @Test
  void notPrincipalAppliesToEveryoneElse() {
    Policy policy = Policy.parse("""
        {"Statement": [
          {"Effect": "Allow", "Principal": "*", "Action": "kms:*"},
          {"Sid": "OnlyAlice", "Effect": "Deny", "NotPrincipal": {"AWS": "%s"}, "Action": "kms:Decrypt"}]}"""
        .formatted(ALICE), Policy.Kind.RESOURCE);
    assertThat(policy.evaluate(alice("kms:Decrypt", KEY)).allowed()).isTrue();
    Verdict bob = policy.evaluate(request("arn:aws:iam::111122223333:user/bob", ACCOUNT, "kms:Decrypt", KEY));
    assertThat(bob).isEqualTo(new Verdict(Verdict.Effect.DENY, 1, "OnlyAlice"));
    assertThat(policy.evaluate(request("arn:aws:iam::111122223333:user/bob", ACCOUNT, "kms:Encrypt", KEY)).allowed())
        .isTrue();
  }

  @Test
  void denyBeatsAllowWhereverItIsAndTheDecidingStatementIsReported() {
    Policy policy = Policy.parse("""
        {"Version": "2012-10-17", "Id": "key-policy", "Statement": [
          {"Sid": "AllowAll", "Effect": "Allow", "Action": "kms:*", "Resource": "*"},
          {"Effect": "Allow", "Action": "kms:Decrypt", "Resource": "*"},
          {"Sid": "NoDelete", "Effect": "Deny", "Action": ["kms:ScheduleKeyDeletion", "kms:Delete*"], "Resource": "*"}]}""",
        Policy.Kind.IDENTITY);
    Verdict deny = policy.evaluate(alice("kms:ScheduleKeyDeletion", KEY));
    assertThat(deny).isEqualTo(new Verdict(Verdict.Effect.DENY, 2, "NoDelete"));
    assertThat(deny.statement()).isEqualTo("NoDelete");
    Verdict allow = policy.evaluate(alice("kms:Decrypt", KEY));
    assertThat(allow).isEqualTo(new Verdict(Verdict.Effect.ALLOW, 0, "AllowAll"));
    assertThat(policy.evaluate(alice("s3:GetObject", KEY))).isSameAs(Verdict.NONE);
    assertThat(Verdict.NONE.statement()).isNull();
  }

  @Test
  void aStatementWithoutSidIsReportedByIndex() {
    Policy policy = Policy.parse("""
        {"Statement": [{"Effect": "Allow", "Action": "kms:Encrypt", "Resource": "*"},
                       {"Effect": "Allow", "Action": "kms:Decrypt", "Resource": "*"}]}""", Policy.Kind.IDENTITY);
    Verdict v = policy.evaluate(alice("kms:Decrypt", KEY));
    assertThat(v).isEqualTo(new Verdict(Verdict.Effect.ALLOW, 1, null));
    assertThat(v.statement()).isEqualTo("#1");
  }

  @Test
  void aConditionalDenyAppliesOnlyWhenItsConditionHolds() {
    Policy policy = Policy.parse("""
        {"Statement": [{"Effect": "Allow", "Action": "kms:*", "Resource": "*"},
          {"Effect": "Deny", "Action": "kms:*", "Resource": "*",
           "Condition": {"Bool": {"aws:SecureTransport": "false"}}}]}""", Policy.Kind.IDENTITY);
    AccessRequest plain = AccessRequest.builder(ALICE, ACCOUNT, "kms:Decrypt", KEY).key("aws:SecureTransport", "false")
        .build();
    AccessRequest tls = AccessRequest.builder(ALICE, ACCOUNT, "kms:Decrypt", KEY).key("aws:SecureTransport", "true")
        .build();
    assertThat(policy.evaluate(plain).denied()).isTrue();
    assertThat(policy.evaluate(tls).allowed()).isTrue();
  }

  @Test
  void aSingleStatementObjectAndTheTextAreKept() {
    String text = "{\"Statement\": {\"Effect\": \"Allow\", \"Action\": \"kms:*\", \"Resource\": \"*\"}}";
    Policy policy = Policy.parse(text, Policy.Kind.IDENTITY);
    assertThat(policy.text()).isEqualTo(text);
    assertThat(policy.size()).isEqualTo(1);
    assertThat(policy.kind()).isEqualTo(Policy.Kind.IDENTITY);
  }

  @Test
  void aSessionArnGivesItsRoleArn() {
    assertThat(PrincipalArns.roleArnOfSession("arn:aws:sts::111122223333:assumed-role/app/i-0abc"))
        .isEqualTo("arn:aws:iam::111122223333:role/app");
    assertThat(PrincipalArns.roleArnOfSession("arn:aws-cn:sts::111122223333:assumed-role/app/s"))
        .isEqualTo("arn:aws-cn:iam::111122223333:role/app");
    assertThat(PrincipalArns.roleArnOfSession("arn:aws:iam::111122223333:user/alice")).isNull();
    assertThat(PrincipalArns.roleArnOfSession("arn:aws:sts::111122223333:assumed-role/app")).isNull();
    assertThat(PrincipalArns.isAccountRoot("arn:aws:iam::111122223333:root")).isTrue();
    assertThat(PrincipalArns.isAccountRoot("arn:aws:iam::111122223333:user/root")).isFalse();
  }

  @Test
  void wildcardsDoNotBacktrackWrongly() {
    assertThat(Glob.wildcard("a*b*c", "aXbYbZc", 0, 7, false)).isTrue();
    assertThat(Glob.wildcard("a*b*c", "aXbYbZ", 0, 6, false)).isFalse();
    assertThat(Glob.wildcard("*", "", 0, 0, false)).isTrue();
    assertThat(Glob.wildcard("a*", "xa*", 1, 3, false)).isTrue();
    assertThat(Glob.wildcard("**a", "ba", 0, 2, false)).isTrue();
  }

  @Test
  void theCommonShapesMatchAsTheGeneralWildcardDoes() {
    String[] patterns = {"*", "kms:Describe*", "KMS:describe*", "kms:Decrypt", "kms:*crypt", "k?s:*", "kms:Decrypt?",
        "", "arn:aws:kms:*:111122223333:key/*"};
    String[] texts = {"", "kms:Decrypt", "kms:DescribeKey", "kms:Describe", "kms:Decrypted", "kms:Encrypt",
        "arn:aws:kms:us-east-1:111122223333:key/k1", "xkms:DescribeKey"};
    for (String pattern : patterns) {
      for (boolean ignoreCase : new boolean[] {true, false}) {
        Glob glob = Glob.compile(pattern, true, false, ignoreCase);
        for (String text : texts) {
          assertThat(glob.matches(text, null)).as("%s ~ %s (ignoring case: %s)", pattern, text, ignoreCase)
              .isEqualTo(Glob.wildcard(pattern, text, 0, text.length(), ignoreCase));
          // A match inside a longer text, as ARN parts are matched.
          String around = "<" + text + ">";
          assertThat(glob.matches(around, 1, around.length() - 1, null)).isEqualTo(glob.matches(text, null));
        }
      }
    }
  }
}
