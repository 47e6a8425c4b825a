package dev.shunt.backend.kms;

import static org.assertj.core.api.Assertions.assertThat;

import dev.shunt.backend.auth.Identity;
import dev.shunt.backend.core.RequestContext;
import java.time.Instant;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The quota engine's key-spec question, answered by KMS: null (charge by operation) for symmetric
 * and unknown keys however they are named, without making state for accounts it is asked about.
 * (Asymmetric keys, whose spec it returns, arrive on another branch; KeySpecQuotaTest covers the
 * groups they map to.)
 */
class KeySpecForQuotaTest {
  private static final String ACCOUNT = "555555555555";
  private final KmsBackend kms = new KmsBackend();
  private final RequestContext ctx = new RequestContext("test", new Identity(ACCOUNT, "AKIDTEST",
      "arn:aws:iam::" + ACCOUNT + ":root", "us-east-1"), Instant.parse("2026-01-01T00:00:00Z"), "127.0.0.1", "test");

  @Test
  void symmetricAndUnknownKeysAreChargedByOperation() {
    KmsKey key = kms.createKey(ctx, null, null, Map.of());
    new KmsAliases(kms).createAlias(ctx, "alias/orders", key.keyId);
    assertThat(kms.keySpecForQuota(ACCOUNT, "us-east-1", key.keyId)).isNull();
    assertThat(kms.keySpecForQuota(ACCOUNT, "us-east-1", key.arn)).isNull();
    assertThat(kms.keySpecForQuota(ACCOUNT, "us-east-1", "alias/orders")).isNull();
    assertThat(kms.keySpecForQuota(ACCOUNT, "us-east-1", "not a key")).isNull();
    assertThat(kms.peekRegion(ACCOUNT, "us-east-1").nonSymmetricKeys).hasValue(0);

    assertThat(kms.keySpecForQuota("999999999999", "us-east-1",
        "arn:aws:kms:us-east-1:888888888888:key/11111111-2222-3333-4444-555555555555")).isNull();
    assertThat(kms.peekRegion("888888888888", "us-east-1")).isNull();
    assertThat(kms.peekRegion("999999999999", "us-east-1")).isNull();
  }
}
