package dev.shunt.backend.store;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.shunt.backend.core.Json;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Write-through from memory to the store. A request (or a background change) opens a write set;
 * whatever it changes says so ({@link #touched}, {@link #removed}); when it ends, each changed
 * item's current document is written, and the request is answered once that is durable. An
 * item's revision is taken under its monitor with its document, so of two racing writes of one
 * item the later state always wins on disk; a removal takes its revision at once, so that an item
 * made again under the same id after it is never shadowed by it.
 *
 * <p>With no durable store nothing is opened and every call here is a thread-local read.
 */
public final class Persistence {
  private static final ThreadLocal<WriteSet> CURRENT = new ThreadLocal<>();
  private static final CompletableFuture<Void> NOTHING = CompletableFuture.completedFuture(null);

  private final StateStore store;
  private final AtomicLong revisions;

  /** What one request or background change altered. */
  public static final class WriteSet {
    private final Persistence owner;
    private final List<Persistent> touched = new ArrayList<>(2);
    private final List<StoredItem> removed = new ArrayList<>(0);

    private WriteSet(Persistence owner) {
      this.owner = owner;
    }
  }

  public Persistence(StateStore store) {
    this.store = store;
    this.revisions = new AtomicLong(store.lastRevision());
  }

  public StateStore store() {
    return store;
  }

  /** Opens the calling thread's write set (null, and nothing opened, when nothing is stored). */
  public WriteSet begin() {
    if (!store.durable()) {
      return null;
    }
    WriteSet writes = new WriteSet(this);
    CURRENT.set(writes);
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
    CURRENT.remove();
    if (writes.touched.isEmpty() && writes.removed.isEmpty()) {
      return NOTHING;
    }
    List<StoredItem> items = new ArrayList<>(writes.touched.size() + writes.removed.size());
    items.addAll(writes.removed);
    for (Persistent item : writes.touched) {
      ObjectNode document;
      long revision;
      synchronized (item) {
        document = item.document();
        revision = revisions.incrementAndGet();
      }
      if (document != null) {
        items.add(new StoredItem(item.storeKey(), revision, Json.write(document)));
      }
    }
    return items.isEmpty() ? NOTHING : store.write(items);
  }

  /**
   * Runs a change made outside any request (a rotation step, a seed) in a write set of its own,
   * or in the caller's when it has one; the future completes once it is durable.
   */
  public CompletableFuture<Void> run(Runnable change) {
    if (CURRENT.get() != null) {
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

  /** Notes that {@code item} changed (call it after the change, holding or not its monitor). */
  public static void touched(Persistent item) {
    WriteSet writes = CURRENT.get();
    if (writes == null) {
      return;
    }
    for (Persistent seen : writes.touched) {
      if (seen == item) {
        return;
      }
    }
    writes.touched.add(item);
  }

  /**
   * Notes that {@code item} is gone: call it holding the item's monitor, as it is taken from
   * its map, with {@link Persistent#document} answering null from then on.
   */
  public static void removed(Persistent item) {
    WriteSet writes = CURRENT.get();
    if (writes != null) {
      writes.removed.add(new StoredItem(item.storeKey(), writes.owner.revisions.incrementAndGet(), null));
    }
  }

  /** Whether the calling thread's changes are being written (a durable store, inside a write set). */
  public static boolean recording() {
    return CURRENT.get() != null;
  }
}
