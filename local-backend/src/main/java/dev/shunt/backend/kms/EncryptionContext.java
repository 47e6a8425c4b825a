package dev.shunt.backend.kms;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.TreeMap;

/**
 * The canonical bytes of an encryption context, bound into every ciphertext as authenticated
 * data: pairs sorted by key, each part length-prefixed, so that equal contexts give equal bytes
 * whatever order the JSON listed them in, and no two different contexts give the same bytes.
 */
final class EncryptionContext {
  private EncryptionContext() {}

  static byte[] canonical(Map<String, String> context) {
    if (context == null || context.isEmpty()) {
      return new byte[0];
    }
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    for (Map.Entry<String, String> entry : new TreeMap<>(context).entrySet()) {
      writeLengthPrefixed(out, entry.getKey());
      writeLengthPrefixed(out, entry.getValue());
    }
    return out.toByteArray();
  }

  private static void writeLengthPrefixed(ByteArrayOutputStream out, String text) {
    byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
    int length = bytes.length;
    out.write(length >>> 24);
    out.write(length >>> 16);
    out.write(length >>> 8);
    out.write(length);
    out.write(bytes, 0, length);
  }
}
