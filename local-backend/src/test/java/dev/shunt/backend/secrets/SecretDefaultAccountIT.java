package dev.shunt.backend.secrets;

import static org.assertj.core.api.Assertions.assertThat;

import dev.shunt.backend.BackendFixture;
import dev.shunt.backend.ShuntBackend;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.secretsmanager.SecretsManagerClient;

/**
 * Suites written against other emulators often expect the account 123456789012 in ARNs: the
 * README's {@code default-account} option gives it to access keys that are not 12 digits.
 */
class SecretDefaultAccountIT {

  @Test
  void defaultAccountOptionPutsThatAccountInArns() {
    try (BackendFixture shunt = BackendFixture.start(ShuntBackend.builder().option("default-account", "123456789012"));
        SecretsManagerClient sm = shunt.secrets()) {
      String arn = sm.createSecret(r -> r.name("app/db").secretString("v")).arn();
      assertThat(arn).startsWith("arn:aws:secretsmanager:us-east-1:123456789012:secret:app/db-");
      assertThat(sm.describeSecret(r -> r.secretId(arn)).arn()).isEqualTo(arn);
    }
  }
}
