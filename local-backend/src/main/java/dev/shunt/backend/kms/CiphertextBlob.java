package dev.shunt.backend.kms;

import dev.shunt.backend.crypto.AesGcm;
import dev.shunt.backend.crypto.Randomness;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.UUID;

/**
 * The self-describing ciphertext format of symmetric keys. Everything Decrypt needs is in the
 * blob, so it needs no KeyId and holds no in-memory handle (it stays valid as long as the key
 * material exists, across restarts once state is durable):
 *
 * <pre>
 *  0      'S' (0x53)          format magic
 *  1      0x01                format version
 *  2..9   account id          12 digits as a big-endian long
 *  10     key id kind         0 = UUID key id, 1 = multi-Region key id (mrk- and 32 hex digits)
 *  11..26 key id              16 bytes (the UUID's, or the 32 hex digits')
 *  27..58 key material id     32 bytes (the KeyMaterialId)
 *  59..70 IV                  12 random bytes
 *  71..   AES-256-GCM ciphertext, then the 16-byte tag
 * </pre>
 *
 * The authenticated data is bytes 0..70 followed by the canonical encryption context, so a changed
 * header, a changed context or a changed byte of ciphertext all fail the tag check.
 */
final class CiphertextBlob {
  static final int HEADER_BYTES = 71;
  private static final byte MAGIC = 0x53;
  private static final byte VERSION = 0x01;
  private static final int ACCOUNT_OFFSET = 2;
  private static final int KIND_OFFSET = 10;
  private static final int KEY_ID_OFFSET = 11;
  private static final int MATERIAL_OFFSET = 27;
  private static final int IV_OFFSET = 59;
  private static final byte KIND_UUID = 0;
  private static final byte KIND_MULTI_REGION = 1;

  /** What a blob's header says: whose key, which material. */
  record Header(String accountId, String keyId, byte[] materialId) {}

  private CiphertextBlob() {}

  static byte[] seal(String accountId, String keyId, KeyMaterial material, byte[] context, byte[] plaintext) {
    byte[] blob = new byte[HEADER_BYTES + plaintext.length + AesGcm.TAG_BYTES];
    ByteBuffer header = ByteBuffer.wrap(blob);
    if (keyId.charAt(3) == '-') {
      // mrk-<32 hex>: related multi-Region keys share the id, so a blob opens in any of their Regions.
      header.put(MAGIC).put(VERSION).putLong(Long.parseLong(accountId)).put(KIND_MULTI_REGION);
      header.put(HexFormat.of().parseHex(keyId, 4, 36));
    } else {
      header.put(MAGIC).put(VERSION).putLong(Long.parseLong(accountId)).put(KIND_UUID);
      UUID uuid = UUID.fromString(keyId);
      header.putLong(uuid.getMostSignificantBits()).putLong(uuid.getLeastSignificantBits());
    }
    header.put(material.id());
    Randomness.fill(blob, IV_OFFSET, AesGcm.IV_BYTES);
    byte[] aad = aad(blob, context);
    AesGcm.encrypt(material.secretKey(), blob, IV_OFFSET, aad, aad.length, plaintext, blob, HEADER_BYTES);
    return blob;
  }

  /** Reads the header, or returns null when the bytes are not a blob of this format. */
  static Header header(byte[] blob) {
    if (blob.length < HEADER_BYTES + AesGcm.TAG_BYTES || blob[0] != MAGIC || blob[1] != VERSION
        || (blob[KIND_OFFSET] != KIND_UUID && blob[KIND_OFFSET] != KIND_MULTI_REGION)) {
      return null;
    }
    ByteBuffer buffer = ByteBuffer.wrap(blob);
    long account = buffer.getLong(ACCOUNT_OFFSET);
    if (account < 0 || account > 999_999_999_999L) {
      return null;
    }
    String keyId = blob[KIND_OFFSET] == KIND_UUID
        ? new UUID(buffer.getLong(KEY_ID_OFFSET), buffer.getLong(KEY_ID_OFFSET + 8)).toString()
        : MultiRegionKeys.KEY_ID_PREFIX + HexFormat.of().formatHex(blob, KEY_ID_OFFSET, KEY_ID_OFFSET + 16);
    return new Header(accountDigits(account), keyId,
        Arrays.copyOfRange(blob, MATERIAL_OFFSET, MATERIAL_OFFSET + 32));
  }

  private static String accountDigits(long account) {
    String digits = Long.toString(account);
    return "000000000000".substring(digits.length()) + digits;
  }

  /** Decrypts a blob whose header was read; returns null when the tag does not verify. */
  static byte[] open(byte[] blob, KeyMaterial material, byte[] context) {
    byte[] aad = aad(blob, context);
    return AesGcm.decrypt(material.secretKey(), blob, IV_OFFSET, aad, aad.length, blob, HEADER_BYTES,
        blob.length - HEADER_BYTES);
  }

  private static byte[] aad(byte[] blob, byte[] context) {
    byte[] aad = Arrays.copyOf(blob, HEADER_BYTES + context.length);
    System.arraycopy(context, 0, aad, HEADER_BYTES, context.length);
    return aad;
  }
}
