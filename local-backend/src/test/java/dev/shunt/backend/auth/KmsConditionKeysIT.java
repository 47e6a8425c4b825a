package dev.shunt.backend.auth;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.shunt.backend.BackendFixture;
import dev.shunt.backend.ShuntBackend;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.function.BiConsumer;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import software.amazon.awssdk.core.SdkBytes;
import software.amazon.awssdk.awscore.exception.AwsServiceException;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.kms.KmsClient;
import software.amazon.awssdk.services.kms.model.EncryptionAlgorithmSpec;
import software.amazon.awssdk.services.kms.model.Tag;
import software.amazon.awssdk.services.ssm.SsmClient;
import software.amazon.awssdk.services.ssm.model.ParameterType;

/**
 * Each condition key a KMS request carries, as a key policy reads it: for every key, two keys whose
 * policy lets Carol use them only under a condition on it, one that the request meets and one that
 * it does not; the same request (by alias, through the real SDK under SigV4) is allowed by the
 * first and refused by the second.
 */
class KmsConditionKeysIT {
  private static final String ACCOUNT = "111122223333";
  private static final String CAROL = "arn:aws:iam::" + ACCOUNT + ":user/carol";
  @TempDir
  static Path dir;
  private static BackendFixture shunt;
  private static KmsClient root;
  private static KmsClient carol;
  private static SsmClient carolSsm;

  @BeforeAll
  static void start() throws Exception {
    Path principals = dir.resolve("principals.yaml");
    Files.writeString(principals, "principals:\n"
        + "  - arn: " + CAROL + "\n    accessKeys: [{id: AKIACAROL, secret: carol-secret}]\n"
        + "    policies: [{Version: \"2012-10-17\", Statement: [{Effect: Allow, Action: \"ssm:*\", Resource: \"*\"}]}]\n"
        + "  - arn: arn:aws:iam::" + ACCOUNT + ":root\n    accessKeys: [{id: AKIAROOT1, secret: root-secret}]\n");
    shunt = BackendFixture.start(ShuntBackend.builder().auth(AuthMode.SIGV4)
        .option("principals", principals.toString()));
    root = shunt.kms("AKIAROOT1", "root-secret", Region.US_EAST_1);
    carol = shunt.kms("AKIACAROL", "carol-secret", Region.US_EAST_1);
    carolSsm = shunt.ssm("AKIACAROL", "carol-secret", Region.US_EAST_1);
  }

  @AfterAll
  static void stop() {
    root.close();
    carol.close();
    carolSsm.close();
    shunt.close();
  }

  private static SdkBytes x() {
    return SdkBytes.fromUtf8String("x");
  }

  static Stream<Arguments> keys() {
    BiConsumer<String, Map<String, String>> encrypt = (alias, context) ->
        carol.encrypt(r -> r.keyId(alias).plaintext(x()).encryptionContext(context));
    return Stream.of(
        Arguments.of("kms:EncryptionContext (key name in any case)",
            "{\"StringEquals\":{\"kms:EncryptionContext:Tenant\":\"acme\"}}",
            "{\"StringEquals\":{\"kms:EncryptionContext:tenant\":\"other\"}}",
            (Call) alias -> encrypt.accept(alias, Map.of("tenant", "acme"))),
        Arguments.of("kms:EncryptionContextKeys",
            "{\"ForAllValues:StringEquals\":{\"kms:EncryptionContextKeys\":[\"tenant\",\"app\"]}}",
            "{\"ForAnyValue:StringEquals\":{\"kms:EncryptionContextKeys\":\"owner\"}}",
            (Call) alias -> encrypt.accept(alias, Map.of("tenant", "a", "app", "b"))),
        Arguments.of("kms:EncryptionAlgorithm",
            "{\"StringEquals\":{\"kms:EncryptionAlgorithm\":\"SYMMETRIC_DEFAULT\"}}",
            "{\"StringEquals\":{\"kms:EncryptionAlgorithm\":\"RSAES_OAEP_SHA_256\"}}",
            (Call) alias -> carol.encrypt(r -> r.keyId(alias).plaintext(x())
                .encryptionAlgorithm(EncryptionAlgorithmSpec.SYMMETRIC_DEFAULT))),
        Arguments.of("kms:CallerAccount",
            "{\"StringEquals\":{\"kms:CallerAccount\":\"" + ACCOUNT + "\"}}",
            "{\"StringEquals\":{\"kms:CallerAccount\":\"444455556666\"}}",
            (Call) alias -> carol.describeKey(r -> r.keyId(alias))),
        Arguments.of("kms:KeySpec and kms:KeyUsage",
            "{\"StringEquals\":{\"kms:KeySpec\":\"SYMMETRIC_DEFAULT\",\"kms:KeyUsage\":\"ENCRYPT_DECRYPT\"}}",
            "{\"StringEquals\":{\"kms:KeySpec\":\"SYMMETRIC_DEFAULT\",\"kms:KeyUsage\":\"SIGN_VERIFY\"}}",
            (Call) alias -> carol.describeKey(r -> r.keyId(alias))),
        Arguments.of("kms:KeyOrigin",
            "{\"StringEquals\":{\"kms:KeyOrigin\":\"AWS_KMS\"}}",
            "{\"StringEquals\":{\"kms:KeyOrigin\":\"EXTERNAL\"}}",
            (Call) alias -> carol.generateDataKey(r -> r.keyId(alias).numberOfBytes(32))),
        Arguments.of("kms:RequestAlias",
            "{\"StringLike\":{\"kms:RequestAlias\":\"alias/*-m\"}}",
            "{\"StringEquals\":{\"kms:RequestAlias\":\"alias/another\"}}",
            (Call) alias -> encrypt.accept(alias, Map.of())),
        Arguments.of("aws:ResourceTag (tag name in any case)",
            "{\"StringEquals\":{\"aws:ResourceTag/team\":\"blue\"}}",
            "{\"StringEquals\":{\"aws:ResourceTag/Team\":\"red\"}}",
            (Call) alias -> encrypt.accept(alias, Map.of())),
        Arguments.of("aws:SourceIp",
            "{\"IpAddress\":{\"aws:SourceIp\":\"127.0.0.0/8\"}}",
            "{\"IpAddress\":{\"aws:SourceIp\":\"10.0.0.0/8\"}}",
            (Call) alias -> encrypt.accept(alias, Map.of())),
        Arguments.of("aws:CurrentTime and aws:EpochTime",
            "{\"DateGreaterThan\":{\"aws:CurrentTime\":\"2001-01-01T00:00:00Z\"},"
                + "\"NumericGreaterThan\":{\"aws:EpochTime\":\"978307200\"}}",
            "{\"DateGreaterThan\":{\"aws:CurrentTime\":\"2001-01-01T00:00:00Z\"},"
                + "\"NumericLessThan\":{\"aws:EpochTime\":\"978307200\"}}",
            (Call) alias -> encrypt.accept(alias, Map.of())),
        Arguments.of("aws:PrincipalArn and aws:PrincipalAccount",
            "{\"ArnEquals\":{\"aws:PrincipalArn\":\"" + CAROL + "\"},"
                + "\"StringEquals\":{\"aws:PrincipalAccount\":\"" + ACCOUNT + "\"}}",
            "{\"ArnLike\":{\"aws:PrincipalArn\":\"arn:aws:iam::*:user/dave\"}}",
            (Call) alias -> encrypt.accept(alias, Map.of())),
        Arguments.of("a policy variable: ${aws:username}",
            "{\"StringEquals\":{\"kms:EncryptionContext:owner\":\"${aws:username}\"}}",
            "{\"StringEquals\":{\"kms:EncryptionContext:owner\":\"${aws:username}-x\"}}",
            (Call) alias -> encrypt.accept(alias, Map.of("owner", "carol"))),
        Arguments.of("kms:ViaService (Parameter Store encrypting a SecureString for Carol)",
            "{\"StringEquals\":{\"kms:ViaService\":\"ssm.us-east-1.amazonaws.com\"}}",
            "{\"StringEquals\":{\"kms:ViaService\":\"secretsmanager.us-east-1.amazonaws.com\"}}",
            (Call) alias -> carolSsm.putParameter(r -> r.name("/via" + alias.substring(alias.indexOf('/')))
                .type(ParameterType.SECURE_STRING).keyId(alias).value("v").overwrite(true))));
  }

  @FunctionalInterface
  interface Call {
    void on(String alias);
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("keys")
  void aConditionOnTheKeyDecides(String name, String met, String unmet, Call call) {
    String tag = Integer.toHexString(name.hashCode());
    String allowed = keyWith(met, "alias/c" + tag + "-m");
    String refused = keyWith(unmet, "alias/c" + tag + "-n");
    call.on(allowed);
    assertThatThrownBy(() -> call.on(refused)).isInstanceOfSatisfying(AwsServiceException.class, e -> {
      assertThat(e.awsErrorDetails().errorCode()).isEqualTo("AccessDeniedException");
      assertThat(e.awsErrorDetails().errorMessage()).startsWith("User: " + CAROL + " is not authorized to perform: ");
    });
  }

  /** A key, tagged Team=blue, whose policy gives the account root everything and Carol use under a condition. */
  private static String keyWith(String condition, String alias) {
    String policy = "{\"Version\":\"2012-10-17\",\"Statement\":["
        + "{\"Effect\":\"Allow\",\"Principal\":{\"AWS\":\"arn:aws:iam::" + ACCOUNT + ":root\"},\"Action\":\"kms:*\","
        + "\"Resource\":\"*\"},"
        + "{\"Effect\":\"Allow\",\"Principal\":{\"AWS\":\"" + CAROL + "\"},\"Action\":[\"kms:Encrypt\","
        + "\"kms:GenerateDataKey\",\"kms:DescribeKey\"],\"Resource\":\"*\",\"Condition\":" + condition + "}]}";
    String keyId = root.createKey(r -> r.policy(policy).tags(Tag.builder().tagKey("Team").tagValue("blue").build()))
        .keyMetadata().keyId();
    root.createAlias(r -> r.aliasName(alias).targetKeyId(keyId));
    return alias;
  }
}
