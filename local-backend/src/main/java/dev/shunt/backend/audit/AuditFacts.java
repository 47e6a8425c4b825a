package dev.shunt.backend.audit;

import java.util.ArrayList;
import java.util.List;

/**
 * What the services learn about one request while serving it, for its audit record and spans:
 * the resources it named (a key, a secret, a parameter, as resolved), and the KMS keys a service
 * used on the caller's behalf (Secrets Manager and SSM encrypting under a key), which AWS
 * records as KMS events of their own. Filled on the request's thread; read after it is served.
 */
public final class AuditFacts {
  /** A resource a request touched, as CloudTrail lists it: its ARN, type and owning account. */
  public record Resource(String arn, String type, String accountId) {}

  /** A KMS operation a service ran for the caller ({@code viaService}: secretsmanager, ssm). */
  public record KeyUse(String operation, String keyArn, String keyAccountId, String viaService) {}

  private List<Resource> resources;
  private List<KeyUse> keyUses;
  private String keyArn;
  private String keySpec;
  private String secretArn;
  private String parameterName;
  private String cache;
  private Refusal refused;
  private com.fasterxml.jackson.databind.node.ObjectNode additionalEventData;

  /** A KMS key the request resolved. The first one is the request's key (a span shows it). */
  public void key(String arn, String spec, String accountId, String operation, String viaService) {
    if (keyArn == null) {
      keyArn = arn;
      keySpec = spec;
    }
    if (viaService == null) {
      resource(arn, "AWS::KMS::Key", accountId);
    } else {
      if (keyUses == null) {
        keyUses = new ArrayList<>(2);
      }
      keyUses.add(new KeyUse(operation, arn, accountId, viaService));
    }
  }

  /**
   * A fact CloudTrail records in {@code additionalEventData} rather than in the request or response
   * (RetireGrant's grant id, for one).
   */
  public void additionalEventData(String name, String value) {
    if (additionalEventData == null) {
      additionalEventData = dev.shunt.backend.core.Json.object();
    }
    additionalEventData.put(name, value);
  }

  /** What {@link #additionalEventData(String, String)} noted, or null. */
  public com.fasterxml.jackson.databind.node.ObjectNode additionalEventData() {
    return additionalEventData;
  }

  public void secret(String arn, String accountId) {
    if (secretArn == null) {
      secretArn = arn;
    }
    resource(arn, "AWS::SecretsManager::Secret", accountId);
  }

  public void parameter(String name, String arn, String accountId) {
    if (parameterName == null) {
      parameterName = name;
    }
    resource(arn, "AWS::SSM::Parameter", accountId);
  }

  private void resource(String arn, String type, String accountId) {
    if (resources == null) {
      resources = new ArrayList<>(2);
    } else {
      for (Resource known : resources) {
        if (known.arn.equals(arn)) {
          return;
        }
      }
    }
    // A request naming many resources (GetParameters, BatchGetSecretValue) lists at most this many.
    if (resources.size() < 50) {
      resources.add(new Resource(arn, type, accountId));
    }
  }

  /**
   * How a cache served the request: {@code hit} (answered from it), {@code stale} (an expired
   * answer, as the refresh failed), {@code miss} (it called, and kept the answer); null when no
   * cache serves the operation.
   */
  public void cache(String outcome) {
    this.cache = outcome;
  }

  public String cache() {
    return cache;
  }

  /** Who refused a request in Shunt itself, before its operation ran: the quota engine, or fault injection. */
  public enum Refusal { QUOTA, FAULT }

  /** Notes that the quota engine throttled the request, or that an injected fault answered it. */
  public void refused(Refusal by) {
    this.refused = by;
  }

  /** Who refused the request in Shunt itself (null: nobody, its operation ran). */
  public Refusal refused() {
    return refused;
  }

  /**
   * Takes what the request that made a cached answer learnt (its key, secret, parameters), but
   * not the keys it used through another service: a cached answer used none.
   */
  public void adopt(AuditFacts made) {
    if (made == null) {
      return;
    }
    keyArn = made.keyArn;
    keySpec = made.keySpec;
    secretArn = made.secretArn;
    parameterName = made.parameterName;
    resources = made.resources;
  }

  public List<Resource> resources() {
    return resources == null ? List.of() : resources;
  }

  public List<KeyUse> keyUses() {
    return keyUses == null ? List.of() : keyUses;
  }

  public String keyArn() {
    return keyArn;
  }

  public String keySpec() {
    return keySpec;
  }

  public String secretArn() {
    return secretArn;
  }

  public String parameterName() {
    return parameterName;
  }
}
