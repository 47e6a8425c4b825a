package dev.shunt.junit5;

/**
 * When a test class's backend forgets what the tests did: its keys, secrets, parameters, request
 * counters and clock go back to what the seed files give.
 */
public enum Reset {
  /**
   * Before every test method (the default): each test starts from the seed files alone, whatever
   * the tests before it created. Test methods of one class then cannot run concurrently.
   */
  PER_METHOD,
  /**
   * Never while the class runs: what one test (or a {@code @BeforeAll} method) creates, the next
   * sees. Quotas and faults a test sets are still undone after it, and each test's
   * {@link Shunt#audit() audit} still starts empty.
   */
  PER_CLASS
}
