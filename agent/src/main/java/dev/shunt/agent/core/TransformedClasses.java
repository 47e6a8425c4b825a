package dev.shunt.agent.core;

import java.io.IOException;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.zip.CRC32;
import java.util.zip.CRC32C;

/**
 * The SDK classes as Shunt's advice made them, kept beside the unpacked agent (whose directory is
 * named after the agent's content), by the length and two different CRCs of the class as the SDK
 * shipped it (a message digest would cost the application's thread a security provider's start).
 * Instrumenting depends on nothing else (the advice matches names and inlines code; no other class is consulted),
 * so the next JVM that loads the same SDK class gets the same bytes without loading Byte Buddy at
 * all: about 1,300 classes and a third of a second saved at every start after the first. Every
 * failure here only means instrumenting again.
 */
final class TransformedClasses {
  private final Path directory;

  TransformedClasses(Path directory) {
    this.directory = directory;
  }

  /** The instrumented class kept under {@code key} (see {@link #key}), if an earlier JVM made it; else null. */
  byte[] find(String key) {
    try {
      Path file = directory.resolve(key);
      return Files.isRegularFile(file) ? Files.readAllBytes(file) : null;
    } catch (IOException | RuntimeException e) {
      return null;
    }
  }

  /** Keeps the instrumented class for the next JVM (written aside and moved, so no reader sees half of it). */
  void keep(String key, byte[] instrumented) {
    try {
      Files.createDirectories(directory);
      Path part = Files.createTempFile(directory, "class", ".part");
      Path file = directory.resolve(key);
      try {
        Files.write(part, instrumented);
        try {
          Files.move(part, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (AtomicMoveNotSupportedException e) {
          Files.move(part, file, StandardCopyOption.REPLACE_EXISTING);
        }
      } finally {
        Files.deleteIfExists(part);
      }
    } catch (IOException | RuntimeException e) {
      // instrumented again next time
    }
  }

  /** The file name of a class as the SDK shipped it. */
  static String key(byte[] original) {
    CRC32 crc32 = new CRC32();
    crc32.update(original);
    CRC32C crc32c = new CRC32C();
    crc32c.update(original);
    return Integer.toHexString(original.length) + "-" + Long.toHexString(crc32.getValue()) + "-"
        + Long.toHexString(crc32c.getValue()) + ".class";
  }
}
