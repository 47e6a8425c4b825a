package dev.shunt.backend.store;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * A store's one writer thread: it takes whatever has queued since its last commit and commits it
 * together (group commit), so that many requests share one transaction and one flush to disk.
 */
final class GroupCommit<B extends GroupCommit.Batch> {
  /** What one request (or a flush, or a clear) queued: completed once it is durable, or failed. */
  interface Batch {
    CompletableFuture<Void> done();
  }

  private final LinkedBlockingQueue<B> queue = new LinkedBlockingQueue<>();
  private final Consumer<List<B>> commit;
  private final Thread writer;
  private volatile boolean closing;

  /** @param commit commits the batches and completes each one's future (the writer thread calls it) */
  GroupCommit(Consumer<List<B>> commit) {
    this.commit = commit;
    this.writer = new Thread(this::writeLoop, "shunt-store-writer");
    writer.setDaemon(true);
  }

  void start() {
    writer.start();
  }

  void add(B batch) {
    queue.add(batch);
  }

  boolean closing() {
    return closing;
  }

  /** Commits what is queued, then stops the writer (waiting up to ten seconds). */
  void close() throws InterruptedException {
    closing = true;
    writer.join(TimeUnit.SECONDS.toMillis(10));
  }

  private void writeLoop() {
    List<B> batches = new ArrayList<>();
    while (true) {
      try {
        B first = queue.poll(100, TimeUnit.MILLISECONDS);
        if (first == null) {
          if (closing && queue.isEmpty()) {
            return;
          }
          continue;
        }
        batches.add(first);
        queue.drainTo(batches);
        commit.accept(batches);
      } catch (InterruptedException e) {
        return;
      } catch (RuntimeException e) {
        // The writer goes on: these requests are answered with the failure, later ones are written.
        batches.forEach(batch -> batch.done().completeExceptionally(e));
      } finally {
        batches.clear();
      }
    }
  }
}
