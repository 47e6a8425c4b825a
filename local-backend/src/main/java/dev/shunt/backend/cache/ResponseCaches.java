package dev.shunt.backend.cache;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.github.benmanes.caffeine.cache.Ticker;
import dev.shunt.backend.audit.AuditFacts;
import dev.shunt.backend.auth.Identity;
import dev.shunt.backend.core.Json;
import dev.shunt.backend.ssm.ParameterNames;
import dev.shunt.backend.time.ShuntClock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The caches in front of the services (see {@link CacheSettings}): which operation each serves,
 * the key of a request (the caller, the operation and the whole input, a KMS key as resolved),
 * the resources an answer came from, and which of them a write changes. Times run on the
 * backend's movable clock, so a test or a user moving it sees entries age.
 */
public final class ResponseCaches {
  /** The key a request names as it is now (for KMS: alias or id to ARN), or null when unknown. */
  @FunctionalInterface
  public interface KeyResolver {
    String keyArn(String accountId, String region, String keyId);

    KeyResolver NONE = (account, region, keyId) -> null;
  }

  /** How long a secret or parameter stays, after its TTL, to answer when a refresh fails for a passing reason. */
  static final Duration KEEP_STALE_FOR = Duration.ofHours(1);
  private static final Set<String> KMS_ALIAS_WRITES = Set.of("CreateAlias", "UpdateAlias", "DeleteAlias");

  private final Map<CacheFamily, ResponseCache> caches = new EnumMap<>(CacheFamily.class);
  private final KeyResolver keys;

  public ResponseCaches(CacheSettings settings, ShuntClock clock, KeyResolver keys) {
    this.keys = keys;
    Ticker ticker = () -> System.nanoTime() + clock.offsetMillis() * 1_000_000L;
    int max = settings.maxEntries();
    if (settings.dataKeys()) {
      caches.put(CacheFamily.DATA_KEYS, new ResponseCache(CacheFamily.DATA_KEYS, Set.of("Plaintext"),
          settings.dataKeyMaxAge(), Duration.ZERO, settings.dataKeyMaxUses(), max, ticker));
    }
    if (!settings.decryptTtl().isZero()) {
      caches.put(CacheFamily.DECRYPTS, new ResponseCache(CacheFamily.DECRYPTS, Set.of("Plaintext"),
          settings.decryptTtl(), Duration.ZERO, Long.MAX_VALUE, max, ticker));
    }
    if (!settings.secretTtl().isZero()) {
      caches.put(CacheFamily.SECRETS, new ResponseCache(CacheFamily.SECRETS, Set.of("SecretBinary"),
          settings.secretTtl(), KEEP_STALE_FOR, Long.MAX_VALUE, max, ticker));
    }
    if (!settings.parameterTtl().isZero()) {
      caches.put(CacheFamily.PARAMETERS, new ResponseCache(CacheFamily.PARAMETERS, Set.of(),
          settings.parameterTtl(), KEEP_STALE_FOR, Long.MAX_VALUE, max, ticker));
    }
  }

  public static ResponseCaches off() {
    return new ResponseCaches(CacheSettings.off(), new ShuntClock(), KeyResolver.NONE);
  }

  /** The cache that serves this operation, or null when none does. */
  public ResponseCache forOperation(String service, String operation) {
    if (caches.isEmpty()) {
      return null;
    }
    for (ResponseCache cache : caches.values()) {
      if (cache.family().service.equals(service) && cache.family().operations.contains(operation)) {
        return cache;
      }
    }
    return null;
  }

  /**
   * The key of a request to {@code cache}, or null when it must not be answered from a cache
   * (a DryRun, or an answer for a Nitro enclave's attestation).
   */
  public String key(ResponseCache cache, Identity identity, String operation, ObjectNode input) {
    if (input.has("DryRun") || input.has("Recipient")) {
      return null;
    }
    StringBuilder key = new StringBuilder(128).append(operation).append('\n').append(identity.accessKeyId())
        .append('\n').append(identity.principalArn()).append('\n').append(identity.region()).append('\n');
    if (cache.family().service.equals("kms")) {
      JsonNode keyId = input.get("KeyId");
      String arn = keyId != null && keyId.isTextual()
          ? keys.keyArn(identity.accountId(), identity.region(), keyId.textValue()) : null;
      if (arn != null) {
        key.append("KeyId=").append(arn).append('\n');
        CanonicalJson.append(key, input, "KeyId");
        return key.toString();
      }
    }
    CanonicalJson.append(key, input, null);
    return key.toString();
  }

  /** The resources an answer came from, whose change must drop it. */
  public List<String> tags(ResponseCache cache, Identity identity, ObjectNode input, ObjectNode answer) {
    List<String> tags = new ArrayList<>(3);
    String service = cache.family().service;
    tags.add(scopeTag(service, identity));
    switch (cache.family()) {
      case DATA_KEYS, DECRYPTS -> addText(tags, "kms-key ", answer.get("KeyId"));
      case SECRETS -> addText(tags, "secret ", answer.get("ARN"));
      case PARAMETERS -> {
        String scope = identity.accountId() + ' ' + identity.region() + ' ';
        if (input.has("Path")) {
          tags.add("parameter-paths " + scope);
        }
        addParameterNames(tags, identity, input.get("Name"));
        addParameterNames(tags, identity, input.get("Names"));
      }
    }
    return tags;
  }

  /**
   * After a write that succeeded (any operation not read-only), drops what it may have changed:
   * the key, secret or parameters it named (as the service resolved them, else as the answer or
   * request names them), or everything of the service in the caller's account and Region.
   */
  public void afterWrite(String service, String operation, Identity identity, ObjectNode input, ObjectNode output,
      AuditFacts facts) {
    List<ResponseCache> affected = new ArrayList<>(2);
    for (ResponseCache cache : caches.values()) {
      if (cache.family().service.equals(service)) {
        affected.add(cache);
      }
    }
    if (affected.isEmpty()) {
      return;
    }
    List<String> tags = new ArrayList<>(2);
    switch (service) {
      case "kms" -> {
        String arn = facts == null ? null : facts.keyArn();
        if (arn == null && output != null) {
          arn = text(output.path("KeyMetadata").get("Arn"));
          arn = arn != null ? arn : text(output.get("KeyId"));
        }
        if (arn != null && arn.startsWith("arn:") && !KMS_ALIAS_WRITES.contains(operation)) {
          tags.add("kms-key " + arn);
        }
      }
      case "secretsmanager" -> {
        String arn = facts == null ? null : facts.secretArn();
        arn = arn != null ? arn : output == null ? null : text(output.get("ARN"));
        if (arn != null) {
          tags.add("secret " + arn);
        }
      }
      case "ssm" -> {
        String scope = identity.accountId() + ' ' + identity.region() + ' ';
        addParameterNames(tags, identity, input == null ? null : input.get("Name"));
        addParameterNames(tags, identity, input == null ? null : input.get("Names"));
        if (input != null && "Parameter".equals(text(input.get("ResourceType")))) {
          addParameterNames(tags, identity, input.get("ResourceId"));
        }
        // A resource policy changed: whom the parameter is shared with, so other accounts' reads of it go.
        addParameterNames(tags, identity, input == null ? null : input.get("ResourceArn"));
        if (!tags.isEmpty()) {
          tags.add("parameter-paths " + scope);
        }
      }
      default -> { }
    }
    if (tags.isEmpty()) {
      tags.add(scopeTag(service, identity));
    }
    for (ResponseCache cache : affected) {
      tags.forEach(cache::invalidate);
    }
  }

  /** A secret changed outside any request (a rotation finished): its values go. */
  public void secretChanged(String arn) {
    ResponseCache cache = caches.get(CacheFamily.SECRETS);
    if (cache != null) {
      cache.invalidate("secret " + arn);
    }
  }

  public void clear() {
    caches.values().forEach(ResponseCache::clear);
  }

  /** Each cache's readings, for the metrics. */
  public void readings(dev.shunt.backend.audit.AuditTelemetry.CacheReading reading) {
    caches.forEach((family, cache) -> cache.read(reading, family.usdPerRequest));
  }

  /**
   * The caches' part of {@code GET /_shunt/quotas}: for each, whether it is on, hits, misses,
   * entries, evictions by cause, and the requests and AWS cost it saved (Parameter Store priced as
   * with higher throughput: with standard throughput its requests are free).
   */
  public ObjectNode report() {
    ObjectNode report = Json.object();
    for (CacheFamily family : CacheFamily.values()) {
      ResponseCache cache = caches.get(family);
      if (cache == null) {
        report.putObject(family.reportName).put("enabled", false);
      } else {
        report.set(family.reportName, cache.report(family.usdPerRequest));
      }
    }
    return report;
  }

  private static String scopeTag(String service, Identity identity) {
    return service + ' ' + identity.accountId() + ' ' + identity.region();
  }

  private static void addText(List<String> tags, String prefix, JsonNode value) {
    if (value != null && value.isTextual()) {
      tags.add(prefix + value.textValue());
    }
  }

  /**
   * A parameter's tag: the parameter its name (or ARN, with or without a selector) means, in the
   * account and Region an ARN names (a parameter shared with the caller), else the caller's.
   */
  private static void addParameterNames(List<String> tags, Identity identity, JsonNode names) {
    if (names == null) {
      return;
    }
    if (names.isArray()) {
      for (Iterator<JsonNode> it = names.elements(); it.hasNext(); ) {
        addParameterNames(tags, identity, it.next());
      }
      return;
    }
    if (names.isTextual()) {
      tags.add("parameter " + ParameterNames.cacheTag(names.textValue(), identity.accountId(), identity.region()));
    }
  }

  private static String text(JsonNode node) {
    return node != null && node.isTextual() ? node.textValue() : null;
  }

}
