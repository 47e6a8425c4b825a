package dev.shunt.backend.kms;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.shunt.backend.auth.Identity;
import dev.shunt.backend.auth.policy.AccessRequest;
import dev.shunt.backend.audit.AuditFacts;
import dev.shunt.backend.core.Json;
import dev.shunt.backend.core.RequestContext;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The operation-specific condition keys a KMS request carries, as AWS's "AWS KMS condition keys" lists them. */
class KmsConditionKeysTest {
  private static final String ACCOUNT = "111122223333";
  private final KmsBackend kms = new KmsBackend();
  private final RequestContext ctx = new RequestContext("test", new Identity(ACCOUNT, "AKIDTEST",
      "arn:aws:iam::" + ACCOUNT + ":root", "us-east-1"), Instant.parse("2026-01-01T00:00:00Z"), "127.0.0.1", "test");
  private final KmsKey key = kms.createKey(ctx, null, null, Map.of());

  private static final KmsConditionKeys.Lookup LOOKUP = new KmsConditionKeys.Lookup() {
    @Override
    public List<String> aliasesOf(KmsKey key) {
      return List.of("alias/orders", "alias/billing");
    }

    @Override
    public String keyArnFor(String accountId, String region, String keyId) {
      return keyId.startsWith("alias/same") ? "SAME" : null;
    }
  };

  private static ObjectNode json(String text) {
    try {
      return (ObjectNode) Json.readTree(text);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private AccessRequest forKey(String action, String input, String viaService) {
    return request(key, action, input, viaService, new AuditFacts());
  }

  private AccessRequest request(KmsKey on, String action, String input, String viaService, AuditFacts audit) {
    RequestContext request = new RequestContext("test", ctx.identity(), ctx.now(), ctx.sourceIp(), ctx.userAgent(),
        audit, input == null ? null : json(input));
    return AccessRequest.builder(ctx.identity().principalArn(), ACCOUNT, "kms:" + action, on == null ? "*" : on.arn)
        .source(new KmsConditionKeys(request, on, action, viaService, LOOKUP)).build();
  }

  @Test
  void createGrantCarriesItsGrant() {
    AccessRequest request = forKey("CreateGrant", "{\"GranteePrincipal\":\"arn:aws:iam::" + ACCOUNT
        + ":user/bob\",\"RetiringPrincipal\":\"arn:aws:iam::" + ACCOUNT + ":user/carol\",\"Operations\":"
        + "[\"Decrypt\",\"Encrypt\",\"Decrypt\"],\"Constraints\":{\"EncryptionContextSubset\":{\"tenant\":\"t1\"}}}",
        null);
    assertThat(request.values("kms:GrantOperations")).containsExactly("Decrypt", "Encrypt");
    assertThat(request.values("kms:GranteePrincipal")).containsExactly("arn:aws:iam::" + ACCOUNT + ":user/bob");
    assertThat(request.values("kms:RetiringPrincipal")).containsExactly("arn:aws:iam::" + ACCOUNT + ":user/carol");
    assertThat(request.values("kms:GrantConstraintType")).containsExactly("EncryptionContextSubset");
    assertThat(request.values("kms:EncryptionContext:tenant")).containsExactly("t1");
    assertThat(request.values("kms:EncryptionContextKeys")).containsExactly("tenant");
    assertThat(request.values("kms:GrantIsForAWSResource")).containsExactly("false");
  }

  @Test
  void aGrantWithoutRetiringPrincipalOrConstraintLacksThoseKeys() {
    AccessRequest request = forKey("CreateGrant", "{\"GranteePrincipal\":\"x\",\"Operations\":[\"Decrypt\"]}",
        null);
    assertThat(request.values("kms:RetiringPrincipal")).isNull();
    assertThat(request.values("kms:GrantConstraintType")).isNull();
    assertThat(request.values("kms:EncryptionContextKeys")).isNull();
  }

  @Test
  void grantIsForAwsResourceWhenAServiceAsks() {
    for (String action : List.of("CreateGrant", "ListGrants", "RevokeGrant")) {
      assertThat(forKey(action, "{}", "secretsmanager").values("kms:GrantIsForAWSResource"))
          .containsExactly("true");
      assertThat(forKey(action, "{}", null).values("kms:GrantIsForAWSResource")).containsExactly("false");
    }
    assertThat(forKey("Decrypt", "{}", "secretsmanager").values("kms:GrantIsForAWSResource")).isNull();
  }

  @Test
  void tagsAndAliasesAndTheKeysMultiRegionKind() {
    AccessRequest tag = forKey("TagResource", "{\"Tags\":[{\"TagKey\":\"team\",\"TagValue\":\"a\"},"
        + "{\"TagKey\":\"cost\",\"TagValue\":\"1\"}]}", null);
    assertThat(tag.values("aws:RequestTag/team")).containsExactly("a");
    assertThat(tag.values("aws:RequestTag/cost")).containsExactly("1");
    assertThat(tag.values("aws:TagKeys")).containsExactly("team", "cost");
    AccessRequest untag = forKey("UntagResource", "{\"TagKeys\":[\"a\",\"b\",\"a\"]}", null);
    assertThat(untag.values("aws:TagKeys")).containsExactly("a", "b");
    assertThat(untag.values("aws:RequestTag/a")).isNull();
    assertThat(tag.values("kms:ResourceAliases")).containsExactly("alias/orders", "alias/billing");
    assertThat(tag.values("kms:MultiRegion")).containsExactly("false");
    assertThat(tag.values("kms:MultiRegionKeyType")).isNull();

    KmsKey primary = kms.createKey(ctx, null, null, Map.of(), KeySpec.named("SYMMETRIC_DEFAULT"), "ENCRYPT_DECRYPT",
        "AWS_KMS", true);
    AccessRequest multi = request(primary, "DescribeKey", null, null, new AuditFacts());
    assertThat(multi.values("kms:MultiRegion")).containsExactly("true");
    assertThat(multi.values("kms:MultiRegionKeyType")).containsExactly("PRIMARY");
  }

  @Test
  void operationParametersWithTheirDefaults() {
    assertThat(forKey("Sign", "{\"SigningAlgorithm\":\"ECDSA_SHA_256\"}", null).values("kms:MessageType"))
        .containsExactly("RAW");
    assertThat(forKey("Verify", "{\"SigningAlgorithm\":\"ECDSA_SHA_256\",\"MessageType\":\"DIGEST\"}", null)
        .values("kms:MessageType")).containsExactly("DIGEST");
    assertThat(forKey("Sign", "{\"SigningAlgorithm\":\"ECDSA_SHA_256\"}", null).values("kms:SigningAlgorithm"))
        .containsExactly("ECDSA_SHA_256");
    assertThat(forKey("GenerateMac", "{\"MacAlgorithm\":\"HMAC_SHA_256\"}", null).values("kms:MacAlgorithm"))
        .containsExactly("HMAC_SHA_256");
    assertThat(forKey("DeriveSharedSecret", "{\"KeyAgreementAlgorithm\":\"ECDH\"}", null)
        .values("kms:KeyAgreementAlgorithm")).containsExactly("ECDH");
    assertThat(forKey("GenerateDataKeyPair", "{\"KeyPairSpec\":\"RSA_2048\"}", null)
        .values("kms:DataKeyPairSpec")).containsExactly("RSA_2048");
    assertThat(forKey("EnableKeyRotation", "{}", null).values("kms:RotationPeriodInDays")).containsExactly("365");
    assertThat(forKey("EnableKeyRotation", "{\"RotationPeriodInDays\":90}", null)
        .values("kms:RotationPeriodInDays")).containsExactly("90");
    assertThat(forKey("ScheduleKeyDeletion", "{}", null).values("kms:ScheduleKeyDeletionPendingWindowInDays"))
        .containsExactly("30");
    assertThat(forKey("ScheduleKeyDeletion", "{\"PendingWindowInDays\":7}", null)
        .values("kms:ScheduleKeyDeletionPendingWindowInDays")).containsExactly("7");
    // The Null test of the parameter itself is what AWS documents for these two: no default.
    assertThat(forKey("PutKeyPolicy", "{}", null).values("kms:BypassPolicyLockoutSafetyCheck")).isNull();
    assertThat(forKey("PutKeyPolicy", "{\"BypassPolicyLockoutSafetyCheck\":true}", null)
        .values("kms:BypassPolicyLockoutSafetyCheck")).containsExactly("true");
    assertThat(forKey("ImportKeyMaterial", "{}", null).values("kms:ExpirationModel")).isNull();
    assertThat(forKey("ImportKeyMaterial", "{\"ExpirationModel\":\"KEY_MATERIAL_EXPIRES\",\"ValidTo\":"
        + "1546257599}", null).values("kms:ValidTo")).containsExactly("1546257599");
    AccessRequest wrapping = forKey("GetParametersForImport", "{\"WrappingAlgorithm\":\"RSAES_OAEP_SHA_256\","
        + "\"WrappingKeySpec\":\"RSA_4096\"}", null);
    assertThat(wrapping.values("kms:WrappingAlgorithm")).containsExactly("RSAES_OAEP_SHA_256");
    assertThat(wrapping.values("kms:WrappingKeySpec")).containsExactly("RSA_4096");
    assertThat(forKey("ReplicateKey", "{\"ReplicaRegion\":\"eu-west-1\"}", null).values("kms:ReplicaRegion"))
        .containsExactly("eu-west-1");
    assertThat(forKey("UpdatePrimaryRegion", "{\"PrimaryRegion\":\"eu-west-1\"}", null)
        .values("kms:PrimaryRegion")).containsExactly("eu-west-1");
    // The algorithm a symmetric key uses, named or not.
    assertThat(forKey("GenerateDataKey", "{}", null).values("kms:EncryptionAlgorithm"))
        .containsExactly("SYMMETRIC_DEFAULT");
    assertThat(forKey("DescribeKey", "{}", null).values("kms:EncryptionAlgorithm")).isNull();
  }

  @Test
  void reEncryptOnSameKey() {
    assertThat(forKey("ReEncryptFrom", "{\"DestinationKeyId\":\"alias/other\"}", null)
        .values("kms:ReEncryptOnSameKey")).containsExactly("false");
    // ReEncryptTo is decided once the source key is known (recorded for the audit).
    AuditFacts decrypted = new AuditFacts();
    decrypted.key(key.arn, key.keySpec, key.accountId, "ReEncrypt", null);
    assertThat(request(key, "ReEncryptTo", "{}", null, decrypted).values("kms:ReEncryptOnSameKey"))
        .containsExactly("true");
  }

  @Test
  void createKeyCarriesTheKeyItWouldMake() {
    AccessRequest plain = request(null, "CreateKey", "{\"Tags\":[{\"TagKey\":\"team\",\"TagValue\":\"payments\"}]}",
        null, new AuditFacts());
    assertThat(plain.values("kms:KeySpec")).containsExactly("SYMMETRIC_DEFAULT");
    assertThat(plain.values("kms:KeyUsage")).containsExactly("ENCRYPT_DECRYPT");
    assertThat(plain.values("kms:KeyOrigin")).containsExactly("AWS_KMS");
    assertThat(plain.values("kms:MultiRegion")).containsExactly("false");
    assertThat(plain.values("kms:MultiRegionKeyType")).isNull();
    assertThat(plain.values("kms:BypassPolicyLockoutSafetyCheck")).isNull();
    assertThat(plain.values("aws:RequestTag/team")).containsExactly("payments");
    assertThat(plain.values("aws:TagKeys")).containsExactly("team");

    AccessRequest asked = request(null, "CreateKey", "{\"CustomerMasterKeySpec\":\"RSA_2048\",\"KeyUsage\":"
        + "\"SIGN_VERIFY\",\"Origin\":\"EXTERNAL\",\"MultiRegion\":true,\"BypassPolicyLockoutSafetyCheck\":false}",
        null, new AuditFacts());
    assertThat(asked.values("kms:KeySpec")).containsExactly("RSA_2048");
    assertThat(asked.values("kms:CustomerMasterKeySpec")).containsExactly("RSA_2048");
    assertThat(asked.values("kms:KeyUsage")).containsExactly("SIGN_VERIFY");
    assertThat(asked.values("kms:KeyOrigin")).containsExactly("EXTERNAL");
    assertThat(asked.values("kms:MultiRegion")).containsExactly("true");
    assertThat(asked.values("kms:MultiRegionKeyType")).containsExactly("PRIMARY");
    assertThat(asked.values("kms:BypassPolicyLockoutSafetyCheck")).containsExactly("false");
    assertThat(asked.values("aws:TagKeys")).isNull();
  }
}
