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

  /** Every (account, Region) that holds items of this section. */
  List<Scope> scopes();

  /** The items of (account, Region) as {@link #load} takes them, kind by kind: {@code out.accept(kind, document)}. */
  void export(String account, String region, SecretFields secrets, BiConsumer<String, ObjectNode> out);

  /** An account and Region. */
  record Scope(String account, String region) {}
}
