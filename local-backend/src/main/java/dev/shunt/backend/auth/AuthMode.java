package dev.shunt.backend.auth;

/** How requests are authenticated: trust the credential scope as given, or verify SigV4 signatures. */
public enum AuthMode {
  /** The signature is not checked (as other emulators do); the scope still names key and Region. */
  TRUST,
  /** The signature is verified against configured access key / secret pairs. */
  SIGV4;

  public static AuthMode parse(String text) {
    return switch (text.trim().toLowerCase(java.util.Locale.ROOT)) {
      case "trust" -> TRUST;
      case "sigv4" -> SIGV4;
      default -> throw new IllegalArgumentException("auth must be 'trust' or 'sigv4', not '" + text + "'");
    };
  }
}
