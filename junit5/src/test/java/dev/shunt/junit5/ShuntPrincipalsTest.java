package dev.shunt.junit5;

import static dev.shunt.junit5.ShuntAssertions.assertThat;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import software.amazon.awssdk.awscore.exception.AwsServiceException;
import software.amazon.awssdk.core.SdkBytes;
import software.amazon.awssdk.services.kms.KmsClient;

/** A principals file and SigV4 checking: the clients act as IAM principals, and the audit names them. */
class ShuntPrincipalsTest {
  static final String ALICE = "arn:aws:iam::000000000000:user/alice";
  static final String REPORTING_ROLE = "arn:aws:iam::000000000000:role/batch/reporting";

  @RegisterExtension
  static ShuntExtension shunt = ShuntExtension.builder()
      .seed("shunt/seed.yaml")
      .principals("shunt/principals.yaml")
      .auth(Auth.SIGV4)
      .credentials("AKIAALICE", "alice-secret")
      .build();

  @Test
  void theAuditNamesEachPrincipalAndWhatItWasRefused(KmsClient alice,
      @ShuntClient(accessKeyId = "AKIAREPORTING", secretAccessKey = "reporting-secret") KmsClient reporting,
      Shunt shunt) {
    byte[] ciphertext = alice.encrypt(r -> r.keyId("alias/orders").plaintext(SdkBytes.fromUtf8String("report")))
        .ciphertextBlob().asByteArray();
    reporting.decrypt(r -> r.ciphertextBlob(SdkBytes.fromByteArray(ciphertext)));
    AwsServiceException denied = catchThrowableOfType(AwsServiceException.class,
        () -> reporting.encrypt(r -> r.keyId("alias/orders").plaintext(SdkBytes.fromUtf8String("x"))));
    assertThat(denied.awsErrorDetails().errorCode()).isEqualTo("AccessDeniedException");

    ShuntAudit audit = shunt.audit();
    assertThat(audit).kms("Encrypt").forKey("alias/orders").byPrincipal(ALICE).succeeded().hasCount(1);
    assertThat(audit).kms("Decrypt").forKey("alias/orders").byPrincipal(REPORTING_ROLE).hasCount(1);
    assertThat(audit).kms("Decrypt").byPrincipal("arn:aws:sts::000000000000:assumed-role/reporting/nightly")
        .hasCount(1);
    assertThat(audit).kms().byPrincipal(REPORTING_ROLE).failedWith("AccessDeniedException").hasCount(1);
    assertThat(audit).kms().byAccessKey("AKIAALICE").hasCount(1);
  }

  @Test
  void aWrongSecretIsRefusedAsAwsRefusesIt(@ShuntClient(secretAccessKey = "not-alices") KmsClient impostor) {
    AwsServiceException refused = catchThrowableOfType(AwsServiceException.class, impostor::listKeys);
    assertThat(refused.awsErrorDetails().errorCode()).isEqualTo("InvalidSignatureException");
  }

  @Test
  void theHandleTellsTheClientsCredentials(Shunt shunt) {
    assertThat(shunt.accessKeyId()).isEqualTo("AKIAALICE");
    assertThat(shunt.secretAccessKey()).isEqualTo("alice-secret");
  }
}
