package dev.shunt.backend.kms;

import java.time.Instant;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The keys and aliases of one account in one Region, each in a sorted concurrent map so that a
 * page of ListKeys or ListAliases starts where the marker says without scanning what came before.
 */
final class KmsRegion {
  final String accountId;
  final String region;
  final ConcurrentSkipListMap<String, KmsKey> keys = new ConcurrentSkipListMap<>();
  final ConcurrentSkipListMap<String, KmsAlias> aliases = new ConcurrentSkipListMap<>();
  /** Customer managed keys in {@link #keys}, in every state (AWS's quota counts them; AWS managed keys not). */
  final AtomicInteger customerKeys = new AtomicInteger();
  /**
   * Keys in {@link #keys} whose spec is not SYMMETRIC_DEFAULT: while there are none, the quota
   * engine's question "which spec is this key" is answered without looking the key up. Add keys
   * through {@link #add} so that it stays true.
   */
  final AtomicInteger nonSymmetricKeys = new AtomicInteger();
  /** The grants on this Region's keys. */
  final GrantTable grants = new GrantTable();
  /** Custom key stores by id (CreateCustomKeyStore). */
  final ConcurrentSkipListMap<String, CustomKeyStore> customKeyStores = new ConcurrentSkipListMap<>();

  KmsRegion(String accountId, String region) {
    this.accountId = accountId;
    this.region = region;
  }

  /**
   * The key with this id, or null; a key whose deletion date has passed is removed here, and
   * imported material whose ValidTo has passed is deleted here (the clock may have jumped).
   */
  KmsKey key(String keyId, Instant now) {
    KmsKey key = keys.get(keyId);
    if (key != null && key.deletedBy(now)) {
      delete(key);
      return null;
    }
    if (key != null && key.imported != null) {
      key.imported.expireIfDue(key, now);
    }
    return key;
  }

  /** Adds a new key. */
  void add(KmsKey key) {
    if (!key.keySpec.equals(KmsKey.SYMMETRIC_DEFAULT)) {
      nonSymmetricKeys.incrementAndGet();
    }
    keys.put(key.keyId, key);
  }

  /** Removes a key for good, with its aliases. */
  void delete(KmsKey key) {
    if (keys.remove(key.keyId, key)) {
      if (!key.awsManaged()) {
        customerKeys.decrementAndGet();
      }
      if (!key.keySpec.equals(KmsKey.SYMMETRIC_DEFAULT)) {
        nonSymmetricKeys.decrementAndGet();
      }
      for (KmsAlias alias : aliases.values()) {
        if (alias.targetKeyId().equals(key.keyId) && aliases.remove(alias.name(), alias)) {
          KmsState.aliasChanged(this, alias.name());
        }
      }
      if (key.multiRegion != null) {
        key.multiRegion.deleted(key);
      }
      for (Grant grant : grants.ofKey(key.keyId, null)) {
        KmsState.grantChanged(this, grant.grantId());
      }
      grants.removeKey(key.keyId);
      key.removed();
    }
  }

  /**
   * Removes a key another node deleted for good, with its aliases and grants, as {@link #delete}
   * does, but writing nothing: the removal came from the store (the aliases' and grants' own
   * removals come from it too, and then find nothing here).
   */
  void forget(KmsKey key) {
    if (keys.remove(key.keyId, key)) {
      uncount(key);
      for (KmsAlias alias : aliases.values()) {
        if (alias.targetKeyId().equals(key.keyId)) {
          aliases.remove(alias.name(), alias);
        }
      }
      if (key.multiRegion != null) {
        key.multiRegion.deleted(key);
      }
      grants.removeKey(key.keyId);
      key.forgotten();
    }
  }

  /**
   * Puts {@code fresh} in place of {@code old} under its id (another node holds a different key
   * under that id), keeping the key counts right; aliases and grants name the id and stay.
   */
  boolean swap(KmsKey old, KmsKey fresh) {
    if (!keys.replace(old.keyId, old, fresh)) {
      return false;
    }
    uncount(old);
    count(fresh);
    if (old.multiRegion != null) {
      old.multiRegion.leave(old);
    }
    old.forgotten();
    return true;
  }

  /** Adds a key another node made unless one holds its id (then returns false), counting it as CreateKey does. */
  boolean addIfAbsent(KmsKey key) {
    if (keys.putIfAbsent(key.keyId, key) != null) {
      return false;
    }
    count(key);
    return true;
  }

  private void count(KmsKey key) {
    if (!key.awsManaged()) {
      customerKeys.incrementAndGet();
    }
    if (!key.keySpec.equals(KmsKey.SYMMETRIC_DEFAULT)) {
      nonSymmetricKeys.incrementAndGet();
    }
  }

  private void uncount(KmsKey key) {
    if (!key.awsManaged()) {
      customerKeys.decrementAndGet();
    }
    if (!key.keySpec.equals(KmsKey.SYMMETRIC_DEFAULT)) {
      nonSymmetricKeys.decrementAndGet();
    }
  }

  int aliasesOf(String keyId) {
    int count = 0;
    for (KmsAlias alias : aliases.values()) {
      if (alias.targetKeyId().equals(keyId)) {
        count++;
      }
    }
    return count;
  }

  String aliasArn(String aliasName) {
    return KeyReference.aliasArn(region, accountId, aliasName);
  }
}
