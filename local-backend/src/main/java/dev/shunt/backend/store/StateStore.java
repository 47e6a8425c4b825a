package dev.shunt.backend.store;

import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * Where state is kept beyond the process: every service persists through this one seam, so
 * another engine (PostgreSQL) plugs in without touching a service. State is served from memory;
 * the store is written through and read once, at start.
 */
public interface StateStore extends AutoCloseable {
  /** Every item stored (none removed), in no particular order; read once, before the first write. */
  List<StoredItem> load();

  /** The highest revision stored, from which new revisions continue. */
  long lastRevision();

  /**
   * Writes the changed items' documents (a later revision of a key replaces an earlier one, never
   * the reverse); the future completes once they are durable, or fails if they cannot be made so.
   */
  CompletableFuture<Void> write(List<Change> changes);

  /** Waits (a few seconds at most) until every write queued so far is durable or failed. */
  void flush();

  /** Removes every item (the admin reset), after the writes queued before it. */
  void clear();

  /**
   * A value kept beside the items (a paging key...), sealed; null when none was put. In a shared
   * store the first value put wins: read it again after {@link #putMeta}.
   */
  byte[] meta(String name);

  void putMeta(String name, byte[] value);

  /**
   * Whether other nodes write this store too. Then {@link #write} checks that what it writes is
   * based on the latest stored version of each item (a change based on an older one fails with
   * {@link StoreConflictException}, and memory is brought up to date), and {@link #follow} keeps
   * memory up to date with the other nodes' changes.
   */
  default boolean shared() {
    return false;
  }

  /**
   * Starts applying other nodes' changes (a shared store): {@code apply} gets each changed item as
   * stored (a null document: removed), called inside {@code exclusively}, which runs it while no
   * change of this node's is under way. Nothing for a store only this node writes.
   */
  default void follow(java.util.function.Consumer<Runnable> exclusively,
      java.util.function.Consumer<StoredItem> apply) {}

  /** Where the state lives, for the operator ("/home/me/.shunt/data"; "memory"). */
  String location();

  boolean durable();

  /** Waits for the writes queued so far, then releases the store (and its lock). */
  @Override
  void close();
}
