package dev.shunt.backend.kms;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.shunt.backend.auth.Identity;
import dev.shunt.backend.core.AwsException;
import dev.shunt.backend.core.RequestContext;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * KMS's resource quota "grants per KMS key: 50,000", on the domain directly (fifty thousand
 * CreateGrant calls over HTTP would make a slow test): another key has its own, and a revoked
 * grant frees its place.
 */
class GrantLimitTest {
  private static final String ACCOUNT = "555555555555";
  private static final String GRANTEE = "arn:aws:iam::" + ACCOUNT + ":role/app";
  private final KmsBackend kms = new KmsBackend();
  private final Grants grants = new Grants(kms);
  private final RequestContext ctx = new RequestContext("test", new Identity(ACCOUNT, "AKIDTEST",
      "arn:aws:iam::" + ACCOUNT + ":root", "us-east-1"), Instant.parse("2026-01-01T00:00:00Z"), "127.0.0.1", "test");

  @Test
  void aKeyHoldsFiftyThousandGrants() {
    KmsKey key = kms.createKey(ctx, null, null, Map.of());
    String first = create(key).grantId();
    for (int i = 1; i < Grants.MAX_GRANTS_PER_KEY; i++) {
      create(key);
    }
    AwsException error = catchThrowableOfType(AwsException.class, () -> create(key));
    assertThat(error.code()).isEqualTo("LimitExceededException");

    KmsKey other = kms.createKey(ctx, null, null, Map.of());
    create(other);
    grants.revoke(ctx, key.keyId, first, false);
    create(key);
    assertThat(catchThrowableOfType(AwsException.class, () -> create(key)).code()).isEqualTo("LimitExceededException");
  }

  private Grants.Created create(KmsKey key) {
    return grants.create(ctx, key.keyId, GRANTEE, null, List.of("Decrypt"), null, null, List.of(), null, false);
  }
}
