package dev.shunt.backend.store;

/**
 * An item that changed, and the revision its last change took. The store reads the item's
 * document when it writes it: of several changes to one item queued together, only the latest is
 * read and written.
 */
public record Change(Persistent item, long revision) {}
