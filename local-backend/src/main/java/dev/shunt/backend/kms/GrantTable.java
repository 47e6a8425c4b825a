package dev.shunt.backend.kms;

import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentSkipListMap;

/**
 * The grants of one account's keys in one Region. Ordered by (key id, creation sequence) so a
 * key's grants are one sub-map that ListGrants pages through by seeking; indexed by grant id for
 * RetireGrant and RevokeGrant, and by (key, grantee principal) for access decisions and the quota
 * of grants per grantee, so neither walks a key's up to 50,000 grants. Changes hold this table's
 * lock (grant operations are 50 per second at AWS); reads do not.
 */
final class GrantTable {
  private final ConcurrentSkipListMap<String, Grant> ordered = new ConcurrentSkipListMap<>();
  private final ConcurrentHashMap<String, Grant> byId = new ConcurrentHashMap<>();
  /**
   * A key's grants for one grantee principal ({@link #granteeSlot}), each an immutable list
   * replaced on change (so a reader sees a whole one without a lock); at most 500 long but for
   * grants restored from a store.
   */
  private final ConcurrentHashMap<String, List<Grant>> byGrantee = new ConcurrentHashMap<>();
  /** Grants per key, for the per-key quota without counting a sub-map of up to 50,000 (guarded by this). */
  private final HashMap<String, Integer> counts = new HashMap<>();
  private long nextSequence;

  /**
   * The position of a grant in {@link #ordered}: key id, '/', zero-padded sequence (so text order
   * is creation order), '/', grant id. The grant id makes two grants one sequence apart never
   * share a place: nodes sharing a store each number their own grants, so one made on another
   * node may come with a sequence a grant here has already.
   */
  static String position(String keyId, long sequence, String grantId) {
    return keyId + '/' + String.format("%019d", sequence) + '/' + grantId;
  }

  private static String position(Grant grant) {
    return position(grant.keyId(), grant.sequence(), grant.grantId());
  }

  /** A key id never holds a space, and a principal (an ARN or a service name) never does either. */
  private static String granteeSlot(String keyId, String grantee) {
    return keyId + ' ' + grantee;
  }

  synchronized long nextSequence() {
    return nextSequence++;
  }

  /** A stored or seeded grant took this sequence: later ones come after it. */
  synchronized void restoredSequence(long sequence) {
    nextSequence = Math.max(nextSequence, sequence + 1);
  }

  Grant byId(String grantId) {
    return byId.get(grantId);
  }

  /** A key's grants from after {@code afterPosition} (null: the first) in creation order. */
  Collection<Grant> ofKey(String keyId, String afterPosition) {
    String from = afterPosition != null ? afterPosition : keyId + '/';
    // '0' sorts right after '/', so this is exactly the key's positions.
    return ordered.subMap(from, afterPosition == null, keyId + '0', false).values();
  }

  /** A key's grants whose grantee principal is exactly {@code grantee}, in creation order (no lock, no copy). */
  List<Grant> ofGrantee(String keyId, String grantee) {
    return byGrantee.getOrDefault(granteeSlot(keyId, grantee), List.of());
  }

  /** Every grant, in (key id, creation) order, from after {@code afterPosition} (null: the first). */
  Collection<Grant> all(String afterPosition) {
    return (afterPosition == null ? ordered : ordered.tailMap(afterPosition, false)).values();
  }

  synchronized int countOf(String keyId) {
    return counts.getOrDefault(keyId, 0);
  }

  synchronized void add(Grant grant) {
    ordered.put(position(grant), grant);
    byId.put(grant.grantId(), grant);
    counts.merge(grant.keyId(), 1, Integer::sum);
    byGrantee.compute(granteeSlot(grant.keyId(), grant.granteePrincipal()), (slot, grants) -> {
      List<Grant> more = new ArrayList<>(grants == null ? 1 : grants.size() + 1);
      if (grants != null) {
        more.addAll(grants);
      }
      more.add(grant);
      return List.copyOf(more);
    });
  }

  synchronized boolean remove(Grant grant) {
    if (byId.remove(grant.grantId(), grant)) {
      ordered.remove(position(grant), grant);
      counts.computeIfPresent(grant.keyId(), (key, count) -> count == 1 ? null : count - 1);
      byGrantee.computeIfPresent(granteeSlot(grant.keyId(), grant.granteePrincipal()), (slot, grants) -> {
        List<Grant> fewer = new ArrayList<>(grants);
        fewer.remove(grant);
        return fewer.isEmpty() ? null : List.copyOf(fewer);
      });
      return true;
    }
    return false;
  }

  /**
   * Puts a grant another node wrote in place of the one with its id, or adds it: each index moves
   * from the old grant to the new at once where they share a place (a reader sees one or the
   * other), and the per-key count and per-grantee lists stay what {@link #add} and {@link #remove}
   * make them.
   */
  synchronized void replace(Grant grant) {
    Grant old = byId.get(grant.grantId());
    if (old == null) {
      add(grant);
      return;
    }
    if (!old.keyId().equals(grant.keyId()) || !old.granteePrincipal().equals(grant.granteePrincipal())) {
      remove(old);
      add(grant);
      return;
    }
    ordered.put(position(grant), grant);
    if (old.sequence() != grant.sequence()) {
      ordered.remove(position(old), old);
    }
    byId.put(grant.grantId(), grant);
    byGrantee.computeIfPresent(granteeSlot(grant.keyId(), grant.granteePrincipal()), (slot, grants) -> {
      List<Grant> replaced = new ArrayList<>(grants);
      replaced.replaceAll(each -> each == old ? grant : each);
      return List.copyOf(replaced);
    });
  }

  /** Forgets a deleted key's grants. */
  synchronized void removeKey(String keyId) {
    List<Grant> gone = new ArrayList<>(ofKey(keyId, null));
    for (Grant grant : gone) {
      // All of the key's grants go: each grantee's list goes whole rather than shrinking one by one.
      byGrantee.remove(granteeSlot(keyId, grant.granteePrincipal()));
      byId.remove(grant.grantId(), grant);
      ordered.remove(position(grant), grant);
    }
    counts.remove(keyId);
  }
}
