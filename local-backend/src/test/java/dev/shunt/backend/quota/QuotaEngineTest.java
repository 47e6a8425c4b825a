package dev.shunt.backend.quota;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.shunt.backend.core.Json;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class QuotaEngineTest {
  private static final ObjectNode NO_INPUT = Json.object();

  private static QuotaConfig config(String json) {
    return QuotaConfig.parse(Json.parseRequest(json.getBytes(StandardCharsets.UTF_8)));
  }

  @Test
  void aBucketHoldsOneSecondOfTheRateThenThrottles() {
    QuotaEngine engine = new QuotaEngine(config("{\"rates\": {\"kms:CreateKey\": 5}}"), (a, r) -> false);
    int accepted = 0;
    for (int i = 0; i < 6; i++) {
      accepted += engine.acquire("111122223333", "us-east-1", "kms", "CreateKey", NO_INPUT) ? 1 : 0;
    }
    assertThat(accepted).isEqualTo(5);
    // Another account, another Region: buckets of their own.
    assertThat(engine.acquire("444455556666", "us-east-1", "kms", "CreateKey", NO_INPUT)).isTrue();
    assertThat(engine.acquire("111122223333", "eu-west-1", "kms", "CreateKey", NO_INPUT)).isTrue();
  }

  @Test
  void ratesBeyondWhatABucketCanRefillLimitNothing() {
    QuotaEngine engine = new QuotaEngine(config("{\"scale\": 1e12}"), (a, r) -> false);
    for (int i = 0; i < 1000; i++) {
      assertThat(engine.acquire("111122223333", "us-east-1", "kms", "Encrypt", NO_INPUT)).isTrue();
    }
  }

  @Test
  void servicesWithTheSameOperationNameAreCountedApart() {
    QuotaEngine engine = new QuotaEngine(QuotaConfig.aws(), (a, r) -> false);
    engine.acquire("111122223333", "us-east-1", "kms", "TagResource", NO_INPUT);
    engine.acquire("111122223333", "us-east-1", "secretsmanager", "TagResource", NO_INPUT);
    engine.acquire("111122223333", "us-east-1", "secretsmanager", "TagResource", NO_INPUT);
    JsonNode usage = engine.report().get("usage");
    assertThat(usage).hasSize(2);
    for (JsonNode entry : usage) {
      boolean kms = entry.get("service").asText().equals("kms");
      assertThat(entry.get("accepted").asLong()).isEqualTo(kms ? 1 : 2);
      assertThat(entry.get("group").asText()).startsWith(kms ? "kms:" : "secretsmanager:");
    }
  }

  @Test
  void aNewConfigurationRegroupsOperationsAndRefillsBuckets() {
    QuotaEngine engine = new QuotaEngine(config("{\"rates\": {\"kms:symmetric\": 1}}"), (a, r) -> false);
    assertThat(engine.acquire("111122223333", "us-east-1", "kms", "Encrypt", NO_INPUT)).isTrue();
    assertThat(engine.acquire("111122223333", "us-east-1", "kms", "Encrypt", NO_INPUT)).isFalse();
    engine.configure(config("{\"rates\": {\"kms:symmetric\": 1, \"kms:Encrypt\": 2}}"));
    assertThat(engine.acquire("111122223333", "us-east-1", "kms", "Encrypt", NO_INPUT)).isTrue();
    assertThat(engine.acquire("111122223333", "us-east-1", "kms", "Encrypt", NO_INPUT)).isTrue();
    assertThat(engine.acquire("111122223333", "us-east-1", "kms", "Decrypt", NO_INPUT)).isTrue();
    assertThat(engine.report().get("usage").findValuesAsText("group")).contains("kms:Encrypt", "kms:symmetric");
  }

  @Test
  void theHighThroughputSettingSwitchesTheGroupOnTheNextRequest() {
    boolean[] on = {false};
    QuotaEngine engine = new QuotaEngine(QuotaConfig.aws(), (a, r) -> on[0]);
    engine.acquire("111122223333", "us-east-1", "ssm", "GetParameter", NO_INPUT);
    assertThat(engine.report().get("usage").get(0).get("quota").asDouble()).isEqualTo(40.0);
    on[0] = true;
    engine.acquire("111122223333", "us-east-1", "ssm", "GetParameter", NO_INPUT);
    assertThat(engine.report().get("usage").get(0).get("quota").asDouble()).isEqualTo(10_000.0);
  }
}
