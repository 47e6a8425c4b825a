package dev.shunt.backend.store;

/** One item as the store holds it: its key, the revision of its last change and its document as JSON bytes. */
public record StoredItem(StoreKey key, long revision, byte[] document) {}
