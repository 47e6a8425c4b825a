package dev.shunt.backend.secrets.rotation;

import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The Secrets Manager calls a rotation function makes, served in-process on the secret's own
 * account and Region: what a rotation Lambda does with the SDK, a {@link SecretRotator} does here.
 */
public interface SecretsApi {
  /** DescribeSecret's VersionIdsToStages. */
  Map<String, List<String>> versionIdsToStages(String secretId);

  /** GetSecretValue by version id and/or staging label (null for either); empty when there is no such version. */
  Optional<String> getSecretString(String secretId, String versionId, String stage);

  /** PutSecretValue with a client request token (the new version's id) and staging labels. */
  void putSecretValue(String secretId, String clientRequestToken, String secretString, List<String> stages);

  /** UpdateSecretVersionStage. */
  void updateSecretVersionStage(String secretId, String stage, String moveToVersionId, String removeFromVersionId);

  /** GetRandomPassword with its defaults (32 characters of every class). */
  String randomPassword();
}
