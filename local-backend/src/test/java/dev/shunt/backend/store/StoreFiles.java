package dev.shunt.backend.store;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.List;
import java.util.stream.Stream;

/** What tests look for in a data directory's files. */
public final class StoreFiles {
  private StoreFiles() {}

  /** Whether any file in {@code dir} holds {@code secret}, as raw bytes or as base64 text. */
  public static boolean contain(Path dir, byte[] secret) throws IOException {
    byte[] base64 = Base64.getEncoder().encodeToString(secret).getBytes(StandardCharsets.US_ASCII);
    List<Path> files;
    try (Stream<Path> listed = Files.list(dir)) {
      files = listed.filter(Files::isRegularFile).toList();
    }
    for (Path file : files) {
      byte[] bytes = Files.readAllBytes(file);
      if (indexOf(bytes, secret) >= 0 || indexOf(bytes, base64) >= 0) {
        return true;
      }
    }
    return false;
  }

  public static int indexOf(byte[] haystack, byte[] needle) {
    outer:
    for (int i = 0; i + needle.length <= haystack.length; i++) {
      for (int j = 0; j < needle.length; j++) {
        if (haystack[i + j] != needle[j]) {
          continue outer;
        }
      }
      return i;
    }
    return -1;
  }
}
