package dev.shunt.backend.store;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;

/**
 * Two nodes sharing state, for tests: node A's changes are written through a real SQLite store,
 * and what that store then holds (rows changed since the last look, and rows gone) is what node B
 * receives and applies with {@link SeedFiles#replace} and {@link SeedFiles#remove}. B applies
 * them inside a write set of a durable store of its own, so that anything the apply wrote back
 * would land there: {@link #deliver} checks that nothing does.
 */
public final class StoreFeed implements AutoCloseable {
  private final SqliteStore written;
  private final Persistence writes;
  private final SqliteStore echo;
  private final Persistence echoes;
  private final SeedFiles receiver;
  private final SecretFields secrets = SecretFields.plain(null);
  private final Map<StoreKey, Long> seen = new HashMap<>();

  /** {@code a} and {@code b}: two empty directories; {@code receiver}: node B's sections. */
  public StoreFeed(Path a, Path b, SeedFiles receiver) {
    this.written = SqliteStore.open(a, null, null, SqliteStore.Durability.PROCESS);
    this.writes = new Persistence(written);
    this.echo = SqliteStore.open(b, null, null, SqliteStore.Durability.PROCESS);
    this.echoes = new Persistence(echo);
    this.receiver = receiver;
  }

  /** Runs a change on node A as a request runs (in a write set) and waits until it is stored. */
  public void onA(Runnable change) {
    writes.run(change).join();
  }

  /** What node A's store holds now, item by item. */
  public List<StoredItem> stored() {
    written.flush();
    return written.load();
  }

  /** The stored item of that kind and id, or null. */
  public StoredItem item(String kind, String id) {
    for (StoredItem item : stored()) {
      if (item.key().kind().equals(kind) && item.key().id().equals(id)) {
        return item;
      }
    }
    return null;
  }

  /**
   * Delivers to node B every row of A's store changed since the last delivery (a newer revision)
   * and every row gone since, whose kind {@code kinds} takes; returns how many. B's own store must
   * stay empty: applying writes nothing back.
   */
  public int deliver(Predicate<String> kinds) {
    List<StoredItem> now = stored();
    Map<StoreKey, Long> present = new HashMap<>();
    List<StoredItem> changed = new ArrayList<>();
    for (StoredItem item : now) {
      present.put(item.key(), item.revision());
      Long before = seen.get(item.key());
      if (kinds.test(item.key().kind()) && (before == null || before < item.revision())) {
        changed.add(item);
      }
    }
    List<StoreKey> gone = new ArrayList<>();
    for (StoreKey key : seen.keySet()) {
      if (!present.containsKey(key) && kinds.test(key.kind())) {
        gone.add(key);
      }
    }
    // In revision order, as a node learns of them.
    changed.sort(java.util.Comparator.comparingLong(StoredItem::revision));
    echoes.run(() -> {
      assertThat(Persistence.recording()).isTrue();
      changed.forEach(item -> receiver.replace(item, secrets));
      gone.forEach(receiver::remove);
    }).join();
    changed.forEach(item -> seen.put(item.key(), item.revision()));
    gone.forEach(seen::remove);
    echo.flush();
    assertThat(echo.load()).as("what applying another node's changes wrote back").isEmpty();
    return changed.size() + gone.size();
  }

  /** Delivers every kind. */
  public int deliver() {
    return deliver(kind -> true);
  }

  /** Applies one row to node B as {@link #deliver} does, whether or not it changed. */
  public void redeliver(StoredItem item) {
    echoes.run(() -> receiver.replace(item, secrets)).join();
    echo.flush();
    assertThat(echo.load()).isEmpty();
  }

  @Override
  public void close() {
    written.close();
    echo.close();
  }
}
