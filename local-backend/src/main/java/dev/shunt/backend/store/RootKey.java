package dev.shunt.backend.store;

import dev.shunt.backend.crypto.AesGcm;
import dev.shunt.backend.crypto.Randomness;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Arrays;
import java.util.Base64;
import java.util.Set;
import javax.crypto.SecretKey;
import javax.crypto.spec.SecretKeySpec;

/**
 * The key everything Shunt stores is sealed under (AES-256-GCM): kept apart from the database, in
 * a file only its owner may read (made on first start) or given in the environment, so that the
 * database file alone reveals no key material, secret value or SecureString.
 */
public final class RootKey {
  static final int BYTES = 32;
  private static final String FORMAT = "shunt-root-key-v1 ";
  private static final Set<PosixFilePermission> OWNER_ONLY = PosixFilePermissions.fromString("rw-------");

  private final SecretKey key;
  private final String source;

  private RootKey(byte[] bytes, String source) {
    this.key = new SecretKeySpec(bytes, "AES");
    this.source = source;
    Arrays.fill(bytes, (byte) 0);
  }

  /** A key given as base64 text (the {@code root-key} option, meant for the environment). */
  public static RootKey fromText(String base64, String source) {
    byte[] bytes;
    try {
      bytes = Base64.getDecoder().decode(base64.trim());
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(source + " is not base64");
    }
    if (bytes.length != BYTES) {
      throw new IllegalArgumentException(source + " must be " + BYTES + " bytes (base64), not " + bytes.length);
    }
    return new RootKey(bytes, source);
  }

  /** The key in {@code file}, made (owner-only) when the file does not exist yet and {@code create} allows. */
  public static RootKey fromFile(Path file, boolean create) {
    if (!Files.exists(file)) {
      if (!create) {
        throw new StoreException("The root key file " + file + " does not exist, but the data it seals does: "
            + "give the key (root-key-file or SHUNT_ROOT_KEY) that this data directory was made with");
      }
      return createFile(file);
    }
    try {
      checkOwnerOnly(file);
      String text = Files.readString(file, StandardCharsets.US_ASCII).trim();
      if (!text.startsWith(FORMAT)) {
        throw new StoreException("The root key file " + file + " is not a Shunt root key");
      }
      return fromText(text.substring(FORMAT.length()), "The root key file " + file);
    } catch (IOException e) {
      throw new StoreException("Cannot read the root key file " + file + ": " + e.getMessage());
    } catch (IllegalArgumentException e) {
      throw new StoreException(e.getMessage());
    }
  }

  private static RootKey createFile(Path file) {
    byte[] bytes = Randomness.bytes(BYTES);
    String text = FORMAT + Base64.getEncoder().encodeToString(bytes) + "\n";
    try {
      Files.createDirectories(file.toAbsolutePath().getParent());
      try {
        Files.createFile(file, PosixFilePermissions.asFileAttribute(OWNER_ONLY));
      } catch (UnsupportedOperationException e) {
        Files.createFile(file); // not a POSIX file system: its own ACLs apply
      }
      Files.writeString(file, text, StandardCharsets.US_ASCII, StandardOpenOption.WRITE, StandardOpenOption.SYNC);
    } catch (FileAlreadyExistsException e) {
      return fromFile(file, false); // another process made it first
    } catch (IOException e) {
      throw new StoreException("Cannot create the root key file " + file + ": " + e.getMessage());
    }
    return new RootKey(bytes, "the root key file " + file);
  }

  private static void checkOwnerOnly(Path file) throws IOException {
    try {
      Set<PosixFilePermission> permissions = Files.getPosixFilePermissions(file);
      if (permissions.stream().anyMatch(p -> !OWNER_ONLY.contains(p) && p != PosixFilePermission.OWNER_EXECUTE)) {
        throw new StoreException("The root key file " + file + " may be read by others ("
            + PosixFilePermissions.toString(permissions) + "): chmod 600 it");
      }
    } catch (UnsupportedOperationException e) {
      // not a POSIX file system
    }
  }

  /** Where the key came from, for messages (never the key). */
  /**
   * 32 bytes derived from the root key for {@code purpose} (HMAC-SHA256): the same on every node
   * that shares the root key, and telling nothing of it.
   */
  public byte[] derive(String purpose) {
    return dev.shunt.backend.crypto.HmacSha256.of(key.getEncoded(), purpose);
  }

  public String source() {
    return source;
  }

  /** {@code plaintext} sealed: a random IV, the ciphertext and the tag, bound to {@code context}. */
  public byte[] seal(byte[] plaintext, byte[] context) {
    byte[] out = new byte[AesGcm.sealedLength(plaintext.length)];
    Randomness.fill(out, 0, AesGcm.IV_BYTES);
    AesGcm.encrypt(key, out, 0, context, context.length, plaintext, out, AesGcm.IV_BYTES);
    return out;
  }

  /** What {@link #seal} sealed with the same context, or null when the key or context is not the one it was sealed with. */
  public byte[] open(byte[] sealed, byte[] context) {
    if (sealed.length < AesGcm.sealedLength(0)) {
      return null;
    }
    return AesGcm.decrypt(key, sealed, 0, context, context.length, sealed, AesGcm.IV_BYTES,
        sealed.length - AesGcm.IV_BYTES);
  }
}
