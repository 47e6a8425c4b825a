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
 * Grants without a principals file (every caller an account's root): who may retire a grant is
 * decided by the grant (AWS, "Retiring and revoking grants"), not the key policy, so another
 * account's root may retire a grant that names it, and no other; and a grant to another account
 * lets it use the key the key policy does not open to it, as grants work across accounts.
 */
class GrantsWithoutPrincipalsTest {
  private static final String OWNER = "111111111111";
  private static final String OTHER = "222222222222";
  private static final Map<String, String> T1 = Map.of("tenant", "t1");
  private final KmsBackend kms = new KmsBackend();
  private final Grants grants = new Grants(kms);

  private static RequestContext as(String account) {
    return new RequestContext("test", new Identity(account, "AKID" + account, "arn:aws:iam::" + account + ":root",
        "us-east-1"), Instant.parse("2026-01-01T00:00:00Z"), "127.0.0.1", "test");
  }

  /** A caller whose KMS request carries {@code context} (what a grant's constraint reads). */
  private static RequestContext as(String account, Map<String, String> context) {
    RequestContext plain = as(account);
    com.fasterxml.jackson.databind.node.ObjectNode input = dev.shunt.backend.core.Json.object();
    context.forEach(input.putObject("EncryptionContext")::put);
    return new RequestContext(plain.requestId(), plain.identity(), plain.now(), plain.sourceIp(), plain.userAgent(),
        plain.audit(), input);
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

  @Test
  void aGrantToAnotherAccountLetsItUseTheKey() {
    KmsKey key = kms.createKey(as(OWNER), null, null, Map.of());
    byte[] blob = kms.encrypt(as(OWNER), key.keyId, new byte[] {1}, Map.of("tenant", "t1"), null, null).ciphertext();
    AwsException refused = catchThrowableOfType(AwsException.class, () -> kms.decrypt(as(OTHER, T1), blob, key.arn,
        Map.of("tenant", "t1"), null, null));
    assertThat(refused.code()).isEqualTo("AccessDeniedException");
    grants.create(as(OWNER), key.keyId, "arn:aws:iam::" + OTHER + ":root", null, List.of("Decrypt"), null,
        Map.of("tenant", "t1"), List.of(), null, false);
    assertThat(kms.decrypt(as(OTHER, T1), blob, key.arn, T1, null, null).plaintext())
        .containsExactly(1);
    // Within the grant's constraint only, and only for its operations.
    assertThat(catchThrowableOfType(AwsException.class, () -> kms.decrypt(as(OTHER, Map.of()), blob, key.arn,
        Map.of(), null, null)).code()).isEqualTo("AccessDeniedException");
    assertThat(catchThrowableOfType(AwsException.class, () -> kms.describeKey(as(OTHER), key.arn)).code())
        .isEqualTo("AccessDeniedException");
  }
}
