package dev.shunt.examples.vault;

import static dev.shunt.junit5.ShuntAssertions.assertThat;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.shunt.junit5.Shunt;
import dev.shunt.junit5.ShuntTest;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.kms.KmsClient;
import software.amazon.awssdk.services.kms.model.KmsException;
import software.amazon.awssdk.services.secretsmanager.SecretsManagerClient;

/**
 * DocumentVault against an in-process Shunt: real KMS data keys and a real secret over HTTP, and
 * assertions on how the vault used them, which no mock would tell.
 */
@ShuntTest(seed = "vault-seed.yaml")
class DocumentVaultTest {
  private static final Map<String, String> ACME = Map.of("tenant", "acme", "purpose", "document");

  private DocumentVault vault;

  @BeforeEach
  void newVault(KmsClient kms, SecretsManagerClient secrets) {
    vault = new DocumentVault(kms, secrets, "alias/documents", "vault/index-key");
  }

  @Test
  void aTenantsDocumentsShareOneDataKeyAndTheIndexKeyIsReadOnce(Shunt shunt) {
    String invoice = vault.store("acme", "invoice 1", "Pay 100 EUR");
    vault.store("acme", "invoice 2", "Pay 250 EUR");
    vault.store("globex", "contract", "Terms");

    assertThat(vault.read("acme", invoice)).isEqualTo("Pay 100 EUR");
    assertThat(shunt.audit()).kms("GenerateDataKey").forKey("alias/documents").withEncryptionContext(ACME)
        .hasCountAtMost(1);
    assertThat(shunt.audit()).kms("GenerateDataKey").hasCount(2);
    assertThat(shunt.audit()).kms("Decrypt").forKey("alias/documents").withEncryptionContext(ACME).hasCount(1);
    assertThat(shunt.audit()).secrets("GetSecretValue").forSecret("vault/index-key").hasCount(1);
    assertThat(shunt.audit()).kms().byPrincipal(shunt.rootPrincipalArn()).failed().isEmpty();
  }

  @Test
  void oneTenantCannotReadAnothersDocument(Shunt shunt) {
    String contract = vault.store("globex", "contract", "Terms");
    KmsException refused = catchThrowableOfType(KmsException.class, () -> vault.read("acme", contract));
    assertThat(refused.awsErrorDetails().errorCode()).isEqualTo("InvalidCiphertextException");
    assertThat(shunt.audit()).kms("Decrypt").withEncryptionContext(ACME).failedWith("InvalidCiphertextException")
        .hasCount(1);
  }

  @Test
  void whenKmsThrottlesTheSdkRetriesAndTheVaultFailsLoudly(Shunt shunt) {
    shunt.quotas().rate("kms:GenerateDataKey", 0);
    KmsException throttled = catchThrowableOfType(KmsException.class,
        () -> vault.store("acme", "invoice 1", "Pay 100 EUR"));
    assertThat(throttled.awsErrorDetails().errorCode()).isEqualTo("ThrottlingException");
    assertThat(shunt.audit()).kms("GenerateDataKey").throttled().hasCount(throttled.numAttempts());
    assertThat(shunt.audit()).kms("GenerateDataKey").retries().hasCount(throttled.numAttempts() - 1);
  }
}
