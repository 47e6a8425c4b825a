package dev.shunt.backend.kms;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * One grant on a key, immutable: who may use the key for which operations, under which
 * encryption context constraint, and who may retire it. {@code sequence} orders a key's grants
 * by creation, which is the order ListGrants pages through.
 */
record Grant(String keyId, String keyArn, String grantId, long sequence, String name, Instant creationDate,
    String granteePrincipal, String retiringPrincipal, String issuingAccount, List<String> operations,
    Map<String, String> contextEquals, Map<String, String> contextSubset) {

  /** Whether a CreateGrant with these parameters repeats this grant (AWS returns the same GrantId then). */
  boolean sameRequest(String name, String granteePrincipal, String retiringPrincipal, List<String> operations,
      Map<String, String> contextEquals, Map<String, String> contextSubset) {
    return name.equals(this.name) && granteePrincipal.equals(this.granteePrincipal)
        && java.util.Objects.equals(retiringPrincipal, this.retiringPrincipal)
        && Set.copyOf(operations).equals(Set.copyOf(this.operations))
        && java.util.Objects.equals(contextEquals, this.contextEquals)
        && java.util.Objects.equals(contextSubset, this.contextSubset);
  }
}
