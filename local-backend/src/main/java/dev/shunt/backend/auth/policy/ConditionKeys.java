package dev.shunt.backend.auth.policy;

import java.util.HashSet;
import java.util.Locale;
import java.util.Set;

/**
 * The condition keys some policies read (lower-cased), so that a request builds only those: most
 * policies read none, and building every key of every request would cost more than evaluating.
 * A policy with variables may read any key ({@code everything}).
 */
public record ConditionKeys(Set<String> keys, boolean everything) {
  public static final ConditionKeys NONE = new ConditionKeys(Set.of(), false);

  /** Whether a request must carry {@code name}: one of the keys, or a key of a family ending {@code :} or {@code /}. */
  public boolean wants(String name) {
    return everything || !keys.isEmpty() && wantsLower(name.toLowerCase(Locale.ROOT));
  }

  /** {@link #wants} for a name already lower-cased. */
  public boolean wantsLower(String lower) {
    if (everything) {
      return true;
    }
    if (keys.isEmpty()) {
      return false;
    }
    if (keys.contains(lower)) {
      return true;
    }
    int family = familyEnd(lower);
    return family > 0 && keys.contains(lower.substring(0, family + 1));
  }

  /** Whether a request must carry some key of the family {@code prefix} ({@code kms:encryptioncontext:}). */
  public boolean wantsFamily(String prefix) {
    if (everything) {
      return true;
    }
    for (String key : keys) {
      if (key.startsWith(prefix)) {
        return true;
      }
    }
    return false;
  }

  public ConditionKeys and(ConditionKeys other) {
    if (other.keys.isEmpty() && !other.everything) {
      return this;
    }
    if (keys.isEmpty() && !everything) {
      return other;
    }
    Set<String> union = new HashSet<>(keys);
    union.addAll(other.keys);
    return new ConditionKeys(Set.copyOf(union), everything || other.everything);
  }

  /** Where a family member's family ends ({@code kms:encryptioncontext:|tenant}), or -1: never at the vendor's colon. */
  private static int familyEnd(String lower) {
    int end = Math.max(lower.lastIndexOf(':'), lower.lastIndexOf('/'));
    return end > lower.indexOf(':') ? end : -1;
  }

  /** The keys of {@code key}, and for a family member ({@code kms:EncryptionContext:tenant}) its family too. */
  static void add(Set<String> into, String key) {
    String lower = key.toLowerCase(Locale.ROOT);
    into.add(lower);
    int family = familyEnd(lower);
    if (family > 0 && family < lower.length() - 1) {
      into.add(lower.substring(0, family + 1));
    }
  }
}
