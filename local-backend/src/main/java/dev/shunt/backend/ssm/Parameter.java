package dev.shunt.backend.ssm;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.shunt.backend.auth.policy.NamedPolicy;
import dev.shunt.backend.store.Persistent;
import dev.shunt.backend.store.StoreKey;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * One parameter: its versions (at most 100 kept), tags and resource policies. Every field but the identity is
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
  /**
   * The resource policies sharing it with other accounts (PutResourcePolicy), oldest first; replaced
   * whole under the monitor, so that an access decision reads them without it.
   */
  private volatile List<ParameterResourcePolicies.Entry> resourcePolicies = List.of();
  /** The same policies as the access decision reads them. */
  private volatile List<NamedPolicy> accessPolicies = List.of();

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

  List<ParameterResourcePolicies.Entry> resourcePolicies() {
    return resourcePolicies;
  }

  List<NamedPolicy> accessPolicies() {
    return accessPolicies;
  }

  /** Replaces the resource policies; call holding the monitor. */
  void resourcePolicies(List<ParameterResourcePolicies.Entry> policies) {
    List<NamedPolicy> named = new ArrayList<>(policies.size());
    policies.forEach(policy -> named.add(policy.named()));
    this.accessPolicies = List.copyOf(named);
    this.resourcePolicies = List.copyOf(policies);
  }

  /**
   * Takes the history, tags and resource policies of {@code stored} (this parameter as another
   * node wrote it, not shared with any thread) in place; call holding this parameter's monitor.
   * Nothing is written back.
   */
  void replaceWith(Parameter stored) {
    versions.clear();
    versions.putAll(stored.versions);
    lastVersion = stored.lastVersion;
    tags.clear();
    tags.putAll(stored.tags);
    resourcePolicies(stored.resourcePolicies());
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
