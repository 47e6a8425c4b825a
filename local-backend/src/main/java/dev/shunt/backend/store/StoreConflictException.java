package dev.shunt.backend.store;

/**
 * A change was based on an item another node had changed since: it is not written, memory now
 * holds the other node's version, and the request is answered with a retryable error so that its
 * retry works on that version.
 */
public final class StoreConflictException extends StoreException {
  public StoreConflictException(String message) {
    super(message);
  }
}
