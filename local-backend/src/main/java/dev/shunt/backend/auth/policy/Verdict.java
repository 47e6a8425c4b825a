package dev.shunt.backend.auth.policy;

/**
 * The outcome of evaluating one policy for one request, and which statement decided it:
 * {@code statementIndex} counts from 0 in the order of the document ({@code -1} for {@link Effect#NONE}),
 * {@code sid} is that statement's Sid or null when it has none.
 */
public record Verdict(Effect effect, int statementIndex, String sid) {
  /** An explicit Deny, an Allow, or no statement applies (an implicit deny). */
  public enum Effect { ALLOW, DENY, NONE }

  /** No statement applies; shared, so that evaluation allocates nothing. */
  public static final Verdict NONE = new Verdict(Effect.NONE, -1, null);

  public boolean allowed() {
    return effect == Effect.ALLOW;
  }

  public boolean denied() {
    return effect == Effect.DENY;
  }

  /** The deciding statement for a message: its Sid, else {@code #index}; null when none decided. */
  public String statement() {
    if (statementIndex < 0) {
      return null;
    }
    return sid != null && !sid.isEmpty() ? sid : "#" + statementIndex;
  }
}
