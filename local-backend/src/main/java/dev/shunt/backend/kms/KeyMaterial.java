package dev.shunt.backend.kms;

import dev.shunt.backend.crypto.Randomness;
import java.time.Instant;
import java.util.HexFormat;
import javax.crypto.spec.SecretKeySpec;

/**
 * One version of a key's material: a 256-bit AES key, named by a 32-byte id that every
 * ciphertext made with it carries (so rotation never strands an old ciphertext).
 *
 * @param rotationType null for the material the key was created with, else AUTOMATIC or ON_DEMAND
 */
record KeyMaterial(byte[] id, String idHex, SecretKeySpec secretKey, Instant createdAt, String rotationType) {

  static KeyMaterial generate(Instant createdAt, String rotationType) {
    byte[] id = Randomness.bytes(32);
    byte[] key = Randomness.bytes(32);
    return new KeyMaterial(id, HexFormat.of().formatHex(id), new SecretKeySpec(key, "AES"), createdAt, rotationType);
  }

  @Override
  public String toString() {
    return "KeyMaterial[" + idHex + "]";
  }
}
