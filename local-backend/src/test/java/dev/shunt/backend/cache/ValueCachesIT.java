package dev.shunt.backend.cache;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import dev.shunt.backend.BackendFixture;
import dev.shunt.backend.ShuntBackend;
import dev.shunt.backend.core.Json;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.core.SdkBytes;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.kms.KmsClient;
import software.amazon.awssdk.services.kms.model.DisabledException;
import software.amazon.awssdk.services.secretsmanager.SecretsManagerClient;
import software.amazon.awssdk.services.secretsmanager.model.ResourceNotFoundException;
import software.amazon.awssdk.services.ssm.SsmClient;
import software.amazon.awssdk.services.ssm.model.ParameterType;

/** The Decrypt, GetSecretValue and Parameter Store caches: what hits, TTLs, and the writes that empty them. */
class ValueCachesIT {
  private static BackendFixture shunt;
  private static KmsClient kms;
  private static SecretsManagerClient sm;
  private static SsmClient ssm;

  @BeforeAll
  static void start() {
    shunt = BackendFixture.start(ShuntBackend.builder().option("decrypt-cache-ttl", "60s")
        .option("secret-cache-ttl", "on").option("parameter-cache-ttl", "30s"));
    kms = shunt.kms();
    sm = shunt.secrets();
    ssm = shunt.ssm();
  }

  @AfterAll
  static void stop() {
    kms.close();
    sm.close();
    ssm.close();
    shunt.close();
  }

  @BeforeEach
  void reset() throws Exception {
    shunt.backend().reset();
    shunt.post("/_shunt/faults", null, "[]");
  }

  private static JsonNode caches() throws Exception {
    return Json.readTree(shunt.get("/_shunt/quotas").body()).get("caches");
  }

  // ---- Decrypt ------------------------------------------------------------------------------

  @Test
  void aDecryptIsAnsweredFromTheCacheUntilItsKeyIsDisabled() throws Exception {
    String key = kms.createKey(r -> { }).keyMetadata().keyId();
    SdkBytes blob = kms.encrypt(r -> r.keyId(key).plaintext(SdkBytes.fromUtf8String("card"))
        .encryptionContext(Map.of("order", "1"))).ciphertextBlob();
    for (int i = 0; i < 3; i++) {
      assertThat(kms.decrypt(r -> r.ciphertextBlob(blob).encryptionContext(Map.of("order", "1"))).plaintext()
          .asUtf8String()).isEqualTo("card");
    }
    assertThat(caches().path("decrypts").get("hits").asLong()).isEqualTo(2);
    // Another context is another request: KMS refuses it, and the cache must not answer it.
    assertThatThrownBy(() -> kms.decrypt(r -> r.ciphertextBlob(blob).encryptionContext(Map.of("order", "2"))))
        .hasMessageContaining("InvalidCiphertextException");
    try (KmsClient other = shunt.kms("AKIDOTHER", Region.US_EAST_1)) {
      other.decrypt(r -> r.ciphertextBlob(blob).encryptionContext(Map.of("order", "1")));
    }
    assertThat(caches().path("decrypts").get("hits").asLong()).isEqualTo(2);
    kms.disableKey(r -> r.keyId(key));
    assertThatThrownBy(() -> kms.decrypt(r -> r.ciphertextBlob(blob).encryptionContext(Map.of("order", "1"))))
        .isInstanceOf(DisabledException.class);
  }

  @Test
  void aDecryptResultLivesItsTtl() throws Exception {
    String key = kms.createKey(r -> { }).keyMetadata().keyId();
    SdkBytes blob = kms.encrypt(r -> r.keyId(key).plaintext(SdkBytes.fromUtf8String("x"))).ciphertextBlob();
    kms.decrypt(r -> r.ciphertextBlob(blob));
    shunt.backend().clock().advance(Duration.ofSeconds(61));
    kms.decrypt(r -> r.ciphertextBlob(blob));
    JsonNode decrypts = caches().path("decrypts");
    assertThat(decrypts.get("hits").asLong()).isZero();
    assertThat(decrypts.get("misses").asLong()).isEqualTo(2);
  }

  // ---- GetSecretValue -----------------------------------------------------------------------

  @Test
  void aSecretValueIsCachedUntilAWriteThroughShuntChangesIt() throws Exception {
    var created = sm.createSecret(r -> r.name("app/db").secretString("v1"));
    assertThat(sm.getSecretValue(r -> r.secretId("app/db")).secretString()).isEqualTo("v1");
    assertThat(sm.getSecretValue(r -> r.secretId("app/db")).secretString()).isEqualTo("v1");
    assertThat(sm.getSecretValue(r -> r.secretId(created.arn())).secretString()).isEqualTo("v1");
    sm.putSecretValue(r -> r.secretId(created.arn()).secretString("v2"));
    assertThat(sm.getSecretValue(r -> r.secretId("app/db")).secretString()).isEqualTo("v2");
    assertThat(sm.getSecretValue(r -> r.secretId(created.arn())).secretString()).isEqualTo("v2");
    sm.updateSecretVersionStage(r -> r.secretId("app/db").versionStage("AWSCURRENT")
        .moveToVersionId(created.versionId()).removeFromVersionId(
            sm.describeSecret(d -> d.secretId("app/db")).versionIdsToStages().entrySet().stream()
                .filter(e -> e.getValue().contains("AWSCURRENT")).findFirst().orElseThrow().getKey()));
    assertThat(sm.getSecretValue(r -> r.secretId("app/db")).secretString()).isEqualTo("v1");
    sm.deleteSecret(r -> r.secretId("app/db").forceDeleteWithoutRecovery(true));
    assertThatThrownBy(() -> sm.getSecretValue(r -> r.secretId("app/db")))
        .isInstanceOf(ResourceNotFoundException.class);
    JsonNode secrets = caches().path("secrets");
    assertThat(secrets.get("hits").asLong()).isEqualTo(1);
    assertThat(secrets.get("costSavedUsd").asDouble()).isEqualTo(0.05 / 10_000);
  }

  @Test
  void aRotationRefreshesTheCachedValue() throws Exception {
    var created = sm.createSecret(r -> r.name("app/rotated").secretString("before"));
    assertThat(sm.getSecretValue(r -> r.secretId("app/rotated")).secretString()).isEqualTo("before");
    String version = sm.rotateSecret(r -> r.secretId(created.arn())
        .rotationLambdaARN("arn:aws:lambda:us-east-1:000000000000:function:builtin")).versionId();
    Instant deadline = Instant.now().plusSeconds(20);
    while (!Json.readTree(shunt.get("/_shunt/rotations").body()).path("lastRotations").has(created.arn())) {
      assertThat(Instant.now()).isBefore(deadline);
      Thread.sleep(20);
    }
    var current = sm.getSecretValue(r -> r.secretId("app/rotated"));
    assertThat(current.versionId()).isEqualTo(version);
    assertThat(current.secretString()).isNotEqualTo("before");
  }

  @Test
  void anExpiredSecretIsServedStaleWhenItsRefreshFailsForAPassingReason() throws Exception {
    sm.createSecret(r -> r.name("app/stale").secretString("kept"));
    String get = "{\"SecretId\":\"app/stale\"}";
    shunt.post("/", "secretsmanager.GetSecretValue", get);
    shunt.post("/_shunt/faults", null, "[{\"operations\": \"secretsmanager:GetSecretValue\", "
        + "\"error\": {\"code\": \"InternalServiceError\", \"status\": 500}}]");
    // Fresh: served from the cache, the fault never reached.
    assertThat(shunt.post("/", "secretsmanager.GetSecretValue", get).headers().firstValue("x-shunt-cache"))
        .hasValue("hit");
    shunt.backend().clock().advance(Duration.ofSeconds(301));
    var stale = shunt.post("/", "secretsmanager.GetSecretValue", get);
    assertThat(stale.statusCode()).isEqualTo(200);
    assertThat(stale.headers().firstValue("x-shunt-cache")).hasValue("stale");
    assertThat(Json.readTree(stale.body()).get("SecretString").asText()).isEqualTo("kept");
    // An error that is not passing (the secret is gone) is the caller's answer.
    shunt.post("/_shunt/faults", null, "[{\"operations\": \"secretsmanager:GetSecretValue\", "
        + "\"error\": {\"code\": \"ResourceNotFoundException\", \"status\": 400}}]");
    shunt.backend().clock().advance(Duration.ofSeconds(301));
    var gone = shunt.post("/", "secretsmanager.GetSecretValue", get);
    assertThat(gone.statusCode()).isEqualTo(400);
    assertThat(gone.body()).contains("ResourceNotFoundException");
    assertThat(caches().path("secrets").get("staleHits").asLong()).isEqualTo(1);
  }

  // ---- Parameter Store ----------------------------------------------------------------------

  @Test
  void parametersAreCachedUntilAWriteChangesThem() throws Exception {
    ssm.putParameter(r -> r.name("/app/url").value("http://a").type(ParameterType.STRING));
    ssm.putParameter(r -> r.name("/app/pool").value("5").type(ParameterType.STRING));
    assertThat(ssm.getParameter(r -> r.name("/app/url")).parameter().value()).isEqualTo("http://a");
    assertThat(ssm.getParameter(r -> r.name("/app/url")).parameter().value()).isEqualTo("http://a");
    assertThat(ssm.getParametersByPath(r -> r.path("/app")).parameters()).hasSize(2);
    assertThat(ssm.getParameters(r -> r.names("/app/url", "/app/pool")).parameters()).hasSize(2);
    assertThat(caches().path("parameters").get("hits").asLong()).isEqualTo(1);

    ssm.putParameter(r -> r.name("/app/url").value("http://b").type(ParameterType.STRING).overwrite(true));
    assertThat(ssm.getParameter(r -> r.name("/app/url")).parameter().value()).isEqualTo("http://b");
    assertThat(ssm.getParameters(r -> r.names("/app/url", "/app/pool")).parameters())
        .anySatisfy(p -> assertThat(p.value()).isEqualTo("http://b"));
    ssm.putParameter(r -> r.name("/app/new").value("n").type(ParameterType.STRING));
    assertThat(ssm.getParametersByPath(r -> r.path("/app")).parameters()).hasSize(3);
    ssm.deleteParameter(r -> r.name("/app/pool"));
    assertThat(ssm.getParameters(r -> r.names("/app/url", "/app/pool")).invalidParameters()).containsExactly("/app/pool");
  }

  @Test
  void aWriteUnderTheOtherSpellingOfAOneLevelNameEmptiesItsEntry() {
    // "plain" and "/plain" are one parameter in Parameter Store.
    ssm.putParameter(r -> r.name("plain").value("1").type(ParameterType.STRING));
    assertThat(ssm.getParameter(r -> r.name("/plain")).parameter().value()).isEqualTo("1");
    ssm.putParameter(r -> r.name("plain").value("2").type(ParameterType.STRING).overwrite(true));
    assertThat(ssm.getParameter(r -> r.name("/plain")).parameter().value()).isEqualTo("2");
  }

  @Test
  void aParameterLivesItsTtl() throws Exception {
    ssm.putParameter(r -> r.name("ttl").value("1").type(ParameterType.STRING));
    ssm.getParameter(r -> r.name("ttl"));
    shunt.backend().clock().advance(Duration.ofSeconds(29));
    ssm.getParameter(r -> r.name("ttl"));
    shunt.backend().clock().advance(Duration.ofSeconds(2));
    ssm.getParameter(r -> r.name("ttl"));
    JsonNode parameters = caches().path("parameters");
    assertThat(parameters.get("hits").asLong()).isEqualTo(1);
    assertThat(parameters.get("misses").asLong()).isEqualTo(2);
  }
}
