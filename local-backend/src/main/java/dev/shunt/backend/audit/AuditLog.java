package dev.shunt.backend.audit;

import dev.shunt.backend.core.Json;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReferenceArray;
import java.util.concurrent.atomic.LongAdder;

/**
 * Where audit events go: the most recent ones in memory (for {@code GET /_shunt/audit}), and,
 * when a file is configured, every one as a CloudTrail record on a line of a JSON-lines file that
 * rotates by size ({@code FILE}, {@code FILE.1}, ... {@code FILE.N}). Requests only enqueue; one
 * background thread renders and writes, so a slow disk never holds a request. If the disk falls
 * that far behind, events are dropped from the file and counted.
 */
public final class AuditLog implements AutoCloseable {
  private static final System.Logger LOG = System.getLogger("dev.shunt.backend.audit");
  private static final int QUEUE = 65_536;

  private final AtomicReferenceArray<AuditEvent> recent;
  private final AtomicLong added = new AtomicLong();
  private volatile long clearedAt;
  private final LongAdder dropped = new LongAdder();
  private final BlockingQueue<AuditEvent> queue;
  private final Thread writer;
  private volatile boolean closing;

  /** @param file the JSON-lines file, or null for memory only */
  public AuditLog(int recentCapacity, Path file, long maxFileBytes, int keepFiles) {
    this.recent = new AtomicReferenceArray<>(recentCapacity);
    if (file == null) {
      queue = null;
      writer = null;
      return;
    }
    RotatingFile out = new RotatingFile(file, maxFileBytes, keepFiles);
    queue = new ArrayBlockingQueue<>(QUEUE);
    writer = new Thread(() -> drain(out), "shunt-audit-writer");
    writer.setDaemon(true);
    writer.start();
  }

  public void add(AuditEvent event) {
    long index = added.getAndIncrement();
    recent.set((int) (index % recent.length()), event);
    if (queue != null && !queue.offer(event)) {
      dropped.increment();
    }
  }

  /** Up to {@code limit} of the most recent events, oldest first. */
  public List<AuditEvent> recent(int limit) {
    long end = added.get();
    long start = Math.max(Math.max(clearedAt, end - recent.length()), end - limit);
    List<AuditEvent> events = new ArrayList<>((int) Math.max(0, end - start));
    for (long i = start; i < end; i++) {
      AuditEvent event = recent.get((int) (i % recent.length()));
      if (event != null) {
        events.add(event);
      }
    }
    return events;
  }

  /** Forgets the recent events (the file keeps them). */
  public void clear() {
    clearedAt = added.get();
  }

  /** Events the file never got because the writer fell too far behind. */
  public long dropped() {
    return dropped.sum();
  }

  private void drain(RotatingFile out) {
    List<AuditEvent> batch = new ArrayList<>(256);
    try {
      while (!closing || !queue.isEmpty()) {
        AuditEvent first = queue.poll(200, TimeUnit.MILLISECONDS);
        if (first == null) {
          continue;
        }
        batch.add(first);
        queue.drainTo(batch, 4096);
        for (AuditEvent event : batch) {
          out.write(Json.write(CloudTrailRecords.render(event)));
        }
        batch.clear();
        out.flush();
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (IOException | RuntimeException e) {
      LOG.log(System.Logger.Level.ERROR, "The audit log stopped: " + e);
    } finally {
      out.close();
    }
  }

  @Override
  public void close() {
    if (writer == null) {
      return;
    }
    closing = true;
    try {
      writer.join(5_000);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /** A JSON-lines file that moves to {@code .1} (and older ones up) when the next line would pass the size. */
  private static final class RotatingFile {
    private final Path file;
    private final long maxBytes;
    private final int keep;
    private OutputStream out;
    private long size;

    RotatingFile(Path file, long maxBytes, int keep) {
      this.file = file;
      this.maxBytes = maxBytes;
      this.keep = keep;
    }

    void write(byte[] line) throws IOException {
      if (out == null) {
        open();
      }
      if (size > 0 && size + line.length + 1 > maxBytes) {
        rotate();
      }
      out.write(line);
      out.write('\n');
      size += line.length + 1;
    }

    private void open() throws IOException {
      Path parent = file.toAbsolutePath().getParent();
      if (parent != null) {
        Files.createDirectories(parent);
      }
      out = new BufferedOutputStream(Files.newOutputStream(file, StandardOpenOption.CREATE,
          StandardOpenOption.APPEND), 64 * 1024);
      size = Files.size(file);
    }

    private void rotate() throws IOException {
      out.close();
      Files.deleteIfExists(numbered(keep));
      for (int i = keep - 1; i >= 1; i--) {
        if (Files.exists(numbered(i))) {
          Files.move(numbered(i), numbered(i + 1), StandardCopyOption.REPLACE_EXISTING);
        }
      }
      if (keep > 0) {
        Files.move(file, numbered(1), StandardCopyOption.REPLACE_EXISTING);
      } else {
        Files.delete(file);
      }
      open();
    }

    private Path numbered(int n) {
      return file.resolveSibling(file.getFileName() + "." + n);
    }

    void flush() throws IOException {
      if (out != null) {
        out.flush();
      }
    }

    void close() {
      try {
        if (out != null) {
          out.close();
        }
      } catch (IOException e) {
        LOG.log(System.Logger.Level.WARNING, "Closing the audit log failed: " + e);
      }
    }
  }
}
