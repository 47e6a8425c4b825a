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
    Map<String, Signature> cache = SIGNATURES.get();
    Signature signature = cache.get(name);
    if (signature == null) {
      signature = Signature.getInstance(name);
      cache.put(name, signature);
    }
    return signature;
  }

  static Cipher cipher(String name) throws GeneralSecurityException {
    Map<String, Cipher> cache = CIPHERS.get();
    Cipher cipher = cache.get(name);
    if (cipher == null) {
      cipher = Cipher.getInstance(name);
      cache.put(name, cipher);
    }
    return cipher;
  }
}
