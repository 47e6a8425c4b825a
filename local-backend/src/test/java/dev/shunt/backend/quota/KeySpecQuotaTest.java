package dev.shunt.backend.quota;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.shunt.backend.auth.AwsRegions;
import dev.shunt.backend.core.Json;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * AWS charges RSA, ECC (and SM2) and ML-DSA keys' cryptographic requests to shared quotas by key
 * type, not by operation. Until asymmetric keys exist in Shunt, the choice is tested here with a
 * stand-in for KMS's key lookup.
 */
class KeySpecQuotaTest {
  private static final String ACCOUNT = "111122223333";
  private static final Map<String, String> SPECS = Map.of("rsa-key", "RSA_2048", "ecc-key", "ECC_NIST_P256",
      "sm2-key", "SM2", "mldsa-key", "ML_DSA_65", "hmac-key", "HMAC_256");
  private final AtomicInteger lookups = new AtomicInteger();
  private final KmsKeySpecs keySpecs = (account, region, keyId) -> {
    lookups.incrementAndGet();
    return SPECS.get(keyId);
  };

  private QuotaEngine engine(String rates) {
    QuotaConfig config = QuotaConfig.parse(Json.parseRequest(("{\"rates\": " + rates + "}")
        .getBytes(StandardCharsets.UTF_8)));
    return new QuotaEngine(config, (a, r) -> false, AwsRegions.published(), keySpecs);
  }

  private static ObjectNode key(String member, String keyId) {
    return Json.object().put(member, keyId);
  }

  @Test
  void keySpecsMapToTheirSharedQuotas() {
    assertThat(AwsQuotaTable.keySpecGroup("RSA_4096")).isEqualTo(AwsQuotaTable.KMS_RSA);
    assertThat(AwsQuotaTable.keySpecGroup("ECC_SECG_P256K1")).isEqualTo(AwsQuotaTable.KMS_ECC);
    assertThat(AwsQuotaTable.keySpecGroup("SM2")).isEqualTo(AwsQuotaTable.KMS_ECC);
    assertThat(AwsQuotaTable.keySpecGroup("ML_DSA_44")).isEqualTo(AwsQuotaTable.KMS_ML_DSA);
    assertThat(AwsQuotaTable.keySpecGroup("SYMMETRIC_DEFAULT")).isNull();
    assertThat(AwsQuotaTable.keySpecGroup("HMAC_256")).isNull();
    assertThat(AwsQuotaTable.keySpecGroup(null)).isNull();
    assertThat(AwsQuotaTable.defaultRate(AwsQuotaTable.KMS_RSA, "us-east-1")).isEqualTo(1000);
    assertThat(AwsQuotaTable.defaultRate(AwsQuotaTable.KMS_ECC, "us-east-1")).isEqualTo(1000);
    assertThat(AwsQuotaTable.defaultRate(AwsQuotaTable.KMS_ML_DSA, "us-east-1")).isEqualTo(1000);
  }

  @Test
  void anRsaKeysRequestsCountAgainstTheRsaQuotaNotTheSymmetricOne() {
    QuotaEngine engine = engine("{\"kms:rsa\": 2, \"kms:symmetric\": 1}");
    assertThat(engine.acquire(ACCOUNT, "us-east-1", "kms", "Encrypt", key("KeyId", "rsa-key"))).isTrue();
    assertThat(engine.acquire(ACCOUNT, "us-east-1", "kms", "Decrypt", key("KeyId", "rsa-key"))).isTrue();
    // Sign and ReEncrypt (by its source key) share the RSA bucket, now empty.
    assertThat(engine.acquire(ACCOUNT, "us-east-1", "kms", "Sign", key("KeyId", "rsa-key"))).isFalse();
    assertThat(engine.acquire(ACCOUNT, "us-east-1", "kms", "ReEncrypt", key("SourceKeyId", "rsa-key"))).isFalse();
    // The symmetric bucket was not touched; a symmetric (or HMAC) key's request uses it.
    assertThat(engine.acquire(ACCOUNT, "us-east-1", "kms", "Encrypt", key("KeyId", "symmetric-key"))).isTrue();
    assertThat(engine.acquire(ACCOUNT, "us-east-1", "kms", "GenerateMac", key("KeyId", "hmac-key"))).isFalse();
  }

  @Test
  void eccSm2AndMlDsaKeysHaveQuotasOfTheirOwn() {
    QuotaEngine engine = engine("{\"kms:ecc\": 2, \"kms:ml-dsa\": 1}");
    assertThat(engine.acquire(ACCOUNT, "us-east-1", "kms", "Sign", key("KeyId", "ecc-key"))).isTrue();
    assertThat(engine.acquire(ACCOUNT, "us-east-1", "kms", "Decrypt", key("KeyId", "sm2-key"))).isTrue();
    assertThat(engine.acquire(ACCOUNT, "us-east-1", "kms", "DeriveSharedSecret", key("KeyId", "ecc-key"))).isFalse();
    assertThat(engine.acquire(ACCOUNT, "us-east-1", "kms", "Verify", key("KeyId", "mldsa-key"))).isTrue();
    assertThat(engine.acquire(ACCOUNT, "us-east-1", "kms", "Sign", key("KeyId", "mldsa-key"))).isFalse();
    // Sign with a key that is not asymmetric (the operation will refuse it) is charged to no quota.
    for (int i = 0; i < 5; i++) {
      assertThat(engine.acquire(ACCOUNT, "us-east-1", "kms", "Sign", key("KeyId", "unknown-key"))).isTrue();
    }
  }

  @Test
  void anOperationGivenItsOwnRateKeepsItWhateverTheKeyAndIsNotLookedUp() {
    QuotaEngine engine = engine("{\"kms:Encrypt\": 1, \"kms:rsa\": 100}");
    assertThat(engine.acquire(ACCOUNT, "us-east-1", "kms", "Encrypt", key("KeyId", "rsa-key"))).isTrue();
    assertThat(engine.acquire(ACCOUNT, "us-east-1", "kms", "Encrypt", key("KeyId", "rsa-key"))).isFalse();
    assertThat(lookups).hasValue(0);
    // Operations AWS does not charge by key type never ask.
    engine.acquire(ACCOUNT, "us-east-1", "kms", "GenerateDataKey", key("KeyId", "rsa-key"));
    engine.acquire(ACCOUNT, "us-east-1", "kms", "DescribeKey", key("KeyId", "rsa-key"));
    assertThat(lookups).hasValue(0);
  }
}
