package dev.shunt.backend.kms;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.shunt.backend.auth.Identity;
import dev.shunt.backend.core.AwsException;
import dev.shunt.backend.core.RequestContext;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * KMS's resource quotas "grants per KMS key: 50,000" and "grants for a given principal per KMS
 * key: 500", on the domain directly (fifty thousand CreateGrant calls over HTTP would make a slow
 * test): another key or another grantee has its own, and a revoked, retired or deleted grant frees
 * its place.
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
    // A hundred grantees of 500 grants each: the per-key quota is reached before any grantee's.
    String first = create(key, grantee(0)).grantId();
    for (int i = 1; i < Grants.MAX_GRANTS_PER_KEY; i++) {
      create(key, grantee(i % 100));
    }
    AwsException error = catchThrowableOfType(AwsException.class, () -> create(key, grantee(100)));
    assertThat(error.code()).isEqualTo("LimitExceededException");
    assertThat(error.getMessage()).contains("(50000)");

    KmsKey other = kms.createKey(ctx, null, null, Map.of());
    create(other, grantee(0));
    grants.revoke(ctx, key.keyId, first, false);
    create(key, grantee(100));
    assertThat(catchThrowableOfType(AwsException.class, () -> create(key, grantee(101))).code())
        .isEqualTo("LimitExceededException");
  }

  @Test
  void aGranteeHoldsFiveHundredGrantsOnAKey() {
    KmsKey key = kms.createKey(ctx, null, null, Map.of());
    String first = create(key, GRANTEE).grantId();
    for (int i = 1; i < Grants.MAX_GRANTS_PER_GRANTEE; i++) {
      create(key, GRANTEE);
    }
    AwsException error = catchThrowableOfType(AwsException.class, () -> create(key, GRANTEE));
    assertThat(error.code()).isEqualTo("LimitExceededException");
    assertThat(error.getMessage()).contains("(500)").contains(GRANTEE).contains(key.arn);
    // Another grantee on the same key, and the same grantee on another key, have their own.
    create(key, grantee(1));
    KmsKey other = kms.createKey(ctx, null, null, Map.of());
    create(other, GRANTEE);
    // A session of the role is another principal: it does not count against the role's grants.
    create(key, "arn:aws:sts::" + ACCOUNT + ":assumed-role/app/nightly");

    // Revoking one frees a place, and so does retiring one.
    grants.revoke(ctx, key.keyId, first, false);
    String second = create(key, GRANTEE).grantId();
    assertThat(catchThrowableOfType(AwsException.class, () -> create(key, GRANTEE)).code())
        .isEqualTo("LimitExceededException");
    grants.retire(ctx, null, key.keyId, second, false);
    create(key, GRANTEE);
  }

  @Test
  void aRetryByNameIsTheSameGrantEvenWhenTheGranteeIsFull() {
    KmsKey key = kms.createKey(ctx, null, null, Map.of());
    Grants.Created named = grants.create(ctx, key.keyId, GRANTEE, null, List.of("Decrypt"), null, null, List.of(),
        "retry", false);
    for (int i = 1; i < Grants.MAX_GRANTS_PER_GRANTEE; i++) {
      create(key, GRANTEE);
    }
    Grants.Created again = grants.create(ctx, key.keyId, GRANTEE, null, List.of("Decrypt"), null, null, List.of(),
        "retry", false);
    assertThat(again.grantId()).isEqualTo(named.grantId());
  }

  @Test
  void aDeletedKeyTakesItsGrantsAndTheirCountsWithIt() {
    KmsKey key = kms.createKey(ctx, null, null, Map.of());
    for (int i = 0; i < 3; i++) {
      create(key, GRANTEE);
    }
    GrantTable table = kms.peekRegion(ACCOUNT, "us-east-1").grants;
    assertThat(table.ofGrantee(key.keyId, GRANTEE)).hasSize(3);
    assertThat(table.countOf(key.keyId)).isEqualTo(3);
    kms.scheduleKeyDeletion(ctx, key.keyId, 7);
    // The key goes once its waiting period is over (the next look at it sees that).
    RequestContext later = new RequestContext("later", ctx.identity(), ctx.now().plus(Duration.ofDays(8)),
        "127.0.0.1", "test");
    assertThat(kms.peekRegion(ACCOUNT, "us-east-1").key(key.keyId, later.now())).isNull();
    assertThat(table.ofGrantee(key.keyId, GRANTEE)).isEmpty();
    assertThat(table.countOf(key.keyId)).isZero();
    assertThat(table.all(null)).isEmpty();
  }

  @Test
  void grantsReloadedFromAStoreCountAgainstTheQuota() {
    KmsKey key = kms.createKey(ctx, null, null, Map.of());
    for (int i = 0; i < Grants.MAX_GRANTS_PER_GRANTEE - 1; i++) {
      create(key, GRANTEE);
    }
    // Export every document and load them into a fresh backend, keys before their grants (as a store does).
    List<String[]> kinds = new java.util.ArrayList<>();
    List<com.fasterxml.jackson.databind.node.ObjectNode> docs = new java.util.ArrayList<>();
    dev.shunt.backend.store.SecretFields secrets = dev.shunt.backend.store.SecretFields.plain(null);
    kms.stateSection().export(ACCOUNT, "us-east-1", secrets, (kind, doc) -> {
      kinds.add(new String[] {kind});
      docs.add(doc);
    });
    KmsBackend reloaded = new KmsBackend();
    for (String kind : List.of("keys", "grants")) {
      for (int i = 0; i < docs.size(); i++) {
        if (kinds.get(i)[0].equals(kind)) {
          reloaded.stateSection().load(ACCOUNT, "us-east-1", kind, docs.get(i), secrets);
        }
      }
    }
    Grants again = new Grants(reloaded);
    again.create(ctx, key.keyId, GRANTEE, null, List.of("Decrypt"), null, null, List.of(), null, false);
    assertThat(catchThrowableOfType(AwsException.class, () -> again.create(ctx, key.keyId, GRANTEE, null,
        List.of("Decrypt"), null, null, List.of(), null, false)).code()).isEqualTo("LimitExceededException");
  }

  @Test
  void operationsAreASetAndAHugeRepeatedListStoresOne() {
    KmsKey key = kms.createKey(ctx, null, null, Map.of());
    List<String> repeated = new java.util.ArrayList<>();
    for (int i = 0; i < 100_000; i++) {
      repeated.add(i % 2 == 0 ? "Decrypt" : "Encrypt");
    }
    String id = grants.create(ctx, key.keyId, GRANTEE, null, repeated, null, null, List.of(), null, false).grantId();
    assertThat(kms.peekRegion(ACCOUNT, "us-east-1").grants.byId(id).operations()).containsExactly("Decrypt",
        "Encrypt");
  }

  private static String grantee(int i) {
    return "arn:aws:iam::" + ACCOUNT + ":role/app-" + i;
  }

  private Grants.Created create(KmsKey key, String grantee) {
    return grants.create(ctx, key.keyId, grantee, null, List.of("Decrypt"), null, null, List.of(), null, false);
  }
}
