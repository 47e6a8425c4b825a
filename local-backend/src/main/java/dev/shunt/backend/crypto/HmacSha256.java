package dev.shunt.backend.crypto;

import java.security.GeneralSecurityException;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/** HMAC-SHA256 instances, one per thread (getting a Mac is costly; reusing one is not). */
public final class HmacSha256 {
  private HmacSha256() {}

  /** A per-thread Mac, unkeyed: each use initialises it with its own key. */
  public static ThreadLocal<Mac> perThread() {
    return ThreadLocal.withInitial(HmacSha256::create);
  }

  /** A per-thread Mac already keyed with {@code key}. */
  public static ThreadLocal<Mac> perThread(byte[] key) {
    SecretKeySpec spec = new SecretKeySpec(key, "HmacSHA256");
    return ThreadLocal.withInitial(() -> {
      Mac mac = create();
      try {
        mac.init(spec);
      } catch (GeneralSecurityException e) {
        throw new IllegalStateException("HmacSHA256 refused a 256-bit key", e);
      }
      return mac;
    });
  }

  /** HMAC-SHA256 of {@code text} under {@code key}, once (off any hot path). */
  public static byte[] of(byte[] key, String text) {
    Mac mac = create();
    try {
      mac.init(new SecretKeySpec(key, "HmacSHA256"));
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("HmacSHA256 refused a key", e);
    }
    return mac.doFinal(text.getBytes(java.nio.charset.StandardCharsets.UTF_8));
  }

  /** A new, unkeyed Mac. */
  public static Mac create() {
    try {
      return Mac.getInstance("HmacSHA256");
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("HmacSHA256 is missing from this JVM", e);
    }
  }
}
