package dev.shunt.backend.kms;

import static dev.shunt.backend.AwsErrors.expectError;
import static dev.shunt.backend.AwsErrors.message;
import static org.assertj.core.api.Assertions.assertThat;

import dev.shunt.backend.BackendTest;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.kms.model.CreateGrantResponse;
import software.amazon.awssdk.services.kms.model.GrantListEntry;
import software.amazon.awssdk.services.kms.model.GrantOperation;
import software.amazon.awssdk.services.kms.model.KeyMetadata;
import software.amazon.awssdk.services.kms.model.ListGrantsResponse;
import software.amazon.awssdk.services.kms.model.ListRetirableGrantsResponse;

/** CreateGrant, ListGrants, ListRetirableGrants, RetireGrant and RevokeGrant: storage, listing and KMS's errors. */
class KmsGrantsIT extends BackendTest {
  private static final String GRANTEE = "arn:aws:iam::000000000000:role/service-role/orders";
  private static final String RETIRER = "arn:aws:iam::000000000000:role/cleaner";

  private static KeyMetadata newKey() {
    return kms.createKey(r -> r.description("grants test")).keyMetadata();
  }

  private static CreateGrantResponse grant(String keyId, GrantOperation... operations) {
    return kms.createGrant(r -> r.keyId(keyId).granteePrincipal(GRANTEE).operations(operations));
  }

  @Test
  void aGrantIsListedInAwsShape() {
    KeyMetadata key = newKey();
    Instant before = Instant.now().minusSeconds(1);
    CreateGrantResponse created = kms.createGrant(r -> r.keyId(key.keyId()).granteePrincipal(GRANTEE)
        .retiringPrincipal(RETIRER).name("orders-decrypt")
        .operations(GrantOperation.DECRYPT, GrantOperation.GENERATE_DATA_KEY)
        .constraints(c -> c.encryptionContextSubset(Map.of("tenant", "a"))));
    assertThat(created.grantId()).matches("[0-9a-f]{64}");
    assertThat(created.grantToken()).isNotBlank();

    List<GrantListEntry> grants = kms.listGrants(r -> r.keyId(key.keyId())).grants();
    assertThat(grants).hasSize(1);
    GrantListEntry grant = grants.get(0);
    assertThat(grant.keyId()).isEqualTo(key.arn());
    assertThat(grant.grantId()).isEqualTo(created.grantId());
    assertThat(grant.name()).isEqualTo("orders-decrypt");
    assertThat(grant.granteePrincipal()).isEqualTo(GRANTEE);
    assertThat(grant.retiringPrincipal()).isEqualTo(RETIRER);
    assertThat(grant.issuingAccount()).isEqualTo("arn:aws:iam::000000000000:root");
    assertThat(grant.operations()).containsExactly(GrantOperation.DECRYPT, GrantOperation.GENERATE_DATA_KEY);
    assertThat(grant.constraints().encryptionContextSubset()).isEqualTo(Map.of("tenant", "a"));
    assertThat(grant.constraints().hasEncryptionContextEquals()).isFalse();
    assertThat(grant.creationDate()).isBetween(before, Instant.now().plusSeconds(1));
  }

  @Test
  void aRetryWithTheSameNameAndParametersReturnsTheSameGrantWithANewToken() {
    KeyMetadata key = newKey();
    CreateGrantResponse first = kms.createGrant(r -> r.keyId(key.keyId()).granteePrincipal(GRANTEE).name("retry")
        .operations(GrantOperation.ENCRYPT, GrantOperation.DECRYPT));
    CreateGrantResponse again = kms.createGrant(r -> r.keyId(key.arn()).granteePrincipal(GRANTEE).name("retry")
        .operations(GrantOperation.DECRYPT, GrantOperation.ENCRYPT));
    assertThat(again.grantId()).isEqualTo(first.grantId());
    assertThat(again.grantToken()).isNotEqualTo(first.grantToken());

    // The same name with other parameters, or no name, is another grant.
    CreateGrantResponse other = kms.createGrant(r -> r.keyId(key.keyId()).granteePrincipal(GRANTEE).name("retry")
        .operations(GrantOperation.DECRYPT));
    String unnamed1 = grant(key.keyId(), GrantOperation.DECRYPT).grantId();
    String unnamed2 = grant(key.keyId(), GrantOperation.DECRYPT).grantId();
    assertThat(List.of(first.grantId(), other.grantId(), unnamed1, unnamed2)).doesNotHaveDuplicates();
    assertThat(kms.listGrants(r -> r.keyId(key.keyId())).grants()).hasSize(4);
  }

  @Test
  void listGrantsFiltersByGrantIdAndGranteeAndPagesInCreationOrder() {
    KeyMetadata key = newKey();
    List<String> ids = new ArrayList<>();
    for (int i = 0; i < 5; i++) {
      ids.add(grant(key.keyId(), GrantOperation.DECRYPT).grantId());
    }
    String other = kms.createGrant(r -> r.keyId(key.keyId()).granteePrincipal("arn:aws:iam::000000000000:user/bob")
        .operations(GrantOperation.DESCRIBE_KEY)).grantId();

    assertThat(kms.listGrants(r -> r.keyId(key.keyId()).grantId(ids.get(2))).grants())
        .extracting(GrantListEntry::grantId).containsExactly(ids.get(2));
    assertThat(kms.listGrants(r -> r.keyId(key.keyId()).granteePrincipal("arn:aws:iam::000000000000:user/bob"))
        .grants()).extracting(GrantListEntry::grantId).containsExactly(other);

    List<String> seen = new ArrayList<>();
    String marker = null;
    int pages = 0;
    do {
      String from = marker;
      ListGrantsResponse page = kms.listGrants(r -> r.keyId(key.keyId()).limit(2).marker(from));
      page.grants().forEach(g -> seen.add(g.grantId()));
      assertThat(page.truncated()).isEqualTo(page.nextMarker() != null);
      marker = page.nextMarker();
      pages++;
    } while (marker != null);
    ids.add(other);
    assertThat(seen).isEqualTo(ids);
    assertThat(pages).isEqualTo(3);

    expectError("InvalidMarkerException", () -> kms.listGrants(r -> r.keyId(key.keyId()).marker("garbage")));
  }

  @Test
  void listRetirableGrantsFindsTheRetiringPrincipalsGrantsOnEveryKey() {
    KeyMetadata key1 = newKey();
    KeyMetadata key2 = newKey();
    grant(key1.keyId(), GrantOperation.DECRYPT);
    String onKey1 = kms.createGrant(r -> r.keyId(key1.keyId()).granteePrincipal(GRANTEE).retiringPrincipal(RETIRER)
        .operations(GrantOperation.DECRYPT)).grantId();
    String onKey2 = kms.createGrant(r -> r.keyId(key2.keyId()).granteePrincipal(GRANTEE).retiringPrincipal(RETIRER)
        .operations(GrantOperation.ENCRYPT)).grantId();
    kms.createGrant(r -> r.keyId(key2.keyId()).granteePrincipal(GRANTEE)
        .retiringPrincipal("arn:aws:iam::000000000000:role/other").operations(GrantOperation.ENCRYPT));

    List<GrantListEntry> retirable = kms.listRetirableGrants(r -> r.retiringPrincipal(RETIRER)).grants();
    assertThat(retirable).extracting(GrantListEntry::grantId).containsExactlyInAnyOrder(onKey1, onKey2);
    assertThat(retirable).extracting(GrantListEntry::keyId).containsExactlyInAnyOrder(key1.arn(), key2.arn());

    ListRetirableGrantsResponse first = kms.listRetirableGrants(r -> r.retiringPrincipal(RETIRER).limit(1));
    assertThat(first.truncated()).isTrue();
    ListRetirableGrantsResponse second = kms.listRetirableGrants(r -> r.retiringPrincipal(RETIRER).limit(1)
        .marker(first.nextMarker()));
    assertThat(second.truncated()).isFalse();
    assertThat(List.of(first.grants().get(0).grantId(), second.grants().get(0).grantId()))
        .containsExactlyInAnyOrder(onKey1, onKey2);
  }

  @Test
  void retireGrantByTokenOrByKeyAndGrantId() {
    KeyMetadata key = newKey();
    CreateGrantResponse byToken = grant(key.keyId(), GrantOperation.DECRYPT);
    CreateGrantResponse byId = grant(key.keyId(), GrantOperation.ENCRYPT);
    String kept = grant(key.keyId(), GrantOperation.DESCRIBE_KEY).grantId();

    kms.retireGrant(r -> r.grantToken(byToken.grantToken()));
    kms.retireGrant(r -> r.keyId(key.arn()).grantId(byId.grantId()));
    assertThat(kms.listGrants(r -> r.keyId(key.keyId())).grants()).extracting(GrantListEntry::grantId)
        .containsExactly(kept);

    assertThat(message(expectError("NotFoundException", () -> kms.retireGrant(r -> r.grantToken(
        byToken.grantToken()))))).isEqualTo("Grant ID " + byToken.grantId() + " not found");
    expectError("InvalidGrantTokenException", () -> kms.retireGrant(r -> r.grantToken("not-a-grant-token")));
    expectError("ValidationException", () -> kms.retireGrant(r -> r.grantId(kept)));
  }

  @Test
  void revokeGrantRemovesItAndRefusesUnknownOrForeignGrantIds() {
    KeyMetadata key = newKey();
    KeyMetadata other = newKey();
    String grantId = grant(key.keyId(), GrantOperation.DECRYPT).grantId();
    String otherGrant = grant(other.keyId(), GrantOperation.DECRYPT).grantId();

    expectError("InvalidGrantIdException", () -> kms.revokeGrant(r -> r.keyId(key.keyId()).grantId(otherGrant)));
    expectError("InvalidGrantIdException", () -> kms.listGrants(r -> r.keyId(key.keyId()).grantId(otherGrant)));
    kms.revokeGrant(r -> r.keyId(key.keyId()).grantId(grantId));
    assertThat(kms.listGrants(r -> r.keyId(key.keyId())).grants()).isEmpty();
    assertThat(message(expectError("NotFoundException", () -> kms.revokeGrant(r -> r.keyId(key.keyId())
        .grantId(grantId))))).isEqualTo("Grant ID " + grantId + " not found");
    assertThat(kms.listGrants(r -> r.keyId(other.keyId())).grants()).hasSize(1);
  }

  @Test
  void operationsTheKeyCannotPerformAreRefused() {
    KeyMetadata key = newKey();
    assertThat(message(expectError("ValidationException", () -> grant(key.keyId(), GrantOperation.DECRYPT,
        GrantOperation.SIGN)))).contains("Sign");
    expectError("ValidationException", () -> grant(key.keyId(), GrantOperation.GENERATE_MAC));
    assertThat(kms.listGrants(r -> r.keyId(key.keyId())).grants()).isEmpty();
  }

  @Test
  void createGrantFollowsTheKeysState() {
    KeyMetadata key = newKey();
    expectError("NotFoundException", () -> grant("11111111-2222-3333-4444-555555555555", GrantOperation.DECRYPT));
    expectError("NotFoundException", () -> grant("alias/aws/ebs", GrantOperation.DECRYPT));
    kms.disableKey(r -> r.keyId(key.keyId()));
    expectError("DisabledException", () -> grant(key.keyId(), GrantOperation.DECRYPT));
    kms.scheduleKeyDeletion(r -> r.keyId(key.keyId()).pendingWindowInDays(7));
    expectError("KMSInvalidStateException", () -> grant(key.keyId(), GrantOperation.DECRYPT));
  }

  @Test
  void grantsGoWithTheirKey() {
    KeyMetadata key = newKey();
    kms.createGrant(r -> r.keyId(key.keyId()).granteePrincipal(GRANTEE).retiringPrincipal(RETIRER)
        .operations(GrantOperation.DECRYPT));
    kms.scheduleKeyDeletion(r -> r.keyId(key.keyId()).pendingWindowInDays(7));
    assertThat(kms.listRetirableGrants(r -> r.retiringPrincipal(RETIRER)).grants()).hasSize(1);
    shunt.backend().clock().advance(Duration.ofDays(8));
    expectError("NotFoundException", () -> kms.listGrants(r -> r.keyId(key.keyId())));
    assertThat(kms.listRetirableGrants(r -> r.retiringPrincipal(RETIRER)).grants()).isEmpty();
  }

  @Test
  void principalsAndGrantTokensAreChecked() {
    KeyMetadata key = newKey();
    expectError("InvalidArnException", () -> kms.createGrant(r -> r.keyId(key.keyId()).granteePrincipal("bob")
        .operations(GrantOperation.DECRYPT)));
    expectError("InvalidGrantTokenException", () -> kms.createGrant(r -> r.keyId(key.keyId())
        .granteePrincipal(GRANTEE).operations(GrantOperation.DECRYPT).grantTokens("forged")));
    // A service principal is a valid grantee, and a real token may be presented.
    String token = kms.createGrant(r -> r.keyId(key.keyId()).granteePrincipal("logs.us-east-1.amazonaws.com")
        .operations(GrantOperation.DECRYPT)).grantToken();
    grant(key.keyId(), GrantOperation.DECRYPT);
    kms.createGrant(r -> r.keyId(key.keyId()).granteePrincipal(GRANTEE).operations(GrantOperation.ENCRYPT)
        .grantTokens(token));
    assertThat(kms.listGrants(r -> r.keyId(key.keyId())).grants()).hasSize(3);
  }

  @Test
  void dryRunChecksAndChangesNothing() {
    KeyMetadata key = newKey();
    String grantId = grant(key.keyId(), GrantOperation.DECRYPT).grantId();
    expectError("DryRunOperationException", 412, () -> kms.createGrant(r -> r.keyId(key.keyId())
        .granteePrincipal(GRANTEE).operations(GrantOperation.ENCRYPT).dryRun(true)));
    expectError("DryRunOperationException", 412, () -> kms.revokeGrant(r -> r.keyId(key.keyId()).grantId(grantId)
        .dryRun(true)));
    expectError("DryRunOperationException", 412, () -> kms.retireGrant(r -> r.keyId(key.keyId()).grantId(grantId)
        .dryRun(true)));
    assertThat(kms.listGrants(r -> r.keyId(key.keyId())).grants()).extracting(GrantListEntry::grantId)
        .containsExactly(grantId);
  }
}
