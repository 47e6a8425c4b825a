package dev.shunt.backend.secrets;

import java.nio.charset.StandardCharsets;

/** A secret value as a request gives it: SecretString (held as UTF-8) or SecretBinary. */
record SecretValue(byte[] bytes, boolean binary) {
  static SecretValue of(String string, byte[] binary) {
    if (string != null && binary != null) {
      throw SecretsErrors.invalidParameter(
          "You can't specify both a binary secret value and a string secret value in the same secret.");
    }
    if (string != null) {
      return new SecretValue(string.getBytes(StandardCharsets.UTF_8), false);
    }
    return binary == null ? null : new SecretValue(binary, true);
  }

  String string() {
    return new String(bytes, StandardCharsets.UTF_8);
  }
}
