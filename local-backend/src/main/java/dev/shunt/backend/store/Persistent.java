package dev.shunt.backend.store;

import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * A piece of state the store keeps (a key, an alias, a secret, a parameter). Its monitor (the
 * object itself) guards its mutable state: the store takes it to read a consistent document.
 */
public interface Persistent {
  StoreKey storeKey();

  /**
   * The item's whole current state as its section's document (as seed files and export show it),
   * or null once it is gone (then its removal is written). Called holding this object's monitor,
   * after the change that touched it.
   */
  ObjectNode document();
}
