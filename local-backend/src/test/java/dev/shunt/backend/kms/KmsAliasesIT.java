package dev.shunt.backend.kms;

import static dev.shunt.backend.AwsErrors.expectError;
import static dev.shunt.backend.AwsErrors.message;
import static org.assertj.core.api.Assertions.assertThat;

import dev.shunt.backend.BackendTest;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.core.SdkBytes;
import software.amazon.awssdk.services.kms.model.AliasListEntry;
import software.amazon.awssdk.services.kms.model.ListAliasesResponse;

/** CreateAlias, UpdateAlias, DeleteAlias and ListAliases, with AWS's naming rules. */
class KmsAliasesIT extends BackendTest {

  private static String newKey() {
    return kms.createKey(r -> { }).keyMetadata().keyId();
  }

  @Test
  void anAliasNamesItsKeyEverywhereAliasesAreAccepted() {
    String id = newKey();
    Instant before = Instant.now().minusSeconds(1);
    kms.createAlias(r -> r.aliasName("alias/orders").targetKeyId(id));
    AliasListEntry entry = kms.listAliases(r -> r.keyId(id)).aliases().get(0);
    assertThat(entry.aliasName()).isEqualTo("alias/orders");
    assertThat(entry.aliasArn()).isEqualTo("arn:aws:kms:us-east-1:000000000000:alias/orders");
    assertThat(entry.targetKeyId()).isEqualTo(id);
    assertThat(entry.creationDate()).isAfter(before);
    assertThat(entry.lastUpdatedDate()).isEqualTo(entry.creationDate());
    assertThat(kms.describeKey(r -> r.keyId("alias/orders")).keyMetadata().keyId()).isEqualTo(id);
    assertThat(kms.describeKey(r -> r.keyId(entry.aliasArn())).keyMetadata().keyId()).isEqualTo(id);
  }

  @Test
  void createAliasFollowsAwsNamingRules() {
    String id = newKey();
    var prefix = expectError("ValidationException", () -> kms.createAlias(r -> r.aliasName("orders").targetKeyId(id)));
    assertThat(message(prefix)).startsWith("Alias must start with the prefix \"alias/\".");
    expectError("NotAuthorizedException", () -> kms.createAlias(r -> r.aliasName("alias/aws/mine").targetKeyId(id)));
    var pattern = expectError("ValidationException", () -> kms.createAlias(r -> r.aliasName("alias/has space").targetKeyId(id)));
    assertThat(message(pattern)).isEqualTo("1 validation error detected: Value 'alias/has space' at 'aliasName' failed "
        + "to satisfy constraint: Member must satisfy regular expression pattern: ^[a-zA-Z0-9:/_-]+$");
    expectError("ValidationException", () -> kms.createAlias(r -> r.aliasName("alias/" + "a".repeat(251)).targetKeyId(id)));
    expectError("ValidationException", () -> kms.createAlias(r -> r.aliasName("alias/").targetKeyId(id)));

    kms.createAlias(r -> r.aliasName("alias/taken").targetKeyId(id));
    var taken = expectError("AlreadyExistsException", () -> kms.createAlias(r -> r.aliasName("alias/taken").targetKeyId(id)));
    assertThat(message(taken)).isEqualTo("An alias with the name arn:aws:kms:us-east-1:000000000000:alias/taken already exists");
    var toAlias = expectError("ValidationException", () -> kms.createAlias(r -> r.aliasName("alias/chain").targetKeyId("alias/taken")));
    assertThat(message(toAlias)).isEqualTo("Aliases must refer to keys. Not aliases");
    expectError("NotFoundException",
        () -> kms.createAlias(r -> r.aliasName("alias/ghost").targetKeyId("11111111-2222-3333-4444-555555555555")));

    kms.scheduleKeyDeletion(r -> r.keyId(id));
    expectError("KMSInvalidStateException", () -> kms.createAlias(r -> r.aliasName("alias/late").targetKeyId(id)));
  }

  /**
   * AWS: "alias/Service:Test contains invalid characters for an alias" (ValidationException) from
   * CreateAlias, recorded in hashicorp/terraform-provider-aws#12891; moto's CreateAlias/UpdateAlias
   * give the same. The model's pattern allows ':', so the wire layer alone would accept it. DeleteAlias
   * and KeyId references follow moto: no such alias can exist, so NotFoundException.
   */
  @Test
  void aliasNamesWithAColonAreRefusedWhenNamingAnAlias() {
    String id = newKey();
    var create = expectError("ValidationException", () -> kms.createAlias(r -> r.aliasName("alias/a:b").targetKeyId(id)));
    assertThat(message(create)).isEqualTo("alias/a:b contains invalid characters for an alias");
    kms.createAlias(r -> r.aliasName("alias/a").targetKeyId(id));
    var update = expectError("ValidationException", () -> kms.updateAlias(r -> r.aliasName("alias/a:b").targetKeyId(id)));
    assertThat(message(update)).isEqualTo("alias/a:b contains invalid characters for an alias");
    assertThat(kms.listAliases(r -> r.keyId(id)).aliases()).extracting(AliasListEntry::aliasName)
        .containsExactly("alias/a");

    var delete = expectError("NotFoundException", () -> kms.deleteAlias(r -> r.aliasName("alias/a:b")));
    assertThat(message(delete)).isEqualTo("Alias arn:aws:kms:us-east-1:000000000000:alias/a:b is not found.");
    var reference = expectError("NotFoundException",
        () -> kms.encrypt(r -> r.keyId("alias/a:b").plaintext(SdkBytes.fromUtf8String("x"))));
    assertThat(message(reference)).isEqualTo("Alias arn:aws:kms:us-east-1:000000000000:alias/a:b is not found.");
    expectError("NotFoundException",
        () -> kms.describeKey(r -> r.keyId("arn:aws:kms:us-east-1:000000000000:alias/a:b")));
  }

  @Test
  void updateAliasRepointsAndKeepsTheCreationDate() {
    String first = newKey();
    String second = newKey();
    kms.createAlias(r -> r.aliasName("alias/current").targetKeyId(first));
    SdkBytes blob = kms.encrypt(r -> r.keyId("alias/current").plaintext(SdkBytes.fromUtf8String("v1"))).ciphertextBlob();
    AliasListEntry before = kms.listAliases(r -> r.keyId(first)).aliases().get(0);
    shunt.backend().clock().advance(Duration.ofMinutes(5));

    kms.updateAlias(r -> r.aliasName("alias/current").targetKeyId(second));
    AliasListEntry after = kms.listAliases(r -> r.keyId(second)).aliases().get(0);
    assertThat(after.creationDate()).isEqualTo(before.creationDate());
    assertThat(after.lastUpdatedDate()).isAfter(before.lastUpdatedDate());
    assertThat(kms.encrypt(r -> r.keyId("alias/current").plaintext(SdkBytes.fromUtf8String("v2"))).keyId())
        .endsWith(second);
    // Old ciphertexts still name their own key.
    assertThat(kms.decrypt(r -> r.ciphertextBlob(blob)).keyId()).endsWith(first);

    expectError("NotFoundException", () -> kms.updateAlias(r -> r.aliasName("alias/missing").targetKeyId(second)));
    expectError("NotAuthorizedException", () -> kms.updateAlias(r -> r.aliasName("alias/aws/s3").targetKeyId(second)));
    expectError("ValidationException", () -> kms.updateAlias(r -> r.aliasName("alias/current").targetKeyId("alias/current")));
  }

  @Test
  void deleteAliasRemovesOnlyTheAlias() {
    String id = newKey();
    kms.createAlias(r -> r.aliasName("alias/short-lived").targetKeyId(id));
    kms.deleteAlias(r -> r.aliasName("alias/short-lived"));
    expectError("NotFoundException", () -> kms.describeKey(r -> r.keyId("alias/short-lived")));
    var again = expectError("NotFoundException", () -> kms.deleteAlias(r -> r.aliasName("alias/short-lived")));
    assertThat(message(again)).isEqualTo("Alias arn:aws:kms:us-east-1:000000000000:alias/short-lived is not found.");
    assertThat(kms.describeKey(r -> r.keyId(id)).keyMetadata().keyId()).isEqualTo(id);
    expectError("NotAuthorizedException", () -> kms.deleteAlias(r -> r.aliasName("alias/aws/ebs")));
  }

  @Test
  void listAliasesIncludesAwsManagedNamesAndPagesInOrder() {
    String id = newKey();
    for (int i = 0; i < 5; i++) {
      int n = i;
      kms.createAlias(r -> r.aliasName("alias/app-" + n).targetKeyId(id));
    }
    List<AliasListEntry> all = new ArrayList<>();
    String marker = null;
    do {
      String current = marker;
      ListAliasesResponse page = kms.listAliases(r -> r.limit(4).marker(current));
      assertThat(page.aliases()).hasSizeLessThanOrEqualTo(4);
      all.addAll(page.aliases());
      marker = page.nextMarker();
      assertThat(page.truncated()).isEqualTo(marker != null);
    } while (marker != null);
    List<String> names = all.stream().map(AliasListEntry::aliasName).toList();
    assertThat(names).isSorted().doesNotHaveDuplicates()
        .contains("alias/app-0", "alias/app-4", "alias/aws/secretsmanager", "alias/aws/ssm");
    assertThat(all).filteredOn(a -> a.aliasName().startsWith("alias/aws/"))
        .allSatisfy(a -> assertThat(a.targetKeyId()).isNull());

    // Once an AWS managed key exists, its alias has a target.
    String managed = kms.describeKey(r -> r.keyId("alias/aws/ssm")).keyMetadata().keyId();
    assertThat(kms.listAliases(r -> r.limit(100)).aliases()).filteredOn(a -> a.aliasName().equals("alias/aws/ssm"))
        .singleElement().satisfies(a -> assertThat(a.targetKeyId()).isEqualTo(managed));

    assertThat(kms.listAliases(r -> r.keyId(id)).aliases()).hasSize(5);
    expectError("NotFoundException", () -> kms.listAliases(r -> r.keyId("11111111-2222-3333-4444-555555555555")));
  }

  @Test
  void aKeyHasAtMostFiftyAliases() {
    String id = newKey();
    for (int i = 0; i < 50; i++) {
      int n = i;
      kms.createAlias(r -> r.aliasName("alias/many-" + n).targetKeyId(id));
    }
    expectError("LimitExceededException", () -> kms.createAlias(r -> r.aliasName("alias/one-too-many").targetKeyId(id)));
  }
}
