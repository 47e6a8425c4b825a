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
 * Who may retire a grant without a principals file (every caller an account's root): the grant
 * decides (AWS, "Retiring and revoking grants"), not the key policy, so another account's root
 * may retire a grant that names it, and no other.
 */
class RetireGrantAuthorizationTest {
  private static final String OWNER = "111111111111";
  private static final String OTHER = "222222222222";
  private final KmsBackend kms = new KmsBackend();
  private final Grants grants = new Grants(kms);

  private static RequestContext as(String account) {
    return new RequestContext("test", new Identity(account, "AKID" + account, "arn:aws:iam::" + account + ":root",
        "us-east-1"), Instant.parse("2026-01-01T00:00:00Z"), "127.0.0.1", "test");
  }

  private Grants.Created grant(KmsKey key, String grantee, String retiring, List<String> operations) {
    return grants.create(as(OWNER), key.keyId, grantee, retiring, operations, null, null, List.of(), null, false);
  }

  @Test
  void anotherAccountRetiresOnlyTheGrantsThatNameIt() {
    KmsKey key = kms.createKey(as(OWNER), null, null, Map.of());
    String otherRoot = "arn:aws:iam::" + OTHER + ":root";
    Grants.Created retiring = grant(key, "arn:aws:iam::" + OWNER + ":role/app", otherRoot, List.of("Decrypt"));
    Grants.Created grantee = grant(key, otherRoot, null, List.of("Decrypt", "RetireGrant"));
    Grants.Created granteeOnly = grant(key, otherRoot, null, List.of("Decrypt"));
    Grants.Created unrelated = grant(key, "arn:aws:iam::" + OWNER + ":role/app", null, List.of("Decrypt"));

    grants.retire(as(OTHER), null, key.arn, retiring.grantId(), false);
    grants.retire(as(OTHER), grantee.grantToken(), null, null, false);
    for (Grants.Created refused : List.of(granteeOnly, unrelated)) {
      AwsException error = catchThrowableOfType(AwsException.class, () -> grants.retire(as(OTHER),
          refused.grantToken(), null, null, false));
      assertThat(error.code()).isEqualTo("AccessDeniedException");
      assertThat(error.getMessage()).contains("kms:RetireGrant").contains(key.arn);
    }
    // The key's own account retires any of them.
    grants.retire(as(OWNER), null, key.keyId, unrelated.grantId(), false);
    grants.retire(as(OWNER), granteeOnly.grantToken(), null, null, false);
    assertThat(kms.peekRegion(OWNER, "us-east-1").grants.all(null)).isEmpty();
  }
}
