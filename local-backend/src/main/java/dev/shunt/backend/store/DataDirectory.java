package dev.shunt.backend.store;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Set;
import java.util.stream.Stream;

/**
 * A data directory, locked for as long as one Shunt uses it: a second process (or a second backend
 * in the same JVM) that opens it is refused, naming the holder, rather than writing beside it.
 */
final class DataDirectory implements AutoCloseable {
  static final String LOCK_FILE = "shunt.lock";
  /** What a data directory holds besides its database (and the database's -wal and -shm files). */
  private static final Set<String> OWN_FILES = Set.of(LOCK_FILE, "root.key", "shunt.db.new");

  private final Path path;
  private final FileChannel channel;
  private final FileLock lock;

  private DataDirectory(Path path, FileChannel channel, FileLock lock) {
    this.path = path;
    this.channel = channel;
    this.lock = lock;
  }

  static DataDirectory lock(Path dir) {
    Path path = dir.toAbsolutePath().normalize();
    try {
      if (!Files.isDirectory(path)) {
        if (Files.exists(path)) {
          throw new StoreException("The data directory " + path + " is a file, not a directory");
        }
        try {
          Files.createDirectories(path, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
        } catch (UnsupportedOperationException e) {
          Files.createDirectories(path);
        }
      }
      FileChannel channel = FileChannel.open(path.resolve(LOCK_FILE), StandardOpenOption.CREATE,
          StandardOpenOption.READ, StandardOpenOption.WRITE);
      FileLock lock;
      try {
        lock = channel.tryLock();
      } catch (OverlappingFileLockException e) {
        lock = null;
      }
      if (lock == null) {
        String holder = holder(channel);
        channel.close();
        throw new StoreException("The data directory " + path + " is in use by another Shunt" + holder
            + ": stop it, or give this one another --data-dir");
      }
      channel.truncate(0);
      channel.write(ByteBuffer.wrap(("pid " + ProcessHandle.current().pid() + "\n").getBytes(StandardCharsets.US_ASCII)),
          0);
      return new DataDirectory(path, channel, lock);
    } catch (IOException e) {
      throw new StoreException("Cannot use the data directory " + path + ": " + e);
    }
  }

  private static String holder(FileChannel channel) {
    try {
      ByteBuffer buffer = ByteBuffer.allocate(64);
      channel.read(buffer, 0);
      String text = new String(buffer.array(), 0, buffer.position(), StandardCharsets.US_ASCII).trim();
      return text.startsWith("pid ") && text.substring(4).chars().allMatch(Character::isDigit) ? " (" + text + ")" : "";
    } catch (IOException e) {
      return "";
    }
  }

  Path path() {
    return path;
  }

  /** Whether anything but Shunt's own files is in the directory (a database removed, or not ours). */
  boolean holdsOtherFiles() {
    try (Stream<Path> files = Files.list(path)) {
      return files.map(f -> f.getFileName().toString()).anyMatch(name -> !OWN_FILES.contains(name));
    } catch (IOException e) {
      throw new StoreException("Cannot list the data directory " + path + ": " + e);
    }
  }

  @Override
  public void close() {
    try {
      lock.release();
      channel.close();
    } catch (IOException ignored) {
      // the lock goes with the process anyway
    }
  }
}
