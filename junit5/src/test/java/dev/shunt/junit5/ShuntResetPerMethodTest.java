package dev.shunt.junit5;

import static dev.shunt.junit5.ShuntAssertions.assertThat;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import software.amazon.awssdk.services.kms.KmsClient;
import software.amazon.awssdk.services.kms.model.KmsException;
import software.amazon.awssdk.services.ssm.SsmClient;
import software.amazon.awssdk.services.ssm.model.ParameterType;

/** Reset.PER_METHOD (the default): each test starts from the seed alone, with the class's quotas and faults. */
@ShuntTest(seed = "shunt/seed.yaml")
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ShuntResetPerMethodTest {
  private static java.util.List<String> seededKeys;
  private static String createdInFirst;
  private static Instant clockInFirst;

  @Test
  @Order(1)
  void theFirstTestChangesEverything(KmsClient kms, SsmClient ssm, Shunt shunt) {
    seededKeys = kms.listKeys().keys().stream().map(k -> k.keyId()).toList();
    assertThat(seededKeys).as("the seed's key, and aws/secretsmanager's for the seed's secret")
        .hasSize(2).contains("1234abcd-12ab-34cd-56ef-1234567890ab");
    createdInFirst = kms.createKey(r -> r.description("first")).keyMetadata().keyId();
    kms.updateAlias(r -> r.aliasName("alias/orders").targetKeyId(createdInFirst));
    ssm.putParameter(r -> r.name("/orders/batch-size").value("99").type(ParameterType.STRING).overwrite(true));
    shunt.loadSeed("shunt/extra-seed.yaml");
    assertThat(ssm.getParameter(r -> r.name("/orders/extra")).parameter().value()).contains("loaded by a test");
    shunt.advanceClock(Duration.ofDays(30));
    clockInFirst = shunt.now();
    shunt.quotas().rate("kms:DescribeKey", 0);
    shunt.faults().add(Fault.on("ssm:GetParameter").error("InternalServerError"));
    assertThat(catchThrowableOfType(KmsException.class, () -> kms.describeKey(r -> r.keyId("alias/orders")))
        .awsErrorDetails().errorCode()).isEqualTo("ThrottlingException");
  }

  @Test
  @Order(2)
  void theNextStartsFromTheSeedAgain(KmsClient kms, SsmClient ssm, Shunt shunt) {
    assertThat(kms.listKeys().keys()).extracting(k -> k.keyId())
        .as("the seed's key and a new aws/secretsmanager key (AWS managed keys get fresh ids)")
        .hasSameSizeAs(seededKeys).contains("1234abcd-12ab-34cd-56ef-1234567890ab").doesNotContain(createdInFirst);
    assertThat(kms.describeKey(r -> r.keyId("alias/orders")).keyMetadata().keyId())
        .as("the seeded alias points where the seed says, and DescribeKey is no longer throttled")
        .isEqualTo("1234abcd-12ab-34cd-56ef-1234567890ab");
    assertThat(ssm.getParameter(r -> r.name("/orders/batch-size")).parameter().value())
        .as("no fault on GetParameter any more").isEqualTo("50");
    assertThat(ssm.getParametersByPath(r -> r.path("/orders")).parameters()).extracting(p -> p.name())
        .containsExactly("/orders/batch-size");
    assertThat(shunt.now()).isBefore(clockInFirst.minus(Duration.ofDays(29)));
    assertThat(shunt.audit()).as("only this test's calls").kms().hasCount(2);
  }
}
