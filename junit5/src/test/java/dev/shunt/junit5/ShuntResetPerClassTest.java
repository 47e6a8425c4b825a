package dev.shunt.junit5;

import static dev.shunt.junit5.ShuntAssertions.assertThat;
import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import software.amazon.awssdk.services.kms.KmsClient;

/** Reset.PER_CLASS: state made in @BeforeAll and by earlier tests stays; the audit is still each test's own. */
@ShuntTest(reset = Reset.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ShuntResetPerClassTest {
  private static String keyId;

  @BeforeAll
  static void createAKeyForTheClass(KmsClient kms) {
    keyId = kms.createKey(r -> r.description("for the class")).keyMetadata().keyId();
    kms.createAlias(r -> r.aliasName("alias/class").targetKeyId(keyId));
  }

  @Test
  @Order(1)
  void theClassesKeyIsThere(KmsClient kms, Shunt shunt) {
    assertThat(kms.describeKey(r -> r.keyId("alias/class")).keyMetadata().keyId()).isEqualTo(keyId);
    kms.createKey(r -> r.description("by the first test"));
    shunt.quotas().rate("kms:ListKeys", 0);
    assertThat(shunt.audit()).as("the @BeforeAll calls are not this test's").kms("CreateAlias").isEmpty();
    assertThat(shunt.audit()).kms("DescribeKey").forKey("alias/class").hasCount(1);
  }

  @Test
  @Order(2)
  void whatTheFirstTestMadeIsStillThere(KmsClient kms, Shunt shunt) {
    assertThat(kms.listKeys().keys()).as("ListKeys is not throttled: the quota was the first test's").hasSize(2);
    assertThat(shunt.audit()).kms().hasCount(1);
    shunt.reset();
    assertThat(kms.listKeys().keys()).as("a test may still reset when it wants to").isEmpty();
  }
}
