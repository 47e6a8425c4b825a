package dev.shunt.backend.kms;

import dev.shunt.backend.core.RequestContext;
import java.security.MessageDigest;

/**
 * GenerateMac and VerifyMac's domain: an HMAC KMS key's MAC of a message, with KMS's rules (the
 * key's usage and its one MAC algorithm) and errors, and nothing of the wire.
 */
final class KmsMacBackend {
  /** The result of GenerateMac: the MAC, the key that made it, and its algorithm. */
  record Mac(byte[] mac, KmsKey key, String algorithm) {}

  private final KmsBackend kms;

  KmsMacBackend(KmsBackend kms) {
    this.kms = kms;
  }

  Mac generateMac(RequestContext ctx, String keyId, byte[] message, String algorithm, boolean dryRun) {
    KmsKey key = macKey(ctx, keyId, algorithm, "GenerateMac", dryRun);
    Mac made = new Mac(mac(key, algorithm, message), key, algorithm);
    key.recordUse("GenerateMac", ctx.requestId(), ctx.now());
    return made;
  }

  /**
   * Returns the key when {@code mac} is the key's MAC of the message, else throws KMS's
   * KMSInvalidMacException. The comparison takes the same time wherever the MACs differ, so a
   * caller cannot forge a MAC a byte at a time from response times.
   */
  KmsKey verifyMac(RequestContext ctx, String keyId, byte[] message, String algorithm, byte[] mac, boolean dryRun) {
    KmsKey key = macKey(ctx, keyId, algorithm, "VerifyMac", dryRun);
    if (!MessageDigest.isEqual(mac(key, algorithm, message), mac)) {
      throw KmsErrors.invalidMac();
    }
    key.recordUse("VerifyMac", ctx.requestId(), ctx.now());
    return key;
  }

  /** HMAC keys never rotate: the current material is the only one. */
  private static byte[] mac(KmsKey key, String algorithm, byte[] message) {
    return key.spec.family().mac(key.currentMaterial().privateMaterial(), algorithm, message);
  }

  /**
   * The key, checked as KMS checks it: found, allowed, enabled, an HMAC key, and the algorithm its
   * own; a DryRun stops there, having checked everything but the MAC itself.
   */
  private KmsKey macKey(RequestContext ctx, String keyId, String algorithm, String action, boolean dryRun) {
    KmsKey key = kms.enabledKey(ctx, keyId, action);
    if (!key.keyUsage.equals(KeySpec.Usage.GENERATE_VERIFY_MAC)) {
      throw KmsErrors.invalidKeyUsage(key.arn + " key usage is " + key.keyUsage + " which is not valid for "
          + action + ".");
    }
    if (!key.spec.algorithms(KeySpec.Usage.GENERATE_VERIFY_MAC).contains(algorithm)) {
      throw KmsErrors.invalidKeyUsage("The MAC algorithm " + algorithm + " is not valid for " + key.arn
          + ", whose KeySpec is " + key.keySpec + "; use " + key.spec.algorithms(KeySpec.Usage.GENERATE_VERIFY_MAC)
          .get(0) + ".");
    }
    if (dryRun) {
      throw KmsErrors.dryRun();
    }
    return key;
  }
}
