package dev.shunt.junit5;

/** How the test backend authenticates requests. */
public enum Auth {
  /** The SigV4 credential scope names the caller's access key and Region; the signature is not checked. */
  TRUST,
  /**
   * Signatures are verified, as AWS does: a client with a wrong secret key is refused with
   * {@code InvalidSignatureException}. The injected clients sign with the extension's credentials.
   */
  SIGV4
}
