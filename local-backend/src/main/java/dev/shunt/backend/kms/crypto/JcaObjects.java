package dev.shunt.backend.kms.crypto;

import java.security.GeneralSecurityException;
import java.security.Signature;
import java.util.HashMap;
import java.util.Map;
import javax.crypto.Cipher;

/**
 * Per-thread JCA {@link Signature} and {@link Cipher} objects by transformation name: looking one
 * up in the providers costs more than an RSA-2048 verification, so each thread makes each once.
 * A caller always re-initialises the object with its key and parameters before use.
 */
final class JcaObjects {
  private static final ThreadLocal<Map<String, Signature>> SIGNATURES = ThreadLocal.withInitial(HashMap::new);
  private static final ThreadLocal<Map<String, Cipher>> CIPHERS = ThreadLocal.withInitial(HashMap::new);

  private JcaObjects() {}

  static Signature signature(String name) throws GeneralSecurityException {
    return cached(SIGNATURES.get(), name, Signature::getInstance);
  }

  static Cipher cipher(String name) throws GeneralSecurityException {
    return cached(CIPHERS.get(), name, Cipher::getInstance);
  }

  /** How a JCA object is made from its transformation name. */
  @FunctionalInterface
  private interface Factory<T> {
    T make(String name) throws GeneralSecurityException;
  }

  private static <T> T cached(Map<String, T> cache, String name, Factory<T> factory)
      throws GeneralSecurityException {
    T object = cache.get(name);
    if (object == null) {
      object = factory.make(name);
      cache.put(name, object);
    }
    return object;
  }
}
