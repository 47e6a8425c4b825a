package dev.shunt.backend.auth;

import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Set;

/**
 * The access keys the backend knows: for SigV4 checking their secrets, and for both modes the
 * account a key belongs to. A key not listed maps to itself when it is 12 digits (handy for
 * cross-account tests) and to the default account otherwise.
 */
public final class Credentials {
  /** One access key: its secret, and the account it belongs to (null: decided by the rule above). */
  public record Entry(String accessKeyId, String secretAccessKey, String accountId) {}

  private final Map<String, Entry> byAccessKey;
  private final String defaultAccountId;
  private final Principals principals;

  public Credentials(Map<String, Entry> byAccessKey, String defaultAccountId) {
    this(byAccessKey, defaultAccountId, Principals.none());
  }

  private Credentials(Map<String, Entry> byAccessKey, String defaultAccountId, Principals principals) {
    this.byAccessKey = Map.copyOf(byAccessKey);
    this.defaultAccountId = defaultAccountId;
    this.principals = principals;
  }

  /**
   * These keys and those of the principals file, whose keys call as their principal; a key in
   * both is refused (which one would it be?).
   */
  public Credentials with(Principals file) {
    if (file.isEmpty()) {
      return this;
    }
    Map<String, Entry> all = new LinkedHashMap<>(byAccessKey);
    for (Principals.Principal principal : file.all()) {
      principal.accessKeys().forEach((id, secret) -> {
        if (all.put(id, new Entry(id, secret, principal.accountId())) != null) {
          throw new IllegalArgumentException("access key " + id + " of " + principal.arn()
              + " is also in credentials: give it once");
        }
      });
    }
    return new Credentials(all, defaultAccountId, file);
  }

  /**
   * The ARN requests signed with this key carry: its principal's (a user, a role's session, a
   * root) when the principals file names the key, else its account's root.
   */
  public String callerArn(String accessKeyId, String accountId, String partition) {
    Principals.Principal principal = principals.byAccessKey(accessKeyId);
    return principal != null ? principal.callerArn() : "arn:" + partition + ":iam::" + accountId + ":root";
  }

  public Principals principals() {
    return principals;
  }

  /**
   * Parses {@code AKID:SECRET[:ACCOUNT]} entries separated by commas, e.g.
   * {@code test:test,AKIDEXAMPLE:wJalrXUtnFEMI:111122223333}.
   */
  public static Credentials parse(String spec, String defaultAccountId) {
    Map<String, Entry> entries = new LinkedHashMap<>();
    if (spec != null) {
      for (String item : spec.split(",")) {
        String trimmed = item.trim();
        if (trimmed.isEmpty()) {
          continue;
        }
        String[] parts = trimmed.split(":");
        if (parts.length < 2 || parts.length > 3 || parts[0].isEmpty() || parts[1].isEmpty()) {
          throw new IllegalArgumentException("credentials entries are ACCESS_KEY:SECRET[:ACCOUNT], not '"
              + parts[0] + ":...'");
        }
        String account = parts.length == 3 ? parts[2] : null;
        if (account != null && !isAccountId(account)) {
          throw new IllegalArgumentException("account of access key " + parts[0] + " must be 12 digits");
        }
        entries.put(parts[0], new Entry(parts[0], parts[1], account));
      }
    }
    return new Credentials(entries, defaultAccountId);
  }

  public Entry find(String accessKeyId) {
    return byAccessKey.get(accessKeyId);
  }

  public String defaultAccountId() {
    return defaultAccountId;
  }

  /** The account an access key belongs to. */
  public String accountOf(String accessKeyId) {
    Entry entry = accessKeyId == null ? null : byAccessKey.get(accessKeyId);
    if (entry != null && entry.accountId() != null) {
      return entry.accountId();
    }
    return accessKeyId != null && isAccountId(accessKeyId) ? accessKeyId : defaultAccountId;
  }

  /** The default account and the account of every configured access key. */
  public Set<String> configuredAccountIds() {
    Set<String> accounts = new LinkedHashSet<>();
    accounts.add(defaultAccountId);
    byAccessKey.keySet().forEach(accessKeyId -> accounts.add(accountOf(accessKeyId)));
    return accounts;
  }

  public static boolean isAccountId(String text) {
    if (text.length() != 12) {
      return false;
    }
    for (int i = 0; i < 12; i++) {
      char c = text.charAt(i);
      if (c < '0' || c > '9') {
        return false;
      }
    }
    return true;
  }
}
