package dev.shunt.junit5;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.kms.KmsClient;

/** @Nested classes share their enclosing class's backend, unless they say otherwise with a @ShuntTest of their own. */
@ShuntTest(seed = "shunt/seed.yaml")
class ShuntNestedTest {
  static URI outer;

  @Test
  void outerTest(URI endpoint) {
    outer = endpoint;
  }

  @Nested
  class Inner {
    @Test
    void sharesTheBackendAndItsSeed(URI endpoint, KmsClient kms) {
      if (outer != null) {
        assertThat(endpoint).isEqualTo(outer);
      }
      assertThat(kms.describeKey(r -> r.keyId("alias/orders")).keyMetadata().description()).isEqualTo("orders");
    }
  }

  @Nested
  @ShuntTest
  class WithSettingsOfItsOwn {
    @Test
    void hasABackendOfItsOwnWithoutTheSeed(KmsClient kms, Shunt shunt) {
      assertThat(kms.listKeys().keys()).isEmpty();
      assertThat(shunt.keyArn("alias/orders")).isEmpty();
    }
  }
}
