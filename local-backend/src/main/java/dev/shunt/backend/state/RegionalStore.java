package dev.shunt.backend.state;

import java.util.Collection;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.BiFunction;

/**
 * One service's state, partitioned by (account, Region) as AWS partitions it: keys in us-east-1
 * are invisible in eu-west-1, and one account's secrets are not another's.
 *
 * @param <T> the state of one account in one Region
 */
public final class RegionalStore<T> {
  // Nested by account, then Region, so that a lookup on the hot path allocates no key.
  private final ConcurrentHashMap<String, ConcurrentHashMap<String, T>> states = new ConcurrentHashMap<>();
  private final BiFunction<String, String, T> factory;

  /** @param factory makes the empty state of (account, Region) */
  public RegionalStore(BiFunction<String, String, T> factory) {
    this.factory = factory;
  }

  /** The state of (account, Region), created empty on first use. */
  public T get(String accountId, String region) {
    ConcurrentHashMap<String, T> regions = states.get(accountId);
    if (regions == null) {
      regions = states.computeIfAbsent(accountId, a -> new ConcurrentHashMap<>());
    }
    T state = regions.get(region);
    return state != null ? state : regions.computeIfAbsent(region, r -> factory.apply(accountId, r));
  }

  /** The state of (account, Region) if it was ever used, else null. */
  public T peek(String accountId, String region) {
    ConcurrentHashMap<String, T> regions = states.get(accountId);
    return regions == null ? null : regions.get(region);
  }

  public Collection<T> all() {
    return states.values().stream().flatMap(regions -> regions.values().stream()).toList();
  }

  public void clear() {
    states.clear();
  }
}
