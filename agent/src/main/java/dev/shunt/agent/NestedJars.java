package dev.shunt.agent;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.time.Instant;
import java.util.Comparator;
import java.util.Set;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;
import java.util.stream.Stream;

/**
 * The jars the agent carries inside its own ({@code shunt/*.jar}), on disk where a class loader can
 * open them. They are unpacked once per content into {@code $XDG_CACHE_HOME/shunt} (else
 * {@code ~/.cache/shunt}), a directory only its owner may use, named after a digest of the nested
 * jars' sizes and CRC-32s as the agent jar's directory records them, so a JVM start costs a few
 * file checks and a new build gets a directory of its own. Where no such cache can be made, they go
 * to a fresh temporary directory that is removed when the JVM exits.
 */
final class NestedJars {
  static final String[] NAMES = {"agent-core.jar", "sdk-interceptors.jar", "opentelemetry-api.jar",
      "opentelemetry-context.jar", "opentelemetry-common.jar"};
  private static final Set<PosixFilePermission> OWNER_ONLY = PosixFilePermissions.fromString("rwx------");
  /** Unpacked versions untouched for this long are removed when another is unpacked. */
  private static final Duration STALE = Duration.ofDays(7);

  private NestedJars() {}

  /** The directory holding every nested jar by its name. */
  static Path unpack(Path agentJar) throws IOException {
    try (JarFile jar = new JarFile(agentJar.toFile(), false)) {
      Path cache = cacheDirectory();
      if (cache != null) {
        Path dir = cache.resolve("agent-" + digest(jar));
        if (complete(jar, dir)) {
          dir.toFile().setLastModified(System.currentTimeMillis());
          return dir;
        }
        try {
          Files.createDirectories(dir);
          extract(jar, dir);
          removeStale(cache, dir);
          return dir;
        } catch (IOException e) {
          // an unwritable cache: unpack for this JVM only
        }
      }
      Path dir = Files.createTempDirectory("shunt-agent-");
      Runtime.getRuntime().addShutdownHook(new Thread(() -> delete(dir), "shunt-agent-cleanup"));
      extract(jar, dir);
      return dir;
    }
  }

  /** The cache root, made owner-only; null when it cannot be made or is not safely this user's own. */
  private static Path cacheDirectory() {
    try {
      String xdg = System.getenv("XDG_CACHE_HOME");
      Path root = xdg != null && !xdg.isBlank() ? Path.of(xdg) : Path.of(System.getProperty("user.home"), ".cache");
      Path cache = root.resolve("shunt");
      boolean posix = root.getFileSystem().supportedFileAttributeViews().contains("posix");
      if (!Files.isDirectory(cache)) {
        Files.createDirectories(root);
        if (posix) {
          Files.createDirectory(cache, PosixFilePermissions.asFileAttribute(OWNER_ONLY));
        } else {
          Files.createDirectory(cache);
        }
      }
      // Another user's or a shared directory could hold jars planted for this JVM to run.
      boolean own = Files.getOwner(cache).getName().equals(System.getProperty("user.name"));
      return own && (!posix || Files.getPosixFilePermissions(cache).equals(OWNER_ONLY)) ? cache : null;
    } catch (IOException | RuntimeException e) {
      return null;
    }
  }

  /**
   * What the agent jar's directory says of each nested jar, its CRC-32 and size in hex: a name that
   * changes with any of their contents (and needs no message digest, which would cost this JVM's
   * start a security provider).
   */
  private static String digest(JarFile jar) throws IOException {
    StringBuilder digest = new StringBuilder();
    for (String name : NAMES) {
      JarEntry entry = entry(jar, name);
      digest.append(digest.length() == 0 ? "" : "-").append(Long.toHexString(entry.getCrc())).append('.')
          .append(Long.toHexString(entry.getSize()));
    }
    return digest.toString();
  }

  private static boolean complete(JarFile jar, Path dir) throws IOException {
    for (String name : NAMES) {
      Path file = dir.resolve(name);
      if (!Files.isRegularFile(file) || Files.size(file) != entry(jar, name).getSize()) {
        return false;
      }
    }
    return true;
  }

  /** Each jar is written beside its final name and moved there, so JVMs starting together never see half a jar. */
  private static void extract(JarFile jar, Path dir) throws IOException {
    for (String name : NAMES) {
      Path target = dir.resolve(name);
      Path part = Files.createTempFile(dir, name, ".part");
      try (InputStream in = jar.getInputStream(entry(jar, name))) {
        Files.copy(in, part, StandardCopyOption.REPLACE_EXISTING);
        try {
          Files.move(part, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (AtomicMoveNotSupportedException e) {
          Files.move(part, target, StandardCopyOption.REPLACE_EXISTING);
        }
      } finally {
        Files.deleteIfExists(part);
      }
    }
  }

  private static JarEntry entry(JarFile jar, String name) throws IOException {
    JarEntry entry = jar.getJarEntry("shunt/" + name);
    if (entry == null) {
      throw new IOException("shunt/" + name + " is missing from the agent jar");
    }
    return entry;
  }

  /** Other unpacked versions nobody started for a while (the JVMs that use one keep it fresh). */
  private static void removeStale(Path cache, Path current) {
    Instant before = Instant.now().minus(STALE);
    try (DirectoryStream<Path> versions = Files.newDirectoryStream(cache, "agent-*")) {
      for (Path version : versions) {
        if (!version.equals(current) && Files.getLastModifiedTime(version).toInstant().isBefore(before)) {
          delete(version);
        }
      }
    } catch (IOException | RuntimeException e) {
      // left for another time
    }
  }

  private static void delete(Path dir) {
    try (Stream<Path> files = Files.walk(dir)) {
      files.sorted(Comparator.reverseOrder()).forEach(path -> path.toFile().delete());
    } catch (IOException e) {
      // a directory left behind is harmless
    }
  }
}
