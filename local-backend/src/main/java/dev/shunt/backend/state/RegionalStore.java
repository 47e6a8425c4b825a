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
  private record Scope(String accountId, String region) {}

  private final ConcurrentHashMap<Scope, T> states = new ConcurrentHashMap<>();
  private final BiFunction<String, String, T> factory;

  /** @param factory makes the empty state of (account, Region) */
  public RegionalStore(BiFunction<String, String, T> factory) {
    this.factory = factory;
  }

  /** The state of (account, Region), created empty on first use. */
  public T get(String accountId, String region) {
    Scope scope = new Scope(accountId, region);
    T state = states.get(scope);
    return state != null ? state : states.computeIfAbsent(scope, s -> factory.apply(s.accountId, s.region));
  }

  /** The state of (account, Region) if it was ever used, else null. */
  public T peek(String accountId, String region) {
    return states.get(new Scope(accountId, region));
  }

  public Collection<T> all() {
    return states.values();
  }

  public void clear() {
    states.clear();
  }
}
