package dev.shunt.junit5;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Comparator;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;

/**
 * Finds the files a test names (seed, principals, quota and fault files): a class path resource
 * ({@code shunt/seed.yaml}, or {@code classpath:shunt/seed.yaml}) or a file. The backend reads
 * files, so a resource is copied to a directory of the test class's own, deleted after it.
 */
final class Resources implements AutoCloseable {
  private final ClassLoader loader;
  private final AtomicInteger copies = new AtomicInteger();
  private Path directory;

  Resources(ClassLoader loader) {
    this.loader = loader != null ? loader : Thread.currentThread().getContextClassLoader();
  }

  /** The file {@code spec} names, as a path the backend can read. */
  synchronized String file(String spec, String what) {
    boolean resourceOnly = spec.startsWith("classpath:");
    String name = resourceOnly ? spec.substring("classpath:".length()) : spec;
    if (!resourceOnly) {
      Path path = Path.of(name);
      if (Files.isRegularFile(path)) {
        return path.toAbsolutePath().toString();
      }
    }
    String resource = name.startsWith("/") ? name.substring(1) : name;
    try (InputStream in = loader.getResourceAsStream(resource)) {
      if (in == null) {
        throw new IllegalArgumentException("The " + what + " '" + spec + "' is neither a class path resource nor "
            + (resourceOnly ? "a file (it says classpath:)" : "a file (from " + Path.of("").toAbsolutePath() + ")"));
      }
      if (directory == null) {
        directory = Files.createTempDirectory("shunt-junit5-");
      }
      String fileName = Path.of(resource).getFileName().toString();
      Path copy = directory.resolve(copies.incrementAndGet() + "-" + fileName);
      Files.copy(in, copy, StandardCopyOption.REPLACE_EXISTING);
      return copy.toString();
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot read the " + what + " " + spec, e);
    }
  }

  @Override
  public synchronized void close() {
    if (directory == null) {
      return;
    }
    try (Stream<Path> files = Files.walk(directory)) {
      files.sorted(Comparator.reverseOrder()).forEach(path -> path.toFile().delete());
    } catch (IOException e) {
      // Only copies of resources: the system's temporary directory is cleaned anyway.
    }
    directory = null;
  }
}
