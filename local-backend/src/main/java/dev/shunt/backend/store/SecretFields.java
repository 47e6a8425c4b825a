package dev.shunt.backend.store;

import java.nio.charset.StandardCharsets;
import java.util.Base64;

/**
 * How a document carries what must stay secret (key material, secret values, SecureString
 * values): plain base64, or {@code sealed:BASE64}, sealed under a root key, which export writes
 * unless asked for plaintext. Reading takes either form; a sealed one needs the root key it was
 * sealed under.
 */
public final class SecretFields {
  static final String SEALED = "sealed:";
  /** Marks a text secret written in the clear that would otherwise read as sealed (or as marked). */
  static final String PLAIN = "plain:";
  private static final byte[] CONTEXT = "shunt secret field".getBytes(StandardCharsets.UTF_8);

  private final RootKey rootKey;
  private final boolean seal;

  private SecretFields(RootKey rootKey, boolean seal) {
    this.rootKey = rootKey;
    this.seal = seal;
  }

  /** Writes plain base64; reads both forms (sealed ones only with {@code rootKey}, which may be null). */
  public static SecretFields plain(RootKey rootKey) {
    return new SecretFields(rootKey, false);
  }

  /** Writes values sealed under {@code rootKey}; reads both forms. */
  public static SecretFields sealedUnder(RootKey rootKey) {
    return new SecretFields(rootKey, true);
  }

  /** The text a document carries for {@code secret}. */
  public String write(byte[] secret) {
    return seal ? SEALED + Base64.getEncoder().encodeToString(rootKey.seal(secret, CONTEXT))
        : Base64.getEncoder().encodeToString(secret);
  }

  /** Whether written values are sealed (a document compared with a seed's must then be read first). */
  public boolean sealing() {
    return seal;
  }

  /** The bytes a document's {@code field} carries (either form); refuses what is neither, naming the field. */
  public byte[] read(String text, String field) {
    if (text.startsWith(SEALED)) {
      if (rootKey == null) {
        throw new IllegalArgumentException(field + " is sealed, and this Shunt has no root key: give the root key it"
            + " was exported with (root-key or root-key-file)");
      }
      byte[] opened = rootKey.open(decode(text.substring(SEALED.length()), field), CONTEXT);
      if (opened == null) {
        throw new IllegalArgumentException(field + " does not open with this Shunt's root key (" + rootKey.source()
            + "): give the root key it was exported with");
      }
      return opened;
    }
    return decode(text, field);
  }

  /** A value that may be written in the clear (a secret's string) or sealed: sealed ones are read, others taken as they are. */
  public String readText(String text, String field) {
    if (text.startsWith(PLAIN)) {
      return text.substring(PLAIN.length());
    }
    return text.startsWith(SEALED) ? new String(read(text, field), StandardCharsets.UTF_8) : text;
  }

  /**
   * The text a document carries for a string secret: itself in the clear (marked {@code plain:}
   * when it begins like a sealed or marked value), or sealed.
   */
  public String writeText(String secret) {
    if (seal) {
      return write(secret.getBytes(StandardCharsets.UTF_8));
    }
    return secret.startsWith(SEALED) || secret.startsWith(PLAIN) ? PLAIN + secret : secret;
  }

  private static byte[] decode(String base64, String field) {
    try {
      return Base64.getDecoder().decode(base64.trim());
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(field + " is not base64");
    }
  }
}
