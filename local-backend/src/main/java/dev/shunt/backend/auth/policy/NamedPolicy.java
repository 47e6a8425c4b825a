package dev.shunt.backend.auth.policy;

import java.util.Objects;

/** A policy with the name a decision reports it by (an IAM policy name, "key policy"...). */
public record NamedPolicy(String name, Policy policy) {
  public NamedPolicy {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(policy, "policy");
  }
}
