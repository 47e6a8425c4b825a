package dev.shunt.examples;

import com.amazonaws.secretsmanager.caching.SecretCache;
import software.amazon.awssdk.services.secretsmanager.SecretsManagerClient;

/**
 * Secrets Manager's caching client, as applications use it to read database credentials: the
 * first read goes to Secrets Manager, the next ones come from the cache.
 */
public final class SecretsCachingApp {
  private SecretsCachingApp() {}

  public static void main(String[] args) {
    try (SecretsManagerClient client = SecretsManagerClient.create()) {
      client.createSecret(r -> r.name("app/db-credentials")
          .secretString("{\"username\":\"app\",\"password\":\"correct horse\"}"));
      try (SecretCache cache = new SecretCache(client)) {
        String first = cache.getSecretString("app/db-credentials");
        String second = cache.getSecretString("app/db-credentials");
        if (!first.contains("correct horse") || !first.equals(second)) {
          throw new IllegalStateException("FAILED: the cached secret is not the one stored");
        }
        System.out.println("OK: read app/db-credentials through the Secrets Manager caching client");
      }
    }
  }
}
