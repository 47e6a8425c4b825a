package dev.shunt.backend.core;

import dev.shunt.backend.crypto.HmacSha256;
import dev.shunt.backend.crypto.Randomness;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Arrays;
import java.util.Base64;
import javax.crypto.Mac;

/**
 * Opaque paging tokens (KMS's {@code Marker}, Secrets Manager's and SSM's {@code NextToken}): a
 * listing's kind and a position in it (typically the last item a page returned), sealed with an
 * HMAC under a key that lives only in this process. So resuming is a seek, never a rescan, and a
 * token Shunt did not make for that listing (garbage, edited, truncated, another listing's) is
 * recognised, for the service to refuse with its own error. A backend with a data directory
 * adopts the key kept there ({@link #adoptKey}), so its tokens stay valid across a restart.
 */
public final class PageTokens {
  private static final int TAG_BYTES = 12;
  private static final byte SEPARATOR = '\n';
  private static volatile ThreadLocal<Mac> mac = HmacSha256.perThread(Randomness.bytes(32));
  private static final Base64.Encoder ENCODER = Base64.getUrlEncoder().withoutPadding();
  private static final Base64.Decoder DECODER = Base64.getUrlDecoder();

  private PageTokens() {}

  /**
   * The token of {@code position} in a listing of {@code kind} (a short name with no newline,
   * such as {@code kms.keys}).
   */
  public static String seal(String kind, String position) {
    byte[] payload = (kind + (char) SEPARATOR + position).getBytes(StandardCharsets.UTF_8);
    byte[] tag = tag(payload, payload.length);
    return ENCODER.encodeToString(ByteBuffer.allocate(payload.length + TAG_BYTES).put(payload).put(tag, 0, TAG_BYTES)
        .array());
  }

  /** The position a token holds, or null when it is not a token this process made for {@code kind}. */
  public static String open(String kind, String token) {
    byte[] bytes;
    try {
      bytes = DECODER.decode(token);
    } catch (IllegalArgumentException e) {
      return null;
    }
    int payload = bytes.length - TAG_BYTES;
    byte[] prefix = (kind + (char) SEPARATOR).getBytes(StandardCharsets.UTF_8);
    if (payload < prefix.length) {
      return null;
    }
    byte[] expected = tag(bytes, payload);
    if (!MessageDigest.isEqual(Arrays.copyOf(expected, TAG_BYTES), Arrays.copyOfRange(bytes, payload, bytes.length))
        || !Arrays.equals(prefix, 0, prefix.length, bytes, 0, prefix.length)) {
      return null;
    }
    return new String(bytes, prefix.length, payload - prefix.length, StandardCharsets.UTF_8);
  }

  /** The token of the {@code offset}-th item of a listing of {@code kind} that pages by position. */
  public static String sealOffset(String kind, int offset) {
    return seal(kind, Integer.toString(offset));
  }

  /**
   * The offset a {@link #sealOffset} token holds, or -1 when it is not such a token for
   * {@code kind} or lies beyond a listing of {@code size} items.
   */
  public static int openOffset(String kind, String token, int size) {
    String position = open(kind, token);
    try {
      int offset = position == null ? -1 : Integer.parseInt(position);
      return offset >= 0 && offset <= size ? offset : -1;
    } catch (NumberFormatException e) {
      return -1;
    }
  }

  /**
   * Seals and opens tokens under {@code key} from now on (a durable backend's, kept in its data
   * directory): tokens made under the previous key no longer open. A process runs one durable backend.
   */
  public static void adoptKey(byte[] key) {
    mac = HmacSha256.perThread(key);
  }

  private static byte[] tag(byte[] bytes, int length) {
    Mac keyed = mac.get();
    keyed.update(bytes, 0, length);
    return keyed.doFinal();
  }
}
