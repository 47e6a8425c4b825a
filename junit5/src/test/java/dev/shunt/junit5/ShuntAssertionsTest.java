package dev.shunt.junit5;

import static dev.shunt.junit5.ShuntAssertions.assertThat;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowable;

import java.util.Map;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.core.SdkBytes;
import software.amazon.awssdk.services.kms.KmsClient;
import software.amazon.awssdk.services.kms.model.DataKeySpec;
import software.amazon.awssdk.services.kms.model.NotFoundException;
import software.amazon.awssdk.services.secretsmanager.SecretsManagerClient;
import software.amazon.awssdk.services.ssm.SsmClient;

/** The assertions over real calls to a real backend: what they match, and what they say when they fail. */
@ShuntTest(seed = "shunt/seed.yaml")
class ShuntAssertionsTest {
  static final String KEY_ID = "1234abcd-12ab-34cd-56ef-1234567890ab";
  static final String KEY_ARN = "arn:aws:kms:us-east-1:000000000000:key/" + KEY_ID;
  static final String ROOT = "arn:aws:iam::000000000000:root";

  private static byte[] encrypt(KmsClient kms, Map<String, String> context) {
    return kms.encrypt(r -> r.keyId("alias/orders").plaintext(SdkBytes.fromUtf8String("secret data"))
        .encryptionContext(context)).ciphertextBlob().asByteArray();
  }

  private static void decrypt(KmsClient kms, byte[] ciphertext, Map<String, String> context) {
    kms.decrypt(r -> r.ciphertextBlob(SdkBytes.fromByteArray(ciphertext)).encryptionContext(context));
  }

  @Test
  void kmsCallsMatchByOperationKeyPrincipalAndEncryptionContext(KmsClient kms, Shunt shunt) {
    Map<String, String> context = Map.of("tenant", "acme", "purpose", "invoice");
    byte[] ciphertext = encrypt(kms, context);
    decrypt(kms, ciphertext, context);
    decrypt(kms, ciphertext, context);
    kms.generateDataKey(r -> r.keyId(KEY_ARN).keySpec(DataKeySpec.AES_256));

    ShuntAudit audit = shunt.audit();
    assertThat(audit).hasCount(4);
    assertThat(audit).kms("Decrypt").hasCount(2);
    for (String name : new String[] {"alias/orders", KEY_ID, KEY_ARN, "arn:aws:kms:us-east-1:000000000000:alias/orders"}) {
      assertThat(audit).as(name).kms("Decrypt").forKey(name).hasCount(2);
      assertThat(audit).as(name).kms().forKey(name).hasCount(4);
    }
    assertThat(audit).kms("Decrypt").forKey("alias/orders").byPrincipal(ROOT).withEncryptionContext(context)
        .hasCount(2);
    assertThat(audit).kms("Encrypt", "Decrypt").withEncryptionContextContaining(Map.of("tenant", "acme"))
        .hasCount(3).hasCountAtLeast(3).hasCountAtMost(3).exists();
    assertThat(audit).kms("Decrypt").withEncryptionContext(Map.of("tenant", "acme")).as("not exactly").isEmpty();
    assertThat(audit).kms("GenerateDataKey").withEncryptionContext(Map.of()).hasCount(1);
    assertThat(audit).kms("GenerateDataKey").hasCountAtMost(1);
    assertThat(audit).kms().byPrincipal("arn:aws:iam::111122223333:root").isEmpty();
    assertThat(audit).kms().byAccount("000000000000").inRegion("us-east-1").byAccessKey("test").succeeded()
        .count().isEqualTo(4);
    assertThat(audit).kms("Decrypt").calls().extracting(AuditCall::keyArn).containsOnly(KEY_ARN);
    assertThat(audit).kms().throttled().isEmpty();
    assertThat(audit).kms().retries().isEmpty();
    assertThat(audit).kms().firstAttempts().hasCount(4);
    assertThat(audit).matching("asking for a 32-byte key", call -> "AES_256".equals(call.parameter("keySpec")))
        .hasCount(1);
    assertThat(audit.calls()).allSatisfy(call -> {
      assertThat(call.invocationId()).isNotBlank();
      assertThat(call.attempt()).isEqualTo(1);
      assertThat(call.requestId()).isNotBlank();
    });
    assertThat(shunt).as("assertThat(shunt) is assertThat(shunt.audit())").kms("Decrypt").hasCount(2);
  }

  @Test
  void secretsAndParametersMatchByNameOrArnAndTheKmsCallsTheyMadeAreTheirs(SecretsManagerClient secrets,
      SsmClient ssm, Shunt shunt) {
    String arn = secrets.getSecretValue(r -> r.secretId("orders/db")).arn();
    secrets.getSecretValue(r -> r.secretId(arn));
    secrets.describeSecret(r -> r.secretId("orders/db"));
    ssm.getParameter(r -> r.name("/orders/batch-size"));
    ssm.getParameters(r -> r.names("/orders/batch-size", "/orders/missing"));

    ShuntAudit audit = shunt.audit();
    assertThat(audit).secrets("GetSecretValue").forSecret("orders/db").hasCount(2);
    assertThat(audit).secrets("GetSecretValue").forSecret(arn).hasCount(2);
    assertThat(audit).secrets().forSecret(arn.substring(0, arn.length() - 7)).as("partial ARN").hasCount(3);
    assertThat(audit).secrets().forSecret("orders/other").isEmpty();
    assertThat(audit).kms("Decrypt").invokedBy("secretsmanager").forKey("alias/aws/secretsmanager").hasCount(2);
    assertThat(audit).kms().direct().isEmpty();
    assertThat(audit).ssm("GetParameter").forParameter("/orders/batch-size").hasCount(1);
    assertThat(audit).ssm().forParameter("/orders/batch-size").hasCount(2);
    assertThat(audit).ssm().forParameter("/orders/missing").hasCount(1);
    assertThat(audit).ssm().forParameter("arn:aws:ssm:us-east-1:000000000000:parameter/orders/batch-size").hasCount(2);
  }

  @Test
  void aFailedCountSaysWhatWasExpectedAndListsTheCallsThatMatchedAndAllTheTestMade(KmsClient kms, Shunt shunt) {
    Map<String, String> context = Map.of("tenant", "acme");
    byte[] ciphertext = encrypt(kms, context);
    decrypt(kms, ciphertext, context);
    decrypt(kms, ciphertext, context);

    Throwable failure = catchThrowable(() -> assertThat(shunt.audit()).kms("Decrypt").forKey("alias/orders")
        .byPrincipal(ROOT).hasCount(1));
    assertThat(failure).isInstanceOf(AssertionError.class);
    String nl = System.lineSeparator();
    String decrypt = " kms:Decrypt key=" + KEY_ARN + " context={tenant=acme} by " + ROOT + " -> OK";
    assertThat(failure.getMessage()).isEqualTo(
        "Expected 1 call [KMS Decrypt, for key alias/orders (" + KEY_ARN + "), by " + ROOT + "] but found 2" + nl
        + "Matching calls:" + nl
        + "  #2" + decrypt + nl
        + "  #3" + decrypt + nl
        + "All 3 calls the test made:" + nl
        + "  #1 kms:Encrypt key=" + KEY_ARN + " context={tenant=acme} by " + ROOT + " -> OK" + nl
        + "  #2" + decrypt + nl
        + "  #3" + decrypt);
  }

  @Test
  void everyCountingAssertionExplainsItself(KmsClient kms, Shunt shunt) {
    encrypt(kms, Map.of());
    assertThatThrownBy(() -> kms.describeKey(r -> r.keyId("alias/missing"))).isInstanceOf(NotFoundException.class);
    ShuntAudit audit = shunt.audit();
    String all = "All 2 calls the test made:";
    String notFound = "#2 kms:DescribeKey keyId=alias/missing by " + ROOT + " -> NotFoundException";

    assertThatThrownBy(() -> assertThat(audit).kms("Decrypt").exists())
        .hasMessageStartingWith("Expected a call [KMS Decrypt] but found none")
        .hasMessageContaining(all).hasMessageContaining(notFound).hasMessageNotContaining("Matching calls");
    assertThatThrownBy(() -> assertThat(audit).kms().failed().isEmpty())
        .hasMessageStartingWith("Expected no call [KMS, failed] but found 1")
        .hasMessageContaining("Matching calls:" + System.lineSeparator() + "  " + notFound);
    assertThatThrownBy(() -> assertThat(audit).kms().hasCountAtMost(1))
        .hasMessageStartingWith("Expected at most 1 call [KMS] but found 2");
    assertThatThrownBy(() -> assertThat(audit).kms("Encrypt").hasCountAtLeast(2))
        .hasMessageStartingWith("Expected at least 2 calls [KMS Encrypt] but found 1");
    assertThatThrownBy(() -> assertThat(audit).kms().failedWith("NotFoundException").forKey("alias/missing")
        .hasCount(0)).hasMessageStartingWith("Expected 0 calls [KMS, failed with NotFoundException, for key"
            + " alias/missing (which names no key in 000000000000 us-east-1 now)] but found 1");
    assertThatThrownBy(() -> assertThat(audit).throttled().exists())
        .hasMessageStartingWith("Expected a call [throttled] but found none");
    assertThatThrownBy(() -> assertThat(audit).hasCount(5))
        .hasMessageStartingWith("Expected 5 calls (of any kind) but found 2");
    assertThatThrownBy(() -> assertThat(audit).kms("Encrypt").count().isGreaterThan(1))
        .hasMessageContaining("number of calls [KMS Encrypt]").hasMessageContaining(all)
        .hasMessageContaining("#1 kms:Encrypt key=" + KEY_ARN);
    assertThatThrownBy(() -> assertThat(audit).kms("Encrypt").calls().isEmpty())
        .hasMessageContaining("calls [KMS Encrypt]").hasMessageContaining(notFound);
    assertThatThrownBy(() -> assertThat(audit).as("the vault").kms("Encrypt").isEmpty())
        .as("the user's description comes first").hasMessageStartingWith("[the vault] Expected no call [KMS Encrypt]");
    assertThatThrownBy(() -> assertThat(audit).withFailMessage("the vault encrypted").kms("Encrypt").isEmpty())
        .hasMessage("the vault encrypted");
  }

  @Test
  void aTestThatMadeNoCallSaysSo(Shunt shunt) {
    assertThatThrownBy(() -> assertThat(shunt.audit()).kms("Decrypt").exists())
        .hasMessage("Expected a call [KMS Decrypt] but found none" + System.lineSeparator()
            + "The test made no call to Shunt.");
  }

  @Test
  void clearingTheAuditForgetsTheSetUp(KmsClient kms, Shunt shunt) {
    encrypt(kms, Map.of());
    shunt.clearAudit();
    kms.describeKey(r -> r.keyId("alias/orders"));
    assertThat(shunt.audit().calls()).singleElement().satisfies(call -> {
      assertThat(call.number()).isEqualTo(1);
      assertThat(call.operation()).isEqualTo("DescribeKey");
    });
  }
}
