package dev.shunt.backend.auth;

import java.util.Collection;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The accounts that may have state, at most {@code max-accounts} of them: in trust mode any
 * 12-digit access key is an account, and each account's state costs memory, so the first ones
 * to call are admitted and later ones refused. The always-admitted accounts (the default one,
 * those of the configured access keys) count toward the cap but are never refused.
 */
public final class AdmittedAccounts {
  public static final int MIN = 1;
  public static final int MAX = 100_000;

  private final int maxAccounts;
  private final Set<String> alwaysAdmitted;
  /** Replaced whole by {@link #forgetAdmitted}; added to only under this object's lock, read without it. */
  private volatile Set<String> admitted;

  public AdmittedAccounts(int maxAccounts, Collection<String> alwaysAdmitted) {
    if (maxAccounts < MIN || maxAccounts > MAX) {
      throw new IllegalArgumentException("max-accounts must be between " + MIN + " and " + MAX + ", not "
          + maxAccounts);
    }
    this.maxAccounts = maxAccounts;
    this.alwaysAdmitted = Set.copyOf(alwaysAdmitted);
    this.admitted = fresh();
  }

  /** The default account and those of the configured access keys, always admitted; the cap is {@code maxAccounts}. */
  public static AdmittedAccounts of(Credentials credentials, int maxAccounts) {
    return new AdmittedAccounts(maxAccounts, credentials.configuredAccountIds());
  }

  public int maxAccounts() {
    return maxAccounts;
  }

  /**
   * Whether {@code accountId} may have state: true if it already may (one hash lookup) or if
   * there is room for it, which admits it.
   */
  public boolean admit(String accountId) {
    if (admitted.contains(accountId)) {
      return true;
    }
    synchronized (this) {
      Set<String> current = admitted;
      if (current.contains(accountId)) {
        return true;
      }
      if (current.size() >= maxAccounts) {
        return false;
      }
      current.add(accountId);
      return true;
    }
  }

  /** How many accounts are admitted now, the always-admitted ones included. */
  public int count() {
    return admitted.size();
  }

  /** Forgets every account admitted on the fly (the backend's state was wiped); the always-admitted stay. */
  public synchronized void forgetAdmitted() {
    admitted = fresh();
  }

  private Set<String> fresh() {
    Set<String> set = ConcurrentHashMap.newKeySet();
    set.addAll(alwaysAdmitted);
    return set;
  }
}
