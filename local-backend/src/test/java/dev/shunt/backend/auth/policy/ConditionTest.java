package dev.shunt.backend.auth.policy;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Every condition operator, positive and negative, with IfExists, set prefixes, absent keys and case rules. */
class ConditionTest {
  static final String USER = "arn:aws:iam::111122223333:user/alice";
  static final String KEY = "arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab";

  /** Whether an Allow with {@code "Condition": {op: {key: values}}} allows a request built by {@code keys}. */
  static boolean holds(String op, String key, String values, UnaryOperator<AccessRequest.Builder> keys) {
    Policy policy = Policy.parse("""
        {"Version": "2012-10-17", "Statement": {"Effect": "Allow", "Action": "kms:*", "Resource": "*",
         "Condition": {"%s": {"%s": %s}}}}""".formatted(op, key, values), Policy.Kind.IDENTITY);
    return policy.evaluate(keys.apply(AccessRequest.builder(USER, "111122223333", "kms:Decrypt", KEY)).build())
        .allowed();
  }

  static boolean holds(String op, String key, String values, String requestValue) {
    return holds(op, key, values, b -> requestValue == null ? b : b.key(key, requestValue));
  }

  @ParameterizedTest(name = "{0} {2} vs {3} -> {4}")
  @CsvSource(delimiter = '|', nullValues = "ABSENT", textBlock = """
      StringEquals              | t:k | "abc"            | abc     | true
      StringEquals              | t:k | "abc"            | ABC     | false
      StringEquals              | t:k | ["x","abc"]      | abc     | true
      StringEquals              | t:k | "abc"            | abcd    | false
      StringEquals              | t:k | "a*"             | abc     | false
      StringEquals              | t:k | "a*"             | a*      | true
      StringEquals              | t:k | "abc"            | ABSENT  | false
      StringNotEquals           | t:k | "abc"            | abc     | false
      StringNotEquals           | t:k | "abc"            | abd     | true
      StringNotEquals           | t:k | ["abc","abd"]    | abd     | false
      StringNotEquals           | t:k | "abc"            | ABSENT  | true
      StringEqualsIgnoreCase    | t:k | "aBc"            | AbC     | true
      StringEqualsIgnoreCase    | t:k | "abc"            | abd     | false
      StringEqualsIgnoreCase    | t:k | "abc"            | ABSENT  | false
      StringNotEqualsIgnoreCase | t:k | "aBc"            | AbC     | false
      StringNotEqualsIgnoreCase | t:k | "abc"            | abd     | true
      StringNotEqualsIgnoreCase | t:k | "abc"            | ABSENT  | true
      StringLike                | t:k | "a*c"            | abbbc   | true
      StringLike                | t:k | "a?c"            | abc     | true
      StringLike                | t:k | "a?c"            | abbc    | false
      StringLike                | t:k | "A*"             | abc     | false
      StringLike                | t:k | ["x*","*c"]      | abc     | true
      StringLike                | t:k | "a*"             | ABSENT  | false
      StringNotLike             | t:k | "a*"             | abc     | false
      StringNotLike             | t:k | "a*"             | bcd     | true
      StringNotLike             | t:k | "a*"             | ABSENT  | true
      NumericEquals             | t:n | "10"             | 10      | true
      NumericEquals             | t:n | 10               | 10.0    | true
      NumericEquals             | t:n | "10"             | 11      | false
      NumericEquals             | t:n | "10"             | ten     | false
      NumericEquals             | t:n | "10"             | ABSENT  | false
      NumericNotEquals          | t:n | "10"             | 10      | false
      NumericNotEquals          | t:n | "10"             | 11      | true
      NumericNotEquals          | t:n | "10"             | ABSENT  | true
      NumericLessThan           | t:n | "10"             | 9       | true
      NumericLessThan           | t:n | "10"             | 10      | false
      NumericLessThanEquals     | t:n | "10"             | 10      | true
      NumericLessThanEquals     | t:n | "10"             | 11      | false
      NumericGreaterThan        | t:n | "10"             | 11      | true
      NumericGreaterThan        | t:n | "10"             | 10      | false
      NumericGreaterThanEquals  | t:n | "10"             | 10      | true
      NumericGreaterThanEquals  | t:n | "-1.5e1"         | -16     | false
      DateEquals                | t:d | "2024-01-01T00:00:00Z" | 1704067200 | true
      DateEquals                | t:d | "1704067200"     | 2024-01-01T00:00:00Z | true
      DateEquals                | t:d | "2024-01-01"     | 2024-01-01T00:00:00+00:00 | true
      DateEquals                | t:d | "2024-01-01T00:00:00Z" | 2024-01-01T00:00:01Z | false
      DateEquals                | t:d | "2024-01-01T00:00:00Z" | not-a-date | false
      DateNotEquals             | t:d | "2024-01-01T00:00:00Z" | 2024-01-02T00:00:00Z | true
      DateNotEquals             | t:d | "2024-01-01T00:00:00Z" | 2024-01-01T01:00:00+01:00 | false
      DateNotEquals             | t:d | "2024-01-01T00:00:00Z" | ABSENT | true
      DateLessThan              | t:d | "2024-01-01T00:00:00Z" | 2023-12-31T23:59:59Z | true
      DateLessThan              | t:d | "2024-01-01T00:00:00Z" | 2024-01-01T00:00:00Z | false
      DateLessThanEquals        | t:d | "2024-01-01T00:00:00Z" | 2024-01-01T00:00:00Z | true
      DateLessThanEquals        | t:d | "2024-01-01T00:00:00Z" | 2024-01-01T00:00:01Z | false
      DateGreaterThan           | t:d | "2024-01-01T00:00:00Z" | 2024-01-01T00:00:01Z | true
      DateGreaterThan           | t:d | "2024-01-01T00:00:00Z" | 2024-01-01T00:00:00Z | false
      DateGreaterThanEquals     | t:d | "2024-01-01T00:00:00Z" | 2024-01-01T00:00:00Z | true
      DateGreaterThanEquals     | t:d | "2024-01-01T00:00:00Z" | 2023-01-01T00:00:00Z | false
      Bool                      | aws:SecureTransport | "true"  | true  | true
      Bool                      | aws:SecureTransport | true    | TRUE  | true
      Bool                      | aws:SecureTransport | "true"  | false | false
      Bool                      | aws:SecureTransport | "false" | false | true
      Bool                      | aws:SecureTransport | "true"  | ABSENT | false
      BinaryEquals              | t:b | "QmluYXJ5"       | QmluYXJ5 | true
      BinaryEquals              | t:b | "QmluYXJ5"       | QmluYXJ6 | false
      BinaryEquals              | t:b | "QmluYXJ5"       | ABSENT   | false
      IpAddress                 | aws:SourceIp | "203.0.113.0/24"  | 203.0.113.7  | true
      IpAddress                 | aws:SourceIp | "203.0.113.0/24"  | 203.0.114.7  | false
      IpAddress                 | aws:SourceIp | "203.0.113.0/25"  | 203.0.113.200 | false
      IpAddress                 | aws:SourceIp | "203.0.113.9"     | 203.0.113.9  | true
      IpAddress                 | aws:SourceIp | "2001:db8::/32"   | 2001:db8:1::5 | true
      IpAddress                 | aws:SourceIp | "2001:db8::/32"   | 2001:db9::5  | false
      IpAddress                 | aws:SourceIp | "::ffff:0:0/96"   | ::ffff:10.0.0.1 | true
      IpAddress                 | aws:SourceIp | "203.0.113.0/24"  | 2001:db8::1  | false
      IpAddress                 | aws:SourceIp | "203.0.113.0/24"  | example.com  | false
      IpAddress                 | aws:SourceIp | "203.0.113.0/24"  | ABSENT       | false
      NotIpAddress              | aws:SourceIp | "203.0.113.0/24"  | 203.0.113.7  | false
      NotIpAddress              | aws:SourceIp | "203.0.113.0/24"  | 198.51.100.1 | true
      NotIpAddress              | aws:SourceIp | "203.0.113.0/24"  | ABSENT       | true
      ArnEquals                 | aws:SourceArn | "arn:aws:s3:::bucket"  | arn:aws:s3:::bucket  | true
      ArnEquals                 | aws:SourceArn | "arn:aws:s3:::bucket"  | arn:aws:s3:::Bucket  | false
      ArnLike                   | aws:SourceArn | "arn:aws:iam::*:role/app-*" | arn:aws:iam::111122223333:role/app-1 | true
      ArnLike                   | aws:SourceArn | "arn:aws:iam::*:role/app-*" | arn:aws:iam::111122223333:user/app-1 | false
      ArnLike                   | aws:SourceArn | "arn:aws:*:us-east-1:*:*" | arn:aws:sqs:us-east-1:1:q | true
      ArnLike                   | aws:SourceArn | "arn:aws:s*:*:*:*" | arn:aws:iam::1:x:y  | false
      ArnLike                   | aws:SourceArn | "arn:aws:iam::*:role/app-*" | ABSENT | false
      ArnNotEquals              | aws:SourceArn | "arn:aws:s3:::bucket"  | arn:aws:s3:::bucket  | false
      ArnNotEquals              | aws:SourceArn | "arn:aws:s3:::bucket"  | arn:aws:s3:::other   | true
      ArnNotLike                | aws:SourceArn | "arn:aws:s3:::b*"  | arn:aws:s3:::bucket  | false
      ArnNotLike                | aws:SourceArn | "arn:aws:s3:::b*"  | arn:aws:s3:::other   | true
      ArnNotLike                | aws:SourceArn | "arn:aws:s3:::b*"  | ABSENT               | true
      Null                      | t:k | "true"           | ABSENT  | true
      Null                      | t:k | "true"           | x       | false
      Null                      | t:k | "false"          | x       | true
      Null                      | t:k | "false"          | ABSENT  | false
      StringEqualsIfExists      | t:k | "abc"            | ABSENT  | true
      StringEqualsIfExists      | t:k | "abc"            | abc     | true
      StringEqualsIfExists      | t:k | "abc"            | abd     | false
      NumericLessThanIfExists   | t:n | "10"             | ABSENT  | true
      NumericLessThanIfExists   | t:n | "10"             | 11      | false
      IpAddressIfExists         | aws:SourceIp | "10.0.0.0/8" | ABSENT | true
      IpAddressIfExists         | aws:SourceIp | "10.0.0.0/8" | 11.0.0.1 | false
      BoolIfExists              | aws:MultiFactorAuthPresent | "true" | ABSENT | true
      ArnLikeIfExists           | aws:SourceArn | "arn:aws:s3:::b*" | ABSENT | true
      DateLessThanIfExists      | t:d | "2024-01-01" | ABSENT | true
      StringNotEqualsIfExists   | t:k | "abc"            | ABSENT  | true
      StringNotEqualsIfExists   | t:k | "abc"            | abc     | false
      """)
  void operator(String op, String key, String values, String requestValue, boolean expected) {
    assertThat(holds(op, key, values, requestValue)).isEqualTo(expected);
  }

  @Test
  void conditionKeysAreCaseInsensitiveButStringValuesAreNot() {
    assertThat(holds("StringEquals", "KMS:EncryptionContext:Tenant", "\"blue\"", b -> b.key("kms:encryptioncontext:tenant", "blue")))
        .isTrue();
    assertThat(holds("StringEquals", "kms:encryptioncontext:tenant", "\"blue\"", b -> b.key("KMS:EncryptionContext:TENANT", "blue")))
        .isTrue();
    assertThat(holds("StringEquals", "kms:EncryptionContext:tenant", "\"blue\"", b -> b.key("kms:EncryptionContext:tenant", "Blue")))
        .isFalse();
    AccessRequest request = AccessRequest.builder(USER, "111122223333", "kms:Decrypt", KEY).key("A:B", "v").build();
    assertThat(request.values("a:b")).containsExactly("v");
    assertThat(request.values("A:b")).containsExactly("v");
    assertThat(request.values("a:c")).isNull();
  }

  @Nested
  class Sets {
    List<String> none = List.of();

    boolean with(String op, String values, List<String> requestValues) {
      return holds(op, "aws:TagKeys", values, b -> requestValues == null ? b : b.keys("aws:TagKeys", requestValues));
    }

    @Test
    void forAnyValueNeedsOneMatchingValue() {
      assertThat(with("ForAnyValue:StringEquals", "[\"a\",\"b\"]", List.of("x", "b"))).isTrue();
      assertThat(with("ForAnyValue:StringEquals", "[\"a\",\"b\"]", List.of("x", "y"))).isFalse();
      assertThat(with("ForAnyValue:StringLike", "\"a*\"", List.of("x", "ab"))).isTrue();
    }

    @Test
    void forAnyValueFailsOnAnAbsentOrEmptyKey() {
      assertThat(with("ForAnyValue:StringEquals", "\"a\"", null)).isFalse();
      assertThat(with("ForAnyValue:StringEquals", "\"a\"", none)).isFalse();
      assertThat(with("ForAnyValue:StringNotEquals", "\"a\"", null)).isFalse();
      assertThat(with("ForAnyValue:StringEqualsIfExists", "\"a\"", null)).isTrue();
    }

    @Test
    void forAllValuesNeedsEveryValueToMatch() {
      assertThat(with("ForAllValues:StringEquals", "[\"a\",\"b\"]", List.of("a", "b"))).isTrue();
      assertThat(with("ForAllValues:StringEquals", "[\"a\",\"b\"]", List.of("a", "c"))).isFalse();
      assertThat(with("ForAllValues:StringLike", "\"t-*\"", List.of("t-1", "t-2"))).isTrue();
    }

    @Test
    void forAllValuesHoldsVacuouslyOnAnAbsentOrEmptyKey() {
      assertThat(with("ForAllValues:StringEquals", "\"a\"", null)).isTrue();
      assertThat(with("ForAllValues:StringEquals", "\"a\"", none)).isTrue();
    }

    @Test
    void negatedOperatorsUnderASetPrefixApplyToEachValue() {
      // ForAnyValue:StringNotEquals: some value is none of the policy's
      assertThat(with("ForAnyValue:StringNotEquals", "[\"a\",\"b\"]", List.of("a", "z"))).isTrue();
      assertThat(with("ForAnyValue:StringNotEquals", "[\"a\",\"b\"]", List.of("a", "b"))).isFalse();
      // ForAllValues:StringNotEquals: no value is one of the policy's
      assertThat(with("ForAllValues:StringNotEquals", "[\"a\",\"b\"]", List.of("y", "z"))).isTrue();
      assertThat(with("ForAllValues:StringNotEquals", "[\"a\",\"b\"]", List.of("a", "z"))).isFalse();
    }

    @Test
    void withoutAPrefixAPositiveOperatorNeedsOneValueAndANegatedOneNeedsNone() {
      assertThat(with("StringEquals", "\"a\"", List.of("x", "a"))).isTrue();
      assertThat(with("StringNotEquals", "\"a\"", List.of("x", "a"))).isFalse();
      assertThat(with("StringNotEquals", "\"a\"", List.of("x", "y"))).isTrue();
      assertThat(with("StringEquals", "\"a\"", none)).isFalse();
      assertThat(with("StringNotEquals", "\"a\"", none)).isTrue();
      assertThat(holds("Null", "aws:TagKeys", "\"true\"", b -> b.keys("aws:TagKeys", none))).isTrue();
    }
  }

  @Test
  void operatorsAreAndedKeysAreAndedValuesAreOred() {
    Policy policy = Policy.parse("""
        {"Statement": {"Effect": "Allow", "Action": "kms:*", "Resource": "*", "Condition": {
          "StringEquals": {"t:a": ["1", "2"], "t:b": "x"},
          "NumericLessThan": {"t:n": 5}}}}""", Policy.Kind.IDENTITY);
    UnaryOperator<AccessRequest.Builder> base = b -> b;
    assertThat(policy.evaluate(req(b -> b.key("t:a", "2").key("t:b", "x").key("t:n", "4"))).allowed()).isTrue();
    assertThat(policy.evaluate(req(b -> b.key("t:a", "3").key("t:b", "x").key("t:n", "4"))).allowed()).isFalse();
    assertThat(policy.evaluate(req(b -> b.key("t:a", "1").key("t:b", "y").key("t:n", "4"))).allowed()).isFalse();
    assertThat(policy.evaluate(req(b -> b.key("t:a", "1").key("t:b", "x").key("t:n", "5"))).allowed()).isFalse();
    assertThat(policy.evaluate(req(base)).allowed()).isFalse();
  }

  @Test
  void anEmptyConditionBlockHolds() {
    Policy policy = Policy.parse("""
        {"Statement": {"Effect": "Allow", "Action": "kms:*", "Resource": "*", "Condition": {}}}""",
        Policy.Kind.IDENTITY);
    assertThat(policy.evaluate(req(b -> b)).allowed()).isTrue();
  }

  @Test
  void principalKeysAreAlwaysInTheRequest() {
    AccessRequest user = AccessRequest.builder(USER, "111122223333", "kms:Decrypt", KEY).build();
    assertThat(user.values("aws:PrincipalArn")).containsExactly(USER);
    assertThat(user.values("aws:PrincipalAccount")).containsExactly("111122223333");
    assertThat(user.values("aws:username")).containsExactly("alice");
    AccessRequest session = AccessRequest.builder("arn:aws:sts::111122223333:assumed-role/app/i-123", "111122223333",
        "kms:Decrypt", KEY).build();
    assertThat(session.values("aws:PrincipalArn")).containsExactly("arn:aws:iam::111122223333:role/app");
    assertThat(session.values("aws:username")).isNull();
    AccessRequest explicit = AccessRequest.builder(USER, "111122223333", "kms:Decrypt", KEY)
        .key("aws:PrincipalArn", "arn:aws:iam::111122223333:user/other").build();
    assertThat(explicit.values("aws:principalarn")).containsExactly("arn:aws:iam::111122223333:user/other");
    assertThat(holds("StringEquals", "aws:PrincipalAccount", "\"111122223333\"", b -> b)).isTrue();
    assertThat(holds("ArnLike", "aws:PrincipalArn", "\"arn:aws:iam::111122223333:user/a*\"", b -> b)).isTrue();
  }

  @Nested
  class Variables {
    @Test
    void aVariableInAConditionValueTakesTheRequestsValue() {
      assertThat(holds("StringEquals", "t:owner", "\"${aws:username}\"", b -> b.key("t:owner", "alice"))).isTrue();
      assertThat(holds("StringEquals", "t:owner", "\"${aws:username}\"", b -> b.key("t:owner", "bob"))).isFalse();
      assertThat(holds("StringLike", "t:path", "\"home/${aws:username}/*\"", b -> b.key("t:path", "home/alice/x")))
          .isTrue();
      assertThat(holds("StringLike", "t:path", "\"home/${aws:username}/*\"", b -> b.key("t:path", "home/bob/x")))
          .isFalse();
    }

    @Test
    void anAbsentVariableTakesItsDefaultOrMatchesNothing() {
      assertThat(holds("StringEquals", "t:owner", "\"${t:missing}\"", b -> b.key("t:owner", ""))).isFalse();
      assertThat(holds("StringEquals", "t:owner", "\"${t:missing, 'nobody'}\"", b -> b.key("t:owner", "nobody")))
          .isTrue();
    }

    @Test
    void escapesAreLiteralCharacters() {
      assertThat(holds("StringLike", "t:k", "\"a${*}\"", b -> b.key("t:k", "a*"))).isTrue();
      assertThat(holds("StringLike", "t:k", "\"a${*}\"", b -> b.key("t:k", "ab"))).isFalse();
      assertThat(holds("StringLike", "t:k", "\"a${?}${$}\"", b -> b.key("t:k", "a?$"))).isTrue();
    }

    @Test
    void variablesAreLiteralBeforeVersion2012() {
      Policy old = Policy.parse("""
          {"Version": "2008-10-17", "Statement": {"Effect": "Allow", "Action": "kms:*", "Resource": "*",
           "Condition": {"StringEquals": {"t:owner": "${aws:username}"}}}}""", Policy.Kind.IDENTITY);
      assertThat(old.evaluate(req(b -> b.key("t:owner", "alice"))).allowed()).isFalse();
      assertThat(old.evaluate(req(b -> b.key("t:owner", "${aws:username}"))).allowed()).isTrue();
    }
  }

  static AccessRequest req(UnaryOperator<AccessRequest.Builder> keys) {
    return keys.apply(AccessRequest.builder(USER, "111122223333", "kms:Decrypt", KEY)).build();
  }
}
