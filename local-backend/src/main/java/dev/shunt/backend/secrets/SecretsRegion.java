package dev.shunt.backend.secrets;

import dev.shunt.backend.store.Persistence;
import java.time.Instant;
import java.util.Comparator;
import java.util.NavigableMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentSkipListMap;

/**
 * The secrets of one account in one Region: by name (the identity) and by full ARN for lookups,
 * and in each order ListSecrets sorts by (creation, the default; name; last changed; last
 * accessed), each a sorted concurrent map, so that a page starts at its token with a seek and
 * never a scan or a sort of the whole Region.
 *
 * <p>Index updates for a secret happen under that secret's monitor: {@link #add}, {@link #remove}
 * and the date setters on {@link Secret}, which move it in the date indexes. {@link #remove}
 * also tells the store the secret is gone; whoever adds one touches it.
 */
final class SecretsRegion {
  /** The position of a secret in a date order: the date (epoch millis; MIN_VALUE for none) and the ARN. */
  record OrderKey(long millis, String arn) {
    static OrderKey of(Instant date, String arn) {
      return new OrderKey(date == null ? Long.MIN_VALUE : date.toEpochMilli(), arn);
    }
  }

  static final Comparator<OrderKey> ORDER =
      Comparator.comparingLong(OrderKey::millis).thenComparing(OrderKey::arn);

  /** ListSecrets' SortBy values, and the index each reads. */
  enum SortBy {
    CREATED("created-date"), NAME("name"), LAST_CHANGED("last-changed-date"), LAST_ACCESSED("last-accessed-date");

    final String wire;

    SortBy(String wire) {
      this.wire = wire;
    }

    static SortBy of(String wire) {
      for (SortBy sort : values()) {
        if (sort.wire.equals(wire)) {
          return sort;
        }
      }
      return null;
    }
  }

  final String accountId;
  final String region;
  final ConcurrentHashMap<String, Secret> byName = new ConcurrentHashMap<>();
  final ConcurrentHashMap<String, Secret> byArn = new ConcurrentHashMap<>();
  final ConcurrentSkipListMap<OrderKey, Secret> byCreation = new ConcurrentSkipListMap<>(ORDER);
  final ConcurrentSkipListMap<String, Secret> byNameOrder = new ConcurrentSkipListMap<>();
  final ConcurrentSkipListMap<OrderKey, Secret> byLastChanged = new ConcurrentSkipListMap<>(ORDER);
  final ConcurrentSkipListMap<OrderKey, Secret> byLastAccessed = new ConcurrentSkipListMap<>(ORDER);

  SecretsRegion(String accountId, String region) {
    this.accountId = accountId;
    this.region = region;
  }

  static OrderKey orderOf(Secret secret) {
    return OrderKey.of(secret.createdDate, secret.arn);
  }

  /** Adds a secret unless its name is taken; returns the secret holding the name. */
  Secret add(Secret secret) {
    synchronized (secret) {
      Secret existing = byName.putIfAbsent(secret.name, secret);
      if (existing != null) {
        return existing;
      }
      byArn.put(secret.arn, secret);
      byCreation.put(orderOf(secret), secret);
      byNameOrder.put(secret.name, secret);
      secret.home = this;
      indexDates(secret);
      return secret;
    }
  }

  void remove(Secret secret) {
    remove(secret, true);
  }

  /**
   * Takes out a secret another node removed (its deletion took effect there, or was forced): as
   * {@link #remove}, but nothing is written (the removal came from the store), and a late change
   * to the secret here is not written either (it has no home).
   */
  void forget(Secret secret) {
    remove(secret, false);
  }

  private void remove(Secret secret, boolean write) {
    synchronized (secret) {
      // Only this secret's monitor takes it out of byName, so the check holds until the remove.
      if (byName.get(secret.name) != secret) {
        return;
      }
      if (write) {
        // Its removal takes its revision while the name is still taken: a secret made anew under the
        // name afterwards takes a later one, and the store keeps that secret, not this removal.
        Persistence.removed(secret);
      }
      secret.home = null;
      byName.remove(secret.name, secret);
      byArn.remove(secret.arn, secret);
      byCreation.remove(orderOf(secret), secret);
      byNameOrder.remove(secret.name, secret);
      unindexDates(secret);
    }
  }

  /**
   * Puts {@code fresh} (another node's secret of the same name: deleted and made again there, so
   * another ARN) in place of {@code old} in every index, under both monitors, so that a lookup by
   * name finds one or the other, never neither; {@code old} leaves its home and is never written
   * again. False (nothing changed) when {@code old} no longer holds the name.
   */
  boolean swap(Secret old, Secret fresh) {
    synchronized (old) {
      synchronized (fresh) {
        if (!byName.replace(old.name, old, fresh)) {
          return false;
        }
        byArn.put(fresh.arn, fresh);
        byArn.remove(old.arn, old);
        byCreation.put(orderOf(fresh), fresh);
        byCreation.remove(orderOf(old), old);
        byNameOrder.put(fresh.name, fresh);
        unindexDates(old);
        old.home = null;
        fresh.home = this;
        indexDates(fresh);
        return true;
      }
    }
  }

  /** The index a sort reads, in ascending order; its keys are Strings (names) or {@link OrderKey}s. */
  NavigableMap<?, Secret> index(SortBy sort) {
    return switch (sort) {
      case CREATED -> byCreation;
      case NAME -> byNameOrder;
      case LAST_CHANGED -> byLastChanged;
      case LAST_ACCESSED -> byLastAccessed;
    };
  }

  /** Puts a secret into the date indexes by its current dates; under its monitor. */
  void indexDates(Secret secret) {
    byLastChanged.put(OrderKey.of(secret.lastChangedDate, secret.arn), secret);
    byLastAccessed.put(OrderKey.of(secret.lastAccessedDate, secret.arn), secret);
  }

  /** Takes a secret out of the date indexes, before its dates change; under its monitor. */
  void unindexDates(Secret secret) {
    byLastChanged.remove(OrderKey.of(secret.lastChangedDate, secret.arn), secret);
    byLastAccessed.remove(OrderKey.of(secret.lastAccessedDate, secret.arn), secret);
  }
}
