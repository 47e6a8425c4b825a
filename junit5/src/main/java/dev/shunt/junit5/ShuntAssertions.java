package dev.shunt.junit5;

/**
 * Entry point of the assertions on what the code under test did with KMS, Secrets Manager and
 * Parameter Store:
 * <pre>
 * import static dev.shunt.junit5.ShuntAssertions.assertThat;
 *
 * assertThat(shunt.audit()).kms("Decrypt").forKey("alias/orders").hasCount(1);
 * </pre>
 * It sits beside AssertJ's {@code Assertions.assertThat} (both may be imported statically).
 */
public final class ShuntAssertions {
  private ShuntAssertions() {}

  /** Assertions on the calls of {@code audit}. */
  public static AuditAssert assertThat(ShuntAudit audit) {
    return new AuditAssert(audit);
  }

  /** Assertions on the calls the test has made so far: the same as {@code assertThat(shunt.audit())}. */
  public static AuditAssert assertThat(Shunt shunt) {
    return new AuditAssert(shunt == null ? null : shunt.audit());
  }
}
