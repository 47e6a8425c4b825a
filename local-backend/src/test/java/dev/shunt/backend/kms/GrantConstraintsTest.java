package dev.shunt.backend.kms;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.shunt.backend.core.Json;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Grant constraints, and what a grant allowing CreateGrant lets its grantee create (AWS,
 * "Granting CreateGrant permission").
 */
class GrantConstraintsTest {
  private static final Map<String, String> T1 = Map.of("tenant", "t1");
  private static final Map<String, String> T1_APP = Map.of("tenant", "t1", "app", "billing");

  private static Grant grant(List<String> operations, Map<String, String> equals, Map<String, String> subset) {
    return new Grant("k", "arn:aws:kms:us-east-1:111122223333:key/k", "g", 0, null, Instant.EPOCH,
        "arn:aws:iam::111122223333:user/bob", null, "arn:aws:iam::111122223333:root", operations, equals, subset);
  }

  @Test
  void equalsWantsExactlyItsPairsAndSubsetWantsThemAmongOthers() {
    assertThat(GrantConstraints.allows(grant(List.of("Decrypt"), T1, null), T1)).isTrue();
    assertThat(GrantConstraints.allows(grant(List.of("Decrypt"), T1, null), T1_APP)).isFalse();
    assertThat(GrantConstraints.allows(grant(List.of("Decrypt"), T1, null), Map.of())).isFalse();
    assertThat(GrantConstraints.allows(grant(List.of("Decrypt"), null, T1), T1_APP)).isTrue();
    assertThat(GrantConstraints.allows(grant(List.of("Decrypt"), null, T1), Map.of("tenant", "T1"))).isFalse();
    assertThat(GrantConstraints.allows(grant(List.of("Decrypt"), null, null), Map.of())).isTrue();
    // An empty constraint is a constraint: equals {} wants no context at all.
    assertThat(GrantConstraints.allows(grant(List.of("Decrypt"), Map.of(), null), Map.of())).isTrue();
    assertThat(GrantConstraints.allows(grant(List.of("Decrypt"), Map.of(), null), T1)).isFalse();
  }

  @Test
  void aChildConstraintMustBeAtLeastAsStrict() {
    // Parent without a constraint: anything goes.
    assertThat(GrantConstraints.atLeastAsStrict(null, null, null, null)).isTrue();
    assertThat(GrantConstraints.atLeastAsStrict(T1, null, null, null)).isTrue();
    // Parent subset: the child may add pairs or turn it into equals, not drop or change pairs.
    assertThat(GrantConstraints.atLeastAsStrict(null, T1, null, T1)).isTrue();
    assertThat(GrantConstraints.atLeastAsStrict(null, T1_APP, null, T1)).isTrue();
    assertThat(GrantConstraints.atLeastAsStrict(T1_APP, null, null, T1)).isTrue();
    assertThat(GrantConstraints.atLeastAsStrict(null, null, null, T1)).isFalse();
    assertThat(GrantConstraints.atLeastAsStrict(null, Map.of("app", "billing"), null, T1)).isFalse();
    assertThat(GrantConstraints.atLeastAsStrict(null, Map.of("tenant", "t2"), null, T1)).isFalse();
    // Parent equals: only the same equals (a subset, even a larger one, lets other contexts through).
    assertThat(GrantConstraints.atLeastAsStrict(T1, null, T1, null)).isTrue();
    assertThat(GrantConstraints.atLeastAsStrict(T1_APP, null, T1, null)).isFalse();
    assertThat(GrantConstraints.atLeastAsStrict(null, T1, T1, null)).isFalse();
    assertThat(GrantConstraints.atLeastAsStrict(null, null, T1, null)).isFalse();
  }

  @Test
  void aChildGrantsOperationsMustBeAmongTheParents() {
    Grant parent = grant(List.of("Decrypt", "Encrypt", "CreateGrant"), null, T1);
    assertThat(GrantConstraints.allowsChild(parent, request("[\"Decrypt\"]", "{\"EncryptionContextSubset\":"
        + "{\"tenant\":\"t1\"}}"))).isTrue();
    assertThat(GrantConstraints.allowsChild(parent, request("[\"Decrypt\",\"CreateGrant\"]",
        "{\"EncryptionContextEquals\":{\"tenant\":\"t1\",\"app\":\"x\"}}"))).isTrue();
    assertThat(GrantConstraints.allowsChild(parent, request("[\"Decrypt\",\"GenerateDataKey\"]",
        "{\"EncryptionContextSubset\":{\"tenant\":\"t1\"}}"))).isFalse();
    assertThat(GrantConstraints.allowsChild(parent, request("[\"Decrypt\"]", null))).isFalse();
    assertThat(GrantConstraints.allowsChild(parent, request("[\"Decrypt\", 7]", "{\"EncryptionContextSubset\":"
        + "{\"tenant\":\"t1\"}}"))).isFalse();
    assertThat(GrantConstraints.allowsChild(parent, null)).isFalse();
    // A parent without a constraint lets a child of any constraint through, if its operations fit.
    Grant open = grant(List.of("Decrypt", "CreateGrant"), null, null);
    assertThat(GrantConstraints.allowsChild(open, request("[\"Decrypt\",\"Decrypt\"]", null))).isTrue();
    assertThat(GrantConstraints.allowsChild(open, request("[\"Encrypt\"]", null))).isFalse();
  }

  private static ObjectNode request(String operations, String constraints) {
    try {
      return (ObjectNode) Json.readTree("{\"Operations\":" + operations
          + (constraints == null ? "" : ",\"Constraints\":" + constraints) + "}");
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }
}
