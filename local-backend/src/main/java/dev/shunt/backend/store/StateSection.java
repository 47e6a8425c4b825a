package dev.shunt.backend.store;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.List;
import java.util.function.BiConsumer;

/**
 * One service's state as documents: what the store keeps of each item, what a seed file creates
 * and what export writes are the same document (AWS's field names, as the service's Describe and
 * Get operations show them, plus what AWS never shows: key material, secret values, history).
 * {@code load(export(x))} makes state equal to x.
 */
public interface StateSection {
  /** The section's name in a seed file's Region entry, and the first half of its store kinds: kms, secretsmanager, ssm. */
  String name();

  /** Its kinds of items, in the order they load (keys before the aliases that name them...). */
  List<String> kinds();

  /**
   * Makes the item {@code document} describes in (account, Region), or, when one with its id
   * exists, checks that the document states nothing the item contradicts (loading twice changes
   * nothing). Refuses a malformed or contradicting document with an IllegalArgumentException
   * whose message says what is wrong (the caller names the item).
   */
  void load(String account, String region, String kind, ObjectNode document, SecretFields secrets);

  /**
   * Makes the item {@code document} describes equal to it, replacing the one with its id (another
   * node changed it), or making it when there is none: unlike load, the document wins. What the
   * item's own Describe, Get and List operations read, and every index over it, show the document
   * once this returns; nothing is written to the store (the change came from it). Refuses a
   * malformed document with an IllegalArgumentException, as {@link #load} does.
   */
  void replace(String account, String region, String kind, ObjectNode document, SecretFields secrets);

  /**
   * Removes the item of {@code kind} whose store id is {@code id} (another node deleted it), and
   * what it held in memory, as the service's own deletion would, without its rules (no waiting or
   * recovery window: the other node applied them); nothing when there is none. Writes nothing.
   */
  void remove(String account, String region, String kind, String id);

  /** Every (account, Region) that holds items of this section. */
  List<Scope> scopes();

  /** The items of (account, Region) as {@link #load} takes them, kind by kind: {@code out.accept(kind, document)}. */
  void export(String account, String region, SecretFields secrets, BiConsumer<String, ObjectNode> out);

  /** An account and Region. */
  record Scope(String account, String region) {}
}
