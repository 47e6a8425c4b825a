package dev.shunt.backend.ssm;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.shunt.backend.store.Persistent;
import dev.shunt.backend.store.StoreKey;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeMap;

/**
 * One parameter: its versions (at most 100 kept) and tags. Every field but the identity is
 * guarded by the parameter's monitor; PutParameter holds it from reading the latest version to
 * adding the next, so concurrent writers get consecutive versions with no gap or duplicate.
 * The store keeps it as one document ({@link ParameterDocuments}), written after each change.
 */
final class Parameter implements Persistent {
  static final String KIND = "ssm.parameters";

  /** The name as it was created ("x" or "/x"), which listings show. */
  final String name;
  /** The map key ({@link ParameterNames#key}): "x" and "/x" are one parameter. */
  final String key;
  final String arn;
  private final StoreKey storeKey;
  final TreeMap<Long, ParameterVersion> versions = new TreeMap<>();
  final Map<String, String> tags = new LinkedHashMap<>();
  /** The highest version ever written: numbers are never reused, even after old versions go. */
  long lastVersion;
  /** Set when the parameter is deleted, so a writer that raced the delete starts a new parameter. */
  boolean deleted;

  Parameter(String accountId, String region, String name) {
    this.name = name;
    this.key = ParameterNames.key(name);
    this.arn = ParameterNames.arn(region, accountId, name);
    this.storeKey = new StoreKey(KIND, accountId, region, key);
  }

  @Override
  public StoreKey storeKey() {
    return storeKey;
  }

  /** Its stored document ({@link ParameterDocuments}: SecureStrings as their ciphertext), or null once deleted. */
  @Override
  public ObjectNode document() {
    return deleted || versions.isEmpty() ? null : ParameterDocuments.stored(this);
  }

  ParameterVersion latest() {
    return versions.isEmpty() ? null : versions.lastEntry().getValue();
  }

  /** The version a label is attached to, or null. */
  ParameterVersion withLabel(String label) {
    for (ParameterVersion version : versions.values()) {
      if (version.labels.contains(label)) {
        return version;
      }
    }
    return null;
  }

  /** The Expiration time of the latest version's policies, or null. */
  Instant expiration() {
    ParameterVersion latest = latest();
    return latest == null ? null : ParameterPolicies.expiration(latest.policies);
  }
}
