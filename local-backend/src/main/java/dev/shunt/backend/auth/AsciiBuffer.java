package dev.shunt.backend.auth;

import java.nio.charset.StandardCharsets;

/**
 * A growable byte buffer for SigV4's canonical request and string to sign, reused by one thread
 * request after request: text goes in as UTF-8 bytes (nearly always ASCII) and is hashed from
 * here, without the StringBuilder, String and byte[] copies in between.
 */
final class AsciiBuffer {
  private static final byte[] HEX = "0123456789abcdef".getBytes(StandardCharsets.US_ASCII);
  /** Beyond this a buffer is not kept for the next request (one huge header must not pin memory). */
  private static final int KEEP = 64 * 1024;

  private byte[] bytes = new byte[1024];
  private int length;

  AsciiBuffer reset() {
    if (bytes.length > KEEP) {
      bytes = new byte[1024];
    }
    length = 0;
    return this;
  }

  byte[] array() {
    return bytes;
  }

  int length() {
    return length;
  }

  AsciiBuffer append(char c) {
    if (c < 0x80) {
      ensure(1);
      bytes[length++] = (byte) c;
      return this;
    }
    return appendUtf8(String.valueOf(c));
  }

  AsciiBuffer append(CharSequence text) {
    return append(text, 0, text.length());
  }

  AsciiBuffer append(CharSequence text, int start, int end) {
    ensure(end - start);
    for (int i = start; i < end; i++) {
      char c = text.charAt(i);
      if (c >= 0x80) {
        return appendUtf8(text.subSequence(i, end).toString());
      }
      bytes[length++] = (byte) c;
    }
    return this;
  }

  /** Lower-case hex of {@code data}, as SigV4 writes hashes. */
  AsciiBuffer appendHex(byte[] data) {
    ensure(data.length * 2);
    for (byte b : data) {
      bytes[length++] = HEX[(b >> 4) & 0xF];
      bytes[length++] = HEX[b & 0xF];
    }
    return this;
  }

  private AsciiBuffer appendUtf8(String text) {
    byte[] encoded = text.getBytes(StandardCharsets.UTF_8);
    ensure(encoded.length);
    System.arraycopy(encoded, 0, bytes, length, encoded.length);
    length += encoded.length;
    return this;
  }

  private void ensure(int more) {
    if (length + more > bytes.length) {
      byte[] grown = new byte[Math.max(bytes.length * 2, length + more)];
      System.arraycopy(bytes, 0, grown, 0, length);
      bytes = grown;
    }
  }

  /**
   * Whether {@code hex} is the lower-case hex of {@code data}, compared in time that does not
   * depend on where they differ.
   */
  static boolean hexEquals(byte[] data, String hex) {
    if (hex == null || hex.length() != data.length * 2) {
      return false;
    }
    int difference = 0;
    for (int i = 0; i < data.length; i++) {
      difference |= hex.charAt(2 * i) ^ HEX[(data[i] >> 4) & 0xF];
      difference |= hex.charAt(2 * i + 1) ^ HEX[data[i] & 0xF];
    }
    return difference == 0;
  }
}
