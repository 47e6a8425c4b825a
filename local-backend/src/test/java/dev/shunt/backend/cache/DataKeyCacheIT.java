package dev.shunt.backend.cache;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import dev.shunt.backend.BackendFixture;
import dev.shunt.backend.ShuntBackend;
import dev.shunt.backend.core.Json;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.core.SdkBytes;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.kms.KmsClient;
import software.amazon.awssdk.services.kms.model.DataKeySpec;
import software.amazon.awssdk.services.kms.model.DisabledException;
import software.amazon.awssdk.services.kms.model.GenerateDataKeyRequest;
import software.amazon.awssdk.services.kms.model.GenerateDataKeyResponse;
import software.amazon.awssdk.services.kms.model.KmsInvalidStateException;

/** The data-key cache over real HTTP with the SDK: what hits, what never does, its bounds and what empties it. */
class DataKeyCacheIT {
  private static BackendFixture shunt;
  private static KmsClient kms;

  @BeforeAll
  static void start() {
    shunt = BackendFixture.start(ShuntBackend.builder().option("data-key-cache", "on")
        .option("data-key-cache-max-uses", "5").option("cache-max-entries", "20"));
    kms = shunt.kms();
  }

  @AfterAll
  static void stop() {
    kms.close();
    shunt.close();
  }

  @BeforeEach
  void reset() {
    shunt.backend().reset();
  }

  private static GenerateDataKeyResponse dataKey(KmsClient client, String keyId, Map<String, String> context) {
    return client.generateDataKey(GenerateDataKeyRequest.builder().keyId(keyId).keySpec(DataKeySpec.AES_256)
        .encryptionContext(context).build());
  }

  private static String newKey() {
    return kms.createKey(r -> { }).keyMetadata().keyId();
  }

  @Test
  void theSameRequestGetsTheSameDataKeyWhichDecryptsAndIsNotChargedToTheQuota() throws Exception {
    String key = newKey();
    GenerateDataKeyResponse first = dataKey(kms, key, Map.of("tenant", "a"));
    GenerateDataKeyResponse second = dataKey(kms, key, Map.of("tenant", "a"));
    assertThat(second.plaintext()).isEqualTo(first.plaintext());
    assertThat(second.ciphertextBlob()).isEqualTo(first.ciphertextBlob());
    assertThat(second.responseMetadata().requestId()).isNotEqualTo(first.responseMetadata().requestId());
    SdkBytes decrypted = kms.decrypt(r -> r.ciphertextBlob(second.ciphertextBlob())
        .encryptionContext(Map.of("tenant", "a"))).plaintext();
    assertThat(decrypted).isEqualTo(first.plaintext());

    JsonNode quotas = Json.readTree(shunt.get("/_shunt/quotas").body());
    JsonNode usage = usage(quotas, "GenerateDataKey");
    assertThat(usage.get("accepted").asLong()).isEqualTo(1);
    assertThat(usage.get("cached").asLong()).isEqualTo(1);
    JsonNode dataKeys = quotas.path("caches").path("dataKeys");
    assertThat(dataKeys.get("hits").asLong()).isEqualTo(1);
    assertThat(dataKeys.get("misses").asLong()).isEqualTo(1);
    assertThat(dataKeys.get("costSavedUsd").asDouble()).isEqualTo(0.03 / 10_000);
    assertThat(quotas.path("caches").path("decrypts").get("enabled").asBoolean()).isFalse();
  }

  @Test
  void aHitSaysSoInItsHeaderAndItsAuditRecordNamesTheKey() throws Exception {
    String key = newKey();
    String body = "{\"KeyId\":\"" + key + "\",\"NumberOfBytes\":32}";
    var miss = shunt.post("/", "TrentService.GenerateDataKey", body);
    var hit = shunt.post("/", "TrentService.GenerateDataKey", body);
    assertThat(miss.headers().firstValue("x-shunt-cache")).hasValue("miss");
    assertThat(hit.headers().firstValue("x-shunt-cache")).hasValue("hit");
    assertThat(hit.headers().firstValue("x-shunt-key-arn")).hasValueSatisfying(arn -> assertThat(arn).endsWith(key));
    JsonNode records = Json.readTree(shunt.get("/_shunt/audit?limit=2").body()).get("Records");
    assertThat(records.toString()).doesNotContain(Json.readTree(hit.body()).get("Plaintext").asText());
  }

  @Test
  void anotherCallerContextKeyOrSizeNeverHits() {
    String key = newKey();
    String other = newKey();
    GenerateDataKeyResponse base = dataKey(kms, key, Map.of("tenant", "a"));
    Set<SdkBytes> plaintexts = new HashSet<>();
    plaintexts.add(base.plaintext());
    plaintexts.add(dataKey(kms, key, Map.of("tenant", "b")).plaintext());
    plaintexts.add(dataKey(kms, key, Map.of()).plaintext());
    plaintexts.add(dataKey(kms, other, Map.of("tenant", "a")).plaintext());
    plaintexts.add(kms.generateDataKey(r -> r.keyId(key).numberOfBytes(32).encryptionContext(Map.of("tenant", "a")))
        .plaintext());
    try (KmsClient bob = shunt.kms("AKIDBOB", Region.US_EAST_1)) {
      plaintexts.add(dataKey(bob, key, Map.of("tenant", "a")).plaintext());
    }
    assertThat(plaintexts).hasSize(6);
    // The order of an encryption context's pairs does not matter: it is the same context.
    Map<String, String> ordered = new java.util.LinkedHashMap<>();
    ordered.put("x", "1");
    ordered.put("y", "2");
    Map<String, String> reversed = new java.util.LinkedHashMap<>();
    reversed.put("y", "2");
    reversed.put("x", "1");
    assertThat(dataKey(kms, key, reversed).plaintext()).isEqualTo(dataKey(kms, key, ordered).plaintext());
  }

  @Test
  void aKeyIsCachedAsResolvedSoAMovedAliasNeverHitsTheOldKey() {
    String a = newKey();
    String b = newKey();
    kms.createAlias(r -> r.aliasName("alias/orders").targetKeyId(a));
    GenerateDataKeyResponse byAlias = dataKey(kms, "alias/orders", Map.of());
    assertThat(dataKey(kms, a, Map.of()).plaintext()).isEqualTo(byAlias.plaintext());
    kms.updateAlias(r -> r.aliasName("alias/orders").targetKeyId(b));
    GenerateDataKeyResponse moved = dataKey(kms, "alias/orders", Map.of());
    assertThat(moved.keyId()).endsWith(b);
    assertThat(moved.plaintext()).isNotEqualTo(byAlias.plaintext());
  }

  @Test
  void aDataKeyAnswersAtMostMaxUsesRequests() {
    String key = newKey();
    List<SdkBytes> plaintexts = new ArrayList<>();
    for (int i = 0; i < 11; i++) {
      plaintexts.add(dataKey(kms, key, Map.of()).plaintext());
    }
    assertThat(plaintexts.subList(0, 5)).containsOnly(plaintexts.get(0));
    assertThat(plaintexts.subList(5, 10)).containsOnly(plaintexts.get(5));
    assertThat(plaintexts.get(5)).isNotEqualTo(plaintexts.get(0));
    assertThat(plaintexts.get(10)).isNotIn(plaintexts.get(0), plaintexts.get(5));
  }

  @Test
  void aDataKeyIsHandedOutNoLongerThanMaxAgeOnTheBackendsClock() {
    String key = newKey();
    SdkBytes first = dataKey(kms, key, Map.of()).plaintext();
    shunt.backend().clock().advance(Duration.ofSeconds(299));
    assertThat(dataKey(kms, key, Map.of()).plaintext()).isEqualTo(first);
    shunt.backend().clock().advance(Duration.ofSeconds(2));
    assertThat(dataKey(kms, key, Map.of()).plaintext()).isNotEqualTo(first);
  }

  @Test
  void theCacheHoldsAtMostItsEntries() throws Exception {
    String key = newKey();
    SdkBytes first = dataKey(kms, key, Map.of("n", "0")).plaintext();
    for (int i = 1; i <= 40; i++) {
      int n = i;
      dataKey(kms, key, Map.of("n", Integer.toString(n)));
    }
    JsonNode dataKeys = Json.readTree(shunt.get("/_shunt/quotas").body()).path("caches").path("dataKeys");
    assertThat(dataKeys.get("entries").asLong()).isLessThanOrEqualTo(20);
    assertThat(dataKeys.get("evictedBySize").asLong()).isGreaterThanOrEqualTo(21);
    assertThat(dataKey(kms, key, Map.of("n", "0")).plaintext()).isNotEqualTo(first);
  }

  @Test
  void disablingDeletingRotatingOrChangingTheKeyPolicyEmptiesTheKeysEntries() {
    String key = newKey();
    SdkBytes first = dataKey(kms, key, Map.of()).plaintext();
    kms.disableKey(r -> r.keyId(key));
    assertThatThrownBy(() -> dataKey(kms, key, Map.of())).isInstanceOf(DisabledException.class);
    kms.enableKey(r -> r.keyId(key));
    SdkBytes afterEnable = dataKey(kms, key, Map.of()).plaintext();
    assertThat(afterEnable).isNotEqualTo(first);

    kms.rotateKeyOnDemand(r -> r.keyId(key));
    SdkBytes afterRotation = dataKey(kms, key, Map.of()).plaintext();
    assertThat(afterRotation).isNotEqualTo(afterEnable);

    String policy = kms.getKeyPolicy(r -> r.keyId(key)).policy();
    kms.putKeyPolicy(r -> r.keyId(key).policy(policy));
    SdkBytes afterPolicy = dataKey(kms, key, Map.of()).plaintext();
    assertThat(afterPolicy).isNotEqualTo(afterRotation);

    kms.scheduleKeyDeletion(r -> r.keyId(key).pendingWindowInDays(7));
    assertThatThrownBy(() -> dataKey(kms, key, Map.of())).isInstanceOf(KmsInvalidStateException.class);
  }

  @Test
  void concurrentRequestsForOneDataKeyShareIt() throws Exception {
    String key = newKey();
    ExecutorService pool = Executors.newFixedThreadPool(8);
    try {
      List<Callable<SdkBytes>> calls = new ArrayList<>();
      for (int i = 0; i < 5; i++) {
        calls.add(() -> dataKey(kms, key, Map.of("shared", "yes")).plaintext());
      }
      Set<SdkBytes> seen = new HashSet<>();
      for (Future<SdkBytes> result : pool.invokeAll(calls)) {
        seen.add(result.get());
      }
      assertThat(seen).hasSize(1);
    } finally {
      pool.shutdownNow();
    }
    JsonNode usage = usage(Json.readTree(shunt.get("/_shunt/quotas").body()), "GenerateDataKey");
    assertThat(usage.get("accepted").asLong()).isEqualTo(1);
    assertThat(usage.get("cached").asLong()).isEqualTo(4);
  }

  @Test
  void withoutPlaintextIsCachedApartAndDryRunsNeverAre() throws Exception {
    String key = newKey();
    SdkBytes blob = kms.generateDataKeyWithoutPlaintext(r -> r.keyId(key).keySpec(DataKeySpec.AES_256))
        .ciphertextBlob();
    assertThat(kms.generateDataKeyWithoutPlaintext(r -> r.keyId(key).keySpec(DataKeySpec.AES_256)).ciphertextBlob())
        .isEqualTo(blob);
    assertThat(dataKey(kms, key, Map.of()).ciphertextBlob()).isNotEqualTo(blob);
    var dryRun = shunt.post("/", "TrentService.GenerateDataKey",
        "{\"KeyId\":\"" + key + "\",\"NumberOfBytes\":32,\"DryRun\":true}");
    assertThat(dryRun.headers().firstValue("x-shunt-cache")).isEmpty();
  }

  static JsonNode usage(JsonNode quotas, String operation) {
    for (JsonNode entry : quotas.get("usage")) {
      if (entry.get("operation").asText().equals(operation)) {
        return entry;
      }
    }
    throw new AssertionError("no usage of " + operation + " in " + quotas);
  }
}
