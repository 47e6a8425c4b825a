package dev.shunt.backend.ssm;

import java.time.Instant;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * One version of a parameter, with the metadata it was written with (GetParameterHistory shows
 * each version's own type, description, pattern, tier and policies). The value is the text of a
 * String or StringList, or the ciphertext of a SecureString. Labels move under the parameter's lock.
 */
final class ParameterVersion {
  final long version;
  final String type;
  /** Plaintext for String and StringList; null for SecureString. */
  final String value;
  /** The ciphertext of a SecureString; null otherwise. */
  final SecureStrings.Sealed sealed;
  final String keyId;
  final String description;
  final String allowedPattern;
  final String tier;
  final List<ParameterPolicies.Policy> policies;
  final String dataType;
  final Instant lastModifiedDate;
  final String lastModifiedUser;
  final Set<String> labels = new LinkedHashSet<>();

  ParameterVersion(long version, String type, String value, SecureStrings.Sealed sealed, String keyId,
      String description, String allowedPattern, String tier, List<ParameterPolicies.Policy> policies,
      String dataType, Instant lastModifiedDate, String lastModifiedUser) {
    this.version = version;
    this.type = type;
    this.value = value;
    this.sealed = sealed;
    this.keyId = keyId;
    this.description = description;
    this.allowedPattern = allowedPattern;
    this.tier = tier;
    this.policies = policies;
    this.dataType = dataType;
    this.lastModifiedDate = lastModifiedDate;
    this.lastModifiedUser = lastModifiedUser;
  }

  boolean secure() {
    return sealed != null;
  }
}
