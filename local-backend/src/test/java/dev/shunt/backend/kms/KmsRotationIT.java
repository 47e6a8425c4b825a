package dev.shunt.backend.kms;

import static dev.shunt.backend.AwsErrors.expectError;
import static org.assertj.core.api.Assertions.assertThat;

import dev.shunt.backend.BackendTest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.core.SdkBytes;
import software.amazon.awssdk.services.kms.model.GetKeyRotationStatusResponse;
import software.amazon.awssdk.services.kms.model.IncludeKeyMaterial;
import software.amazon.awssdk.services.kms.model.RotationType;
import software.amazon.awssdk.services.kms.model.RotationsListEntry;

/** Automatic and on-demand rotation: new material for new ciphertexts, old ciphertexts still decrypt. */
class KmsRotationIT extends BackendTest {

  private static String newKey() {
    return kms.createKey(r -> { }).keyMetadata().keyId();
  }

  private static SdkBytes encrypt(String keyId, String text) {
    return kms.encrypt(r -> r.keyId(keyId).plaintext(SdkBytes.fromUtf8String(text))).ciphertextBlob();
  }

  private static String materialOf(SdkBytes blob) {
    return kms.decrypt(r -> r.ciphertextBlob(blob)).keyMaterialId();
  }

  @Test
  void rotationIsOffUntilEnabled() {
    String id = newKey();
    GetKeyRotationStatusResponse off = kms.getKeyRotationStatus(r -> r.keyId(id));
    assertThat(off.keyRotationEnabled()).isFalse();
    assertThat(off.nextRotationDate()).isNull();

    kms.enableKeyRotation(r -> r.keyId(id).rotationPeriodInDays(90));
    GetKeyRotationStatusResponse on = kms.getKeyRotationStatus(r -> r.keyId(id));
    assertThat(on.keyRotationEnabled()).isTrue();
    assertThat(on.rotationPeriodInDays()).isEqualTo(90);
    assertThat(Duration.between(shunt.backend().clock().now(), on.nextRotationDate()).toDays()).isBetween(89L, 90L);
    kms.enableKeyRotation(r -> r.keyId(id));
    assertThat(kms.getKeyRotationStatus(r -> r.keyId(id)).rotationPeriodInDays()).isEqualTo(365);

    kms.disableKeyRotation(r -> r.keyId(id));
    assertThat(kms.getKeyRotationStatus(r -> r.keyId(id)).keyRotationEnabled()).isFalse();

    expectError("ValidationException", () -> kms.enableKeyRotation(r -> r.keyId(id).rotationPeriodInDays(89)));
    expectError("ValidationException", () -> kms.enableKeyRotation(r -> r.keyId(id).rotationPeriodInDays(2561)));
    kms.disableKey(r -> r.keyId(id));
    expectError("DisabledException", () -> kms.enableKeyRotation(r -> r.keyId(id)));
  }

  @Test
  void onDemandRotationGivesNewCiphertextsNewMaterialAndKeepsOldOnesReadable() {
    String id = newKey();
    SdkBytes before = encrypt(id, "before");
    String firstMaterial = materialOf(before);
    assertThat(kms.describeKey(r -> r.keyId(id)).keyMetadata().currentKeyMaterialId()).isEqualTo(firstMaterial);

    assertThat(kms.rotateKeyOnDemand(r -> r.keyId(id)).keyId()).endsWith(id);
    SdkBytes after = encrypt(id, "after");
    String secondMaterial = materialOf(after);
    assertThat(secondMaterial).isNotEqualTo(firstMaterial).matches("[0-9a-f]{64}");
    assertThat(kms.decrypt(r -> r.ciphertextBlob(before)).plaintext().asUtf8String()).isEqualTo("before");
    assertThat(kms.decrypt(r -> r.ciphertextBlob(after)).plaintext().asUtf8String()).isEqualTo("after");

    List<RotationsListEntry> rotations = kms.listKeyRotations(r -> r.keyId(id)).rotations();
    assertThat(rotations).singleElement().satisfies(rotation -> {
      assertThat(rotation.rotationType()).isEqualTo(RotationType.ON_DEMAND);
      assertThat(rotation.keyMaterialId()).isEqualTo(secondMaterial);
      assertThat(rotation.rotationDate()).isNotNull();
    });
    assertThat(kms.listKeyRotations(r -> r.keyId(id).includeKeyMaterial(IncludeKeyMaterial.ALL_KEY_MATERIAL))
        .rotations()).extracting(RotationsListEntry::keyMaterialId).containsExactly(firstMaterial, secondMaterial);

    kms.disableKey(r -> r.keyId(id));
    expectError("DisabledException", () -> kms.rotateKeyOnDemand(r -> r.keyId(id)));
  }

  @Test
  void automaticRotationHappensWhenTheClockPassesTheRotationDate() {
    String id = newKey();
    SdkBytes original = encrypt(id, "original");
    kms.enableKeyRotation(r -> r.keyId(id).rotationPeriodInDays(90));
    shunt.backend().clock().advance(Duration.ofDays(89));
    assertThat(materialOf(encrypt(id, "x"))).isEqualTo(materialOf(original));

    shunt.backend().clock().advance(Duration.ofDays(2));
    assertThat(materialOf(encrypt(id, "y"))).isNotEqualTo(materialOf(original));
    shunt.backend().clock().advance(Duration.ofDays(180));
    List<RotationsListEntry> rotations = kms.listKeyRotations(r -> r.keyId(id)).rotations();
    assertThat(rotations).hasSize(3).allSatisfy(r -> assertThat(r.rotationType()).isEqualTo(RotationType.AUTOMATIC));
    assertThat(kms.decrypt(r -> r.ciphertextBlob(original)).plaintext().asUtf8String()).isEqualTo("original");
  }

  @Test
  void listKeyRotationsPages() {
    String id = newKey();
    for (int i = 0; i < 5; i++) {
      kms.rotateKeyOnDemand(r -> r.keyId(id));
    }
    List<String> seen = new ArrayList<>();
    String marker = null;
    do {
      String current = marker;
      var page = kms.listKeyRotations(r -> r.keyId(id).limit(2).marker(current));
      page.rotations().forEach(rotation -> seen.add(rotation.keyMaterialId()));
      marker = page.nextMarker();
    } while (marker != null);
    assertThat(seen).hasSize(5).doesNotHaveDuplicates();
    expectError("InvalidMarkerException", () -> kms.listKeyRotations(r -> r.keyId(id).marker("nope")));
  }

  @Test
  void onDemandRotationsAreLimited() {
    String id = newKey();
    for (int i = 0; i < KmsBackend.MAX_ON_DEMAND_ROTATIONS; i++) {
      kms.rotateKeyOnDemand(r -> r.keyId(id));
    }
    expectError("LimitExceededException", () -> kms.rotateKeyOnDemand(r -> r.keyId(id)));
  }
}
