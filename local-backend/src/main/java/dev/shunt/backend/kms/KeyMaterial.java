package dev.shunt.backend.kms;

import dev.shunt.backend.crypto.Randomness;
import dev.shunt.backend.kms.crypto.PrivateMaterial;
import java.time.Instant;
import java.util.HexFormat;
import javax.crypto.spec.SecretKeySpec;

/**
 * One version of a key's material, named by a 32-byte id: for a symmetric key a 256-bit AES key,
 * which every ciphertext made with it names (so rotation never strands an old ciphertext); for
 * any other spec its family's material (a key pair, an HMAC key).
 *
 * @param secretKey the AES key of a SYMMETRIC_DEFAULT key, else null
 * @param privateMaterial the material of any other spec, else null
 * @param rotationType null for the material the key was created with, else AUTOMATIC or ON_DEMAND
 */
record KeyMaterial(byte[] id, String idHex, SecretKeySpec secretKey, PrivateMaterial privateMaterial,
    Instant createdAt, String rotationType) {

  /** New AES material for a SYMMETRIC_DEFAULT key. */
  static KeyMaterial generate(Instant createdAt, String rotationType) {
    return new KeyMaterial(Randomness.bytes(32), new SecretKeySpec(Randomness.bytes(32), "AES"), null, createdAt,
        rotationType);
  }

  /** New material of the spec's family (AES for SYMMETRIC_DEFAULT). */
  static KeyMaterial generate(KeySpec spec, Instant createdAt) {
    return spec.symmetric() ? generate(createdAt, null)
        : new KeyMaterial(Randomness.bytes(32), null, spec.family().generate(spec.name()), createdAt, null);
  }

  KeyMaterial(byte[] id, SecretKeySpec secretKey, PrivateMaterial privateMaterial, Instant createdAt,
      String rotationType) {
    this(id, HexFormat.of().formatHex(id), secretKey, privateMaterial, createdAt, rotationType);
  }

  @Override
  public String toString() {
    return "KeyMaterial[" + idHex + "]";
  }
}
