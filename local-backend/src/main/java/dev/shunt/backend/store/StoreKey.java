package dev.shunt.backend.store;

import java.nio.charset.StandardCharsets;

/**
 * What a stored item is: its kind ({@code kms.keys}, {@code secretsmanager.secrets}...), the account
 * and Region it lives in, and its id there (a key id, a secret's name...).
 */
public record StoreKey(String kind, String account, String region, String id) {
  /** The bytes a sealed document is bound to, so that no row can be passed off as another. */
  byte[] context() {
    return (kind + '\n' + account + '\n' + region + '\n' + id).getBytes(StandardCharsets.UTF_8);
  }
}
