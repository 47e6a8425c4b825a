package dev.shunt.backend.store;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.ReentrantReadWriteLock;

/**
 * Write-through from memory to the store. A request (or a background change) opens a write set;
 * whatever it changes says so ({@link #touched}) and takes a revision then; when the request
 * ends, its changes go to the store, which reads each item's current document (or, for an item
 * gone, writes its removal) under that revision, and the request is answered once that is
 * durable. So of racing writes of one item the last to change it has the highest revision, and
 * its document, read after its change, holds every earlier change: the disk never goes back to
 * an older state.
 *
 * <p>With no durable store nothing is opened and every call here is one thread-local read.
 */
public final class Persistence {
  private static final ThreadLocal<WriteSet> CURRENT = new ThreadLocal<>();
  private static final CompletableFuture<Void> NOTHING = CompletableFuture.completedFuture(null);

  private final StateStore store;
  private final AtomicLong revisions;
  /**
   * With a store other nodes share: held for reading from a change to its hand-over to the store,
   * and for writing while another node's changes are applied, so that the version a change is
   * based on ({@link StateStore#write}) is the version of what it changed.
   */
  private final ReentrantReadWriteLock remote;

  /**
   * What one request or background change altered, each item with the revision of its last
   * change. One per thread, reused: a request that changes nothing (Decrypt) allocates nothing.
   */
  public static final class WriteSet {
    private Persistence owner;
    private boolean open;
    private final List<Persistent> items = new ArrayList<>(2);
    private long[] revisions = new long[2];

    private void add(Persistent item) {
      long revision = owner.revisions.incrementAndGet();
      for (int i = 0; i < items.size(); i++) {
        if (items.get(i) == item) {
          revisions[i] = revision;
          return;
        }
      }
      if (items.size() == revisions.length) {
        revisions = java.util.Arrays.copyOf(revisions, revisions.length * 2);
      }
      revisions[items.size()] = revision;
      items.add(item);
    }
  }

  public Persistence(StateStore store) {
    this.store = store;
    this.revisions = new AtomicLong(store.lastRevision());
    this.remote = store.shared() ? new ReentrantReadWriteLock() : null;
  }

  /** Opens the calling thread's write set (null, and nothing opened, when nothing is stored). */
  public WriteSet begin() {
    if (!store.durable()) {
      return null;
    }
    WriteSet writes = CURRENT.get();
    if (writes == null) {
      writes = new WriteSet();
      CURRENT.set(writes);
    }
    if (remote != null && !writes.open) {
      remote.readLock().lock();
    }
    writes.owner = this;
    writes.open = true;
    return writes;
  }

  /**
   * Closes the thread's write set and writes what it changed: the future completes once that is
   * durable (at once when nothing changed).
   */
  public CompletableFuture<Void> end(WriteSet writes) {
    if (writes == null) {
      return NOTHING;
    }
    boolean wasOpen = writes.open;
    writes.open = false;
    writes.owner = null;
    try {
      if (writes.items.isEmpty()) {
        return NOTHING;
      }
      List<Change> changes = new ArrayList<>(writes.items.size());
      for (int i = 0; i < writes.items.size(); i++) {
        changes.add(new Change(writes.items.get(i), writes.revisions[i]));
      }
      writes.items.clear();
      return store.write(changes);
    } finally {
      if (remote != null && wasOpen) {
        remote.readLock().unlock();
      }
    }
  }

  /**
   * Runs {@code change} (another node's changes, applied to memory) while no change of this node's
   * is between its making and its hand-over to the store. Not from inside a write set.
   */
  public void exclusively(Runnable change) {
    if (remote == null) {
      change.run();
      return;
    }
    if (recording()) {
      throw new IllegalStateException("Another node's changes are applied outside any write set");
    }
    remote.writeLock().lock();
    try {
      change.run();
    } finally {
      remote.writeLock().unlock();
    }
  }

  /**
   * Runs a change made outside any request (a rotation step, a seed) in a write set of its own,
   * or in the caller's when it has one; the future completes once it is durable.
   */
  public CompletableFuture<Void> run(Runnable change) {
    if (recording()) {
      change.run();
      return NOTHING;
    }
    WriteSet writes = begin();
    try {
      change.run();
    } catch (RuntimeException | Error e) {
      end(writes);
      throw e;
    }
    return end(writes);
  }

  /** Notes that {@code item} changed: call it after the change (holding its monitor or not). */
  public static void touched(Persistent item) {
    WriteSet writes = CURRENT.get();
    if (writes != null && writes.open) {
      writes.add(item);
    }
  }

  /**
   * Notes that {@code item} is gone (its {@link Persistent#document} answers null from now on):
   * its removal is written. Call it holding the item's monitor before its id is free again (before
   * it leaves its map), so that an item made anew under that id takes a later revision.
   */
  public static void removed(Persistent item) {
    touched(item);
  }

  /** Whether the calling thread's changes are being written (a durable store, inside a write set). */
  public static boolean recording() {
    WriteSet writes = CURRENT.get();
    return writes != null && writes.open;
  }
}
