package dev.shunt.backend.auth.policy;

import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.assertThatCode;

import dev.shunt.backend.core.AwsException;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;

/** Every malformed document is refused with MalformedPolicyDocumentException, naming the problem. */
class MalformedPolicyTest {
  static final String OK_STATEMENT = "{\"Effect\": \"Allow\", \"Action\": \"kms:*\", \"Resource\": \"*\"}";

  static void refused(String json, Policy.Kind kind, String message) {
    assertThatThrownBy(() -> Policy.parse(json, kind))
        .isInstanceOfSatisfying(AwsException.class, e -> {
          org.assertj.core.api.Assertions.assertThat(e.code()).isEqualTo("MalformedPolicyDocumentException");
          org.assertj.core.api.Assertions.assertThat(e.httpStatus()).isEqualTo(400);
        })
        .hasMessageContaining(message);
  }

  @ParameterizedTest(name = "{2}")
  @CsvSource(delimiter = '|', quoteCharacter = '`', textBlock = """
      IDENTITY | not json                                                                           | not valid JSON
      IDENTITY | []                                                                                 | must be a JSON object
      IDENTITY | {"Version": "2012-10-17"}                                                          | missing required element - Statement
      IDENTITY | {"Statement": []}                                                                  | missing required element - Statement
      IDENTITY | {"Statement": "x"}                                                                 | missing required element - Statement
      IDENTITY | {"Version": "2020-01-01", "Statement": {"Effect": "Allow", "Action": "kms:*", "Resource": "*"}} | unsupported Version
      IDENTITY | {"Statment": [], "Statement": {"Effect": "Allow", "Action": "kms:*", "Resource": "*"}} | unknown element: Statment
      IDENTITY | {"Statement": [1]}                                                                 | Policy statement 1 must be a JSON object
      IDENTITY | {"Statement": {"Effect": "Permit", "Action": "kms:*", "Resource": "*"}}            | invalid Effect
      IDENTITY | {"Statement": {"Effect": "allow", "Action": "kms:*", "Resource": "*"}}             | invalid Effect
      IDENTITY | {"Statement": {"Action": "kms:*", "Resource": "*"}}                                | missing required element - Effect
      IDENTITY | {"Statement": {"Effect": "Allow", "Action": "kms:*", "NotAction": "kms:Decrypt", "Resource": "*"}} | both Action and NotAction
      IDENTITY | {"Statement": {"Effect": "Allow", "Resource": "*"}}                                | missing required element - Action or NotAction
      IDENTITY | {"Statement": {"Effect": "Allow", "Action": "Decrypt", "Resource": "*"}}           | invalid Action: 'Decrypt'
      IDENTITY | {"Statement": {"Effect": "Allow", "Action": [], "Resource": "*"}}                  | invalid Action
      IDENTITY | {"Statement": {"Effect": "Allow", "Action": [1], "Resource": "*"}}                 | not a string
      IDENTITY | {"Statement": {"Effect": "Allow", "Action": "kms:*"}}                              | missing required element - Resource or NotResource
      IDENTITY | {"Statement": {"Effect": "Allow", "Action": "kms:*", "Resource": "*", "NotResource": "x"}} | both Resource and NotResource
      IDENTITY | {"Statement": {"Effect": "Allow", "Principal": "*", "Action": "kms:*", "Resource": "*"}} | Principal, which an identity-based policy may not have
      IDENTITY | {"Statement": {"Effect": "Allow", "Action": "kms:*", "Resource": "*", "Resources": "*"}} | unknown element: Resources
      RESOURCE | {"Statement": {"Effect": "Allow", "Action": "kms:*"}}                              | missing required element - Principal or NotPrincipal
      RESOURCE | {"Statement": {"Effect": "Allow", "Principal": "*", "NotPrincipal": "*", "Action": "kms:*"}} | both Principal and NotPrincipal
      RESOURCE | {"Statement": {"Effect": "Allow", "Principal": "alice", "Action": "kms:*"}}        | Principal must be
      RESOURCE | {"Statement": {"Effect": "Allow", "Principal": {"AWS": "alice"}, "Action": "kms:*"}} | invalid principal: 'alice'
      RESOURCE | {"Statement": {"Effect": "Allow", "Principal": {"Group": "x"}, "Action": "kms:*"}}  | unknown principal type: Group
      IDENTITY | {"Statement": [{"Effect": "Allow", "Action": "kms:*", "Resource": "*"}, {"Effect": "Allow", "Action": "kms:*", "Resource": "*", "Condition": {"StringEqualz": {"a:b": "c"}}}]} | Policy statement 2 has an unknown condition operator: StringEqualz
      IDENTITY | {"Statement": {"Effect": "Allow", "Action": "kms:*", "Resource": "*", "Condition": {"ForSomeValues:StringEquals": {"a:b": "c"}}}} | unknown condition operator: ForSomeValues:StringEquals
      IDENTITY | {"Statement": {"Effect": "Allow", "Action": "kms:*", "Resource": "*", "Condition": {"NullIfExists": {"a:b": "true"}}}} | unknown condition operator: NullIfExists
      IDENTITY | {"Statement": {"Effect": "Allow", "Action": "kms:*", "Resource": "*", "Condition": {"StringEqualz": {}}}} | unknown condition operator: StringEqualz
      IDENTITY | {"Statement": {"Effect": "Allow", "Action": "kms:*", "Resource": "*", "Condition": "x"}} | Condition that is not a JSON object
      IDENTITY | {"Statement": {"Effect": "Allow", "Action": "kms:*", "Resource": "*", "Condition": {"StringEquals": "x"}}} | whose value is not a JSON object
      IDENTITY | {"Statement": {"Effect": "Allow", "Action": "kms:*", "Resource": "*", "Condition": {"StringEquals": {"a:b": {"c": 1}}}}} | invalid value for condition operator StringEquals
      IDENTITY | {"Statement": {"Effect": "Allow", "Action": "kms:*", "Resource": "*", "Condition": {"StringEquals": {"nocolon": "c"}}}} | without a vendor prefix
      IDENTITY | {"Statement": {"Effect": "Allow", "Action": "kms:*", "Resource": "*", "Condition": {"NumericLessThan": {"a:b": "ten"}}}} | NumericLessThan on key a:b: 'ten' is not a number
      IDENTITY | {"Statement": {"Effect": "Allow", "Action": "kms:*", "Resource": "*", "Condition": {"NumericEquals": {"a:b": "0x10"}}}} | '0x10' is not a number
      IDENTITY | {"Statement": {"Effect": "Allow", "Action": "kms:*", "Resource": "*", "Condition": {"DateLessThan": {"aws:CurrentTime": "yesterday"}}}} | 'yesterday' is not an ISO 8601 date
      IDENTITY | {"Statement": {"Effect": "Allow", "Action": "kms:*", "Resource": "*", "Condition": {"DateLessThan": {"aws:CurrentTime": "2024-13-01"}}}} | is not an ISO 8601 date
      IDENTITY | {"Statement": {"Effect": "Allow", "Action": "kms:*", "Resource": "*", "Condition": {"IpAddress": {"aws:SourceIp": "10.0.0.256/8"}}}} | not an IPv4 or IPv6
      IDENTITY | {"Statement": {"Effect": "Allow", "Action": "kms:*", "Resource": "*", "Condition": {"IpAddress": {"aws:SourceIp": "10.0.0.0/33"}}}} | not an IPv4 or IPv6
      IDENTITY | {"Statement": {"Effect": "Allow", "Action": "kms:*", "Resource": "*", "Condition": {"NotIpAddress": {"aws:SourceIp": "2001:db8::/129"}}}} | not an IPv4 or IPv6
      IDENTITY | {"Statement": {"Effect": "Allow", "Action": "kms:*", "Resource": "*", "Condition": {"IpAddress": {"aws:SourceIp": "example.com"}}}} | not an IPv4 or IPv6
      IDENTITY | {"Statement": {"Effect": "Allow", "Action": "kms:*", "Resource": "*", "Condition": {"Bool": {"aws:SecureTransport": "yes"}}}} | is not true or false
      IDENTITY | {"Statement": {"Effect": "Allow", "Action": "kms:*", "Resource": "*", "Condition": {"BinaryEquals": {"a:b": "!!!"}}}} | is not base64
      IDENTITY | {"Statement": {"Effect": "Allow", "Action": "kms:*", "Resource": "*", "Condition": {"StringEquals": {"a:b": []}}}} | no value for condition key
      """)
  void refusedWith(Policy.Kind kind, String json, String message) {
    refused(json, kind, message);
  }

  @Test
  void aNullDocumentIsRefused() {
    refused(null, Policy.Kind.IDENTITY, "missing");
  }

  @Test
  void validDocumentsOfBothVersionsAndTypedValuesAreAccepted() {
    for (String version : new String[] {"2012-10-17", "2008-10-17"}) {
      assertThatCode(() -> Policy.parse("{\"Version\": \"" + version + "\", \"Id\": \"x\", \"Statement\": [" + OK_STATEMENT
          + "]}", Policy.Kind.IDENTITY)).doesNotThrowAnyException();
    }
    assertThatCode(() -> Policy.parse("""
        {"Statement": {"Sid": "s", "Effect": "Deny", "NotPrincipal": {"AWS": ["111122223333", "AIDAJQABLZS4A3QDU576Q"],
          "Federated": "cognito-identity.amazonaws.com", "Service": "logs.amazonaws.com"}, "NotAction": "kms:Decrypt",
          "NotResource": "arn:aws:kms:*:*:key/*", "Condition": {
            "NumericLessThanEquals": {"a:n": [1, "2.5", "-3e2"]},
            "DateGreaterThan": {"aws:CurrentTime": ["2024-01-01T00:00:00Z", "2024-01-01", "1704067200", "2024-01-01T10:00:00+02:00"]},
            "IpAddress": {"aws:SourceIp": ["10.0.0.0/8", "192.0.2.1", "::1", "2001:db8::/32", "::ffff:192.0.2.0/120"]},
            "ForAllValues:StringLikeIfExists": {"aws:TagKeys": "t-*"},
            "Bool": {"aws:SecureTransport": false},
            "BinaryEquals": {"a:b": "QmluYXJ5"},
            "Null": {"a:c": "true"}}}}""", Policy.Kind.RESOURCE)).doesNotThrowAnyException();
  }
}
