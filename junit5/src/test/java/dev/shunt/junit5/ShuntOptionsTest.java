package dev.shunt.junit5;

import static dev.shunt.junit5.ShuntAssertions.assertThat;
import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.kms.KmsClient;
import software.amazon.awssdk.services.kms.model.DataKeySpec;

/**
 * Backend options through the annotation: another default account and Region, and a data-key
 * cache, whose hits the audit tells from the calls AWS would have seen.
 */
@ShuntTest(region = "eu-west-1", options = {"default-account=123456789012", "data-key-cache=on"})
class ShuntOptionsTest {
  @Test
  void theClientsWorkInTheAccountAndRegionGiven(KmsClient kms, Shunt shunt) {
    String arn = kms.createKey(r -> r.description("x")).keyMetadata().arn();
    assertThat(arn).startsWith("arn:aws:kms:eu-west-1:123456789012:key/");
    assertThat(shunt.accountId()).isEqualTo("123456789012");
    assertThat(shunt.region()).isEqualTo("eu-west-1");
    assertThat(shunt.keyArn(arn.substring(arn.lastIndexOf('/') + 1))).contains(arn);
    assertThat(shunt.audit()).kms("CreateKey").byPrincipal("arn:aws:iam::123456789012:root").inRegion("eu-west-1")
        .hasCount(1);
  }

  @Test
  void cachedDataKeysAreToldApartFromTheOnesAwsWouldHaveMade(KmsClient kms, Shunt shunt) {
    String keyId = kms.createKey(r -> r.description("envelope")).keyMetadata().keyId();
    for (int i = 0; i < 3; i++) {
      kms.generateDataKey(r -> r.keyId(keyId).keySpec(DataKeySpec.AES_256));
    }
    assertThat(shunt.audit()).kms("GenerateDataKey").hasCount(3);
    assertThat(shunt.audit()).kms("GenerateDataKey").notFromCache().hasCountAtMost(1);
    assertThat(shunt.audit()).kms("GenerateDataKey").fromCache().hasCount(2);
  }
}
