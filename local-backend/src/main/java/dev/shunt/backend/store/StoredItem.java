package dev.shunt.backend.store;

/**
 * One item as written: its key, a revision (a later revision of the same key replaces an earlier
 * one, whichever reaches the disk first) and its document as JSON bytes, or null once the item is gone.
 */
public record StoredItem(StoreKey key, long revision, byte[] document) {
  public boolean removed() {
    return document == null;
  }
}
