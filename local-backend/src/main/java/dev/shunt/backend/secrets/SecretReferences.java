package dev.shunt.backend.secrets;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.shunt.backend.core.Json;
import dev.shunt.backend.core.RequestContext;
import java.time.Instant;
import java.util.Base64;

/**
 * Secrets Manager as Parameter Store sees it through {@code /aws/reference/secretsmanager/NAME}:
 * a secret's value (AWSCURRENT, or the version or label after {@code :}), read with the caller's
 * identity so the secret's resource policy and KMS key apply as for GetSecretValue.
 */
public final class SecretReferences {
  /** A secret read for Parameter Store: value as text (binary as base64) and GetSecretValue's metadata. */
  public record Reference(String arn, String name, String value, Instant createdDate, String sourceResult) {}

  private final SecretsBackend secrets;

  public SecretReferences(SecretsBackend secrets) {
    this.secrets = secrets;
  }

  /** @param selector null for AWSCURRENT, a version id, or a staging label */
  public Reference read(RequestContext ctx, String secretId, String selector) {
    boolean versionId = selector != null && selector.length() >= 32 && selector.indexOf('-') > 0;
    SecretsBackend.Value value = secrets.getSecretValue(ctx, secretId, versionId ? selector : null,
        versionId ? null : selector);
    String text = value.binary() ? Base64.getEncoder().encodeToString(value.plaintext())
        : new SecretValue(value.plaintext(), false).string();
    ObjectNode source = Json.object().put("ARN", value.secret().arn).put("Name", value.secret().name)
        .put("VersionId", value.version().versionId);
    value.stages().forEach(source.putArray("VersionStages")::add);
    source.put("CreatedDate", Json.epochSeconds(value.version().createdDate));
    return new Reference(value.secret().arn, value.secret().name, text, value.version().createdDate,
        source.toString());
  }
}
