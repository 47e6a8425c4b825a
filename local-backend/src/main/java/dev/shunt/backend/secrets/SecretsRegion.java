package dev.shunt.backend.secrets;

import java.util.Comparator;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentSkipListMap;

/**
 * The secrets of one account in one Region: by name (the identity), by full ARN, and in
 * creation order (ListSecrets' default order, so a page starts at its token without a scan).
 */
final class SecretsRegion {
  /** The position of a secret in creation order. */
  record OrderKey(long createdMillis, String arn) {}

  static final Comparator<OrderKey> ORDER =
      Comparator.comparingLong(OrderKey::createdMillis).thenComparing(OrderKey::arn);

  final String accountId;
  final String region;
  final ConcurrentHashMap<String, Secret> byName = new ConcurrentHashMap<>();
  final ConcurrentHashMap<String, Secret> byArn = new ConcurrentHashMap<>();
  final ConcurrentSkipListMap<OrderKey, Secret> byCreation = new ConcurrentSkipListMap<>(ORDER);

  SecretsRegion(String accountId, String region) {
    this.accountId = accountId;
    this.region = region;
  }

  static OrderKey orderOf(Secret secret) {
    return new OrderKey(secret.createdDate.toEpochMilli(), secret.arn);
  }

  /** Adds a secret unless its name is taken; returns the secret holding the name. */
  Secret add(Secret secret) {
    Secret existing = byName.putIfAbsent(secret.name, secret);
    if (existing != null) {
      return existing;
    }
    byArn.put(secret.arn, secret);
    byCreation.put(orderOf(secret), secret);
    return secret;
  }

  void remove(Secret secret) {
    if (byName.remove(secret.name, secret)) {
      byArn.remove(secret.arn, secret);
      byCreation.remove(orderOf(secret), secret);
    }
  }
}
