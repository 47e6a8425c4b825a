package dev.shunt.backend.store;

import dev.shunt.backend.BackendFixture;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import software.amazon.awssdk.awscore.exception.AwsServiceException;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.secretsmanager.SecretsManagerClient;
import software.amazon.awssdk.services.secretsmanager.model.SecretListEntry;
import software.amazon.awssdk.services.secretsmanager.model.SecretVersionsListEntry;

/**
 * Everything Secrets Manager's API shows of the secrets in some (account, Region)s, read through
 * the SDK: each secret's DescribeSecret, its ListSecretVersionIds (deprecated versions too) and
 * the GetSecretValue of each version with a value (or the error AWS answers). Two snapshots are
 * equal when the state is, as far as a client can tell.
 */
final class SecretsSnapshot {
  /** An account (given as its access key, which trust mode takes as the account) and a Region. */
  record Scope(String account, Region region) {}

  private SecretsSnapshot() {}

  /**
   * Reads the state. Every secret's DescribeSecret and version list are read before any of its
   * values, so LastAccessedDate is seen as it was, not as the read makes it.
   */
  static Map<String, List<Object>> of(BackendFixture shunt, List<Scope> scopes) {
    return of(shunt, scopes, true);
  }

  /**
   * Without {@code values}, only what reading changes nothing of: ListSecrets, DescribeSecret and
   * ListSecretVersionIds (GetSecretValue sets LastAccessedDate, which writes the secret).
   */
  static Map<String, List<Object>> of(BackendFixture shunt, List<Scope> scopes, boolean values) {
    Map<String, List<Object>> state = new LinkedHashMap<>();
    for (Scope scope : scopes) {
      try (SecretsManagerClient sm = shunt.secrets(scope.account(), scope.region())) {
        List<SecretListEntry> listed = new ArrayList<>();
        sm.listSecretsPaginator(r -> r.includePlannedDeletion(true).maxResults(2))
            .forEach(page -> listed.addAll(page.secretList()));
        for (SecretListEntry entry : listed) {
          List<Object> facts = new ArrayList<>();
          facts.add(entry);
          facts.add(sm.describeSecret(r -> r.secretId(entry.arn())));
          List<SecretVersionsListEntry> versions = new ArrayList<>();
          sm.listSecretVersionIdsPaginator(r -> r.secretId(entry.arn()).includeDeprecated(true).maxResults(2))
              .forEach(page -> versions.addAll(page.versions()));
          facts.add(versions);
          for (SecretVersionsListEntry version : values ? versions : List.<SecretVersionsListEntry>of()) {
            try {
              facts.add(sm.getSecretValue(r -> r.secretId(entry.arn()).versionId(version.versionId())));
            } catch (AwsServiceException e) {
              facts.add(version.versionId() + ": " + e.awsErrorDetails().errorCode() + " "
                  + e.awsErrorDetails().errorMessage());
            }
          }
          state.put(scope.account() + " " + scope.region() + " " + entry.name(), facts);
        }
      }
    }
    return state;
  }

  /** Asserts two snapshots are equal, fact by fact, naming the secret and the fact that differs. */
  static void assertSame(Map<String, List<Object>> actual, Map<String, List<Object>> expected) {
    org.assertj.core.api.Assertions.assertThat(actual.keySet()).containsExactlyElementsOf(expected.keySet());
    expected.forEach((secret, facts) -> {
      List<Object> theirs = actual.get(secret);
      org.assertj.core.api.Assertions.assertThat(theirs).as(secret).hasSameSizeAs(facts);
      for (int i = 0; i < facts.size(); i++) {
        Object fact = facts.get(i);
        if (fact instanceof software.amazon.awssdk.core.SdkResponse response) {
          // A response's equals also compares its HTTP response and request id: its fields are what the state is.
          org.assertj.core.api.Assertions.assertThat(response.equalsBySdkFields(theirs.get(i)))
              .as("%s, fact %d: %s, then %s", secret, i, theirs.get(i), fact).isTrue();
        } else {
          org.assertj.core.api.Assertions.assertThat(theirs.get(i)).as("%s, fact %d", secret, i).isEqualTo(fact);
        }
      }
    });
  }
}
