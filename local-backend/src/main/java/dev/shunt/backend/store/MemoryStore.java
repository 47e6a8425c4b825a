package dev.shunt.backend.store;

import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;

/** No store: state lives and dies with the process ({@code --in-memory}, the embedded default). */
public final class MemoryStore implements StateStore {
  private static final CompletableFuture<Void> DONE = CompletableFuture.completedFuture(null);
  private final Map<String, byte[]> meta = new ConcurrentHashMap<>();

  @Override
  public List<StoredItem> load() {
    return List.of();
  }

  @Override
  public long lastRevision() {
    return 0;
  }

  @Override
  public CompletableFuture<Void> write(List<Change> changes) {
    return DONE;
  }

  @Override
  public void clear() {}

  @Override
  public void flush() {}

  @Override
  public byte[] meta(String name) {
    return meta.get(name);
  }

  @Override
  public void putMeta(String name, byte[] value) {
    meta.put(name, value);
  }

  @Override
  public String location() {
    return "memory";
  }

  @Override
  public boolean durable() {
    return false;
  }

  @Override
  public void close() {}
}
