package dev.shunt.junit5;

import static dev.shunt.junit5.ShuntAssertions.assertThat;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** How a call reads in a failure message, and what a long or truncated audit says, on calls made by hand. */
class ShuntAuditFormatTest {
  private static final String ROOT = "arn:aws:iam::000000000000:root";

  private static AuditCall call(int number, String service, String operation, Map<String, Object> parameters,
      String errorCode, String invokedBy, String cache, int attempt) {
    return new AuditCall(number, Instant.EPOCH, service, operation, ROOT, "000000000000", "test", "us-east-1", null,
        null, null, List.of(), Map.of(), parameters, errorCode, null, invokedBy, cache, "id-1", attempt, "req-1");
  }

  private static ShuntAudit audit(List<AuditCall> calls, boolean truncated) {
    return new ShuntAudit(calls, truncated, 100, (account, region, keyId) -> Optional.empty(), "000000000000",
        "us-east-1");
  }

  @Test
  void aCallSaysWhatItNamedWhoMadeItHowItEndedAndWhichAttemptItWas() {
    assertThat(call(7, "kms", "Decrypt", Map.of("keyId", "alias/orders"), "ThrottlingException", null, null, 3)
        .describe()).isEqualTo("#7 kms:Decrypt keyId=alias/orders by " + ROOT + " -> ThrottlingException (attempt 3)");
    assertThat(call(1, "kms", "Decrypt", Map.of(), null, "secretsmanager.amazonaws.com", null, 0).describe())
        .isEqualTo("#1 kms:Decrypt by " + ROOT + " via secretsmanager.amazonaws.com -> OK");
    assertThat(call(2, "secretsmanager", "GetSecretValue", Map.of("secretId", "orders/db"), null, null, "hit", 1)
        .describe()).isEqualTo("#2 secretsmanager:GetSecretValue secretId=orders/db by " + ROOT + " [cache hit] -> OK");
    assertThat(call(3, "ssm", "GetParameters", Map.of("names", List.of("/a", "/b")), null, null, null, 1).describe())
        .isEqualTo("#3 ssm:GetParameters names=[/a, /b] by " + ROOT + " -> OK");
  }

  @Test
  void aLongAuditListsFiftyCallsAndCountsTheRest() {
    List<AuditCall> calls = new ArrayList<>();
    for (int i = 1; i <= 60; i++) {
      calls.add(call(i, "kms", "GenerateRandom", Map.of(), null, null, null, 1));
    }
    assertThatThrownBy(() -> assertThat(audit(calls, false)).kms("GenerateRandom").isEmpty())
        .hasMessageContaining("#50 kms:GenerateRandom").hasMessageNotContaining("#51 ")
        .hasMessageContaining("  ... and 10 more");
  }

  @Test
  void aTruncatedAuditSaysOlderCallsAreMissingAndHowToKeepThem() {
    assertThatThrownBy(() -> assertThat(audit(List.of(call(1, "kms", "Encrypt", Map.of(), null, null, null, 1)), true))
        .kms("Decrypt").exists()).hasMessageEndingWith("(Older calls fell out of the audit, which keeps the last 100;"
            + " raise the audit-recent option.)");
  }

  @Test
  void aNullAuditFailsAsAssertJDoes() {
    assertThatThrownBy(() -> assertThat((ShuntAudit) null).kms().isEmpty()).hasMessageContaining("Expecting actual not to be null");
  }
}
