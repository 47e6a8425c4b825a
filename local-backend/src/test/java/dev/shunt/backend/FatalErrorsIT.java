package dev.shunt.backend;

import static org.assertj.core.api.Assertions.assertThat;

import dev.shunt.backend.MainIT.Shunt;
import java.io.IOException;
import java.io.OutputStream;
import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.BooleanSupplier;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Assertions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Out of memory is fatal, never a zombie: a backend whose JVM fails under it does not keep its
 * port open answering nothing. Each test runs the real backend in a JVM of its own with a small
 * heap and sends it large request bodies (the aggregator holds them up to max-body-bytes) until
 * it runs out of memory; and SIGTERM ends a standalone backend whatever its connections are doing.
 */
class FatalErrorsIT {
  /** Small enough that a few bodies of {@link #BODY_BYTES} exhaust heap or direct memory, large enough to start. */
  private static final List<String> SMALL_JVM = List.of("-Xmx48m", "-XX:MaxDirectMemorySize=48m");
  private static final String MAX_BODY_BYTES = "200000000";
  private static final int BODY_BYTES = 30 << 20;
  private static final int CONCURRENT_BODIES = 4;
  private static final Duration FLOOD_LIMIT = Duration.ofSeconds(90);
  private static final Duration EXIT_LIMIT = Duration.ofSeconds(30);
  private static final Duration SIGTERM_LIMIT = Duration.ofSeconds(10);
  private static final String MEMORY = "out of (memory \\(max heap \\d+ MB\\)|direct memory \\(max \\d+ MB\\))";
  private static final String MORE = "give the JVM more with (-Xmx|-XX:MaxDirectMemorySize)";
  private static final Pattern EXITING = Pattern.compile("shunt: " + MEMORY + ", exiting; " + MORE);
  private static final Pattern STEPPED_ASIDE = Pattern.compile("\\[shunt\\] " + MEMORY + ": the embedded backend"
      + " stopped listening and its clients' calls are refused; the application runs on; " + MORE);

  /**
   * Whichever memory runs out first: direct memory (Netty's buffers, where the aggregator holds the
   * bodies) or, with room there, the heap (the body copied and parsed).
   */
  @ParameterizedTest
  @ValueSource(strings = {"direct memory", "heap"})
  void theStandaloneBackendOutOfMemoryExitsWithThreeAfterOneLine(String exhausted) throws Exception {
    List<String> jvm = exhausted.equals("heap") ? List.of("-Xmx48m", "-XX:MaxDirectMemorySize=1g") : SMALL_JVM;
    Shunt shunt = Shunt.launch(jvm, Map.of(), "serve", "--port", "0", "--max-body-bytes", MAX_BODY_BYTES)
        .awaitListening();
    try {
      floodUntil(shunt.uri, () -> shunt.stderr.length() > 0 || !shunt.process.isAlive());
      long saidAt = System.nanoTime();
      // It ends by itself; it does not merely stop answering.
      assertThat(shunt.awaitExit()).as(shunt.stderr.toString()).isEqualTo(FatalErrors.EXIT_STATUS);
      System.out.printf("standalone, out of %s: exited %d ms after its line%n", exhausted,
          TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - saidAt));
    } finally {
      shunt.process.destroyForcibly();
    }
    // Shunt's handler, not the JVM's own (-XX:+ExitOnOutOfMemoryError would say "Terminating due to ...").
    assertThat(lines(shunt.stderr)).as(shunt.stderr.toString()).singleElement()
        .satisfies(line -> assertThat(line).matches(EXITING)
            .contains(exhausted.equals("heap") ? "max heap" : "direct memory"));
    System.out.println("standalone: " + shunt.stderr.toString().strip());
    assertThat(lines(shunt.stdout)).hasSize(3).satisfies(out -> {
      assertThat(out.get(0)).startsWith("Shunt listening");
      assertThat(out.get(1)).startsWith("Shunt state: memory only");
      assertThat(out.get(2)).startsWith("Shunt dashboard: http://127.0.0.1:");
    });
  }

  /**
   * Embedded, as the agent runs it, the backend is a guest: out of memory, it closes its server
   * (clients are refused, not left waiting), says so in one line, and the application works on;
   * SIGTERM then still ends that JVM.
   */
  @Test
  void theEmbeddedBackendOutOfMemoryStopsListeningAndTheApplicationRunsOn() throws Exception {
    List<String> command = Shunt.launcher(SMALL_JVM, "-cp", System.getProperty("java.class.path"),
        EmbeddingApplication.class.getName());
    Shunt app = Shunt.command(command, Map.of(), MAX_BODY_BYTES).awaitListening();
    try {
      floodUntil(app.uri, () -> app.stderr.indexOf("[shunt]") >= 0 || !app.process.isAlive());
      assertThat(app.process.isAlive()).as(app.stderr.toString()).isTrue();
      awaitConnectionRefused(app.uri);

      int workedBefore = count(app.stdout, "application still working");
      long deadline = System.nanoTime() + EXIT_LIMIT.toNanos();
      while (count(app.stdout, "application still working") < workedBefore + 10) {
        if (System.nanoTime() > deadline) {
          Assertions.fail("the application stopped working; stderr:\n" + app.stderr);
        }
        Thread.sleep(100);
      }
      assertThat(app.process.isAlive()).isTrue();
      assertThat(lines(app.stderr)).as(app.stderr.toString()).singleElement()
          .satisfies(line -> assertThat(line).matches(STEPPED_ASIDE));

      System.out.println("embedded: " + app.stderr.toString().strip());
      app.process.destroy();
      assertThat(app.process.waitFor(SIGTERM_LIMIT.toSeconds(), TimeUnit.SECONDS))
          .as("still running %s after SIGTERM", SIGTERM_LIMIT).isTrue();
    } finally {
      app.process.destroyForcibly();
    }
  }

  /**
   * SIGTERM ends the process within seconds while clients hold keep-alive connections open, one of
   * them halfway through sending its body.
   */
  @Test
  void sigtermEndsTheStandaloneBackendWithConnectionsOpen() throws Exception {
    Shunt shunt = Shunt.launch(List.of(), Map.of(), "serve", "--port", "0").awaitListening();
    List<Socket> connections = new ArrayList<>();
    try {
      for (int i = 0; i < 3; i++) {
        Socket idle = connect(shunt.uri);
        connections.add(idle);
        String body = "{}";
        idle.getOutputStream().write(head(shunt.uri, body.length()).concat(body).getBytes(StandardCharsets.US_ASCII));
        assertThat(new String(idle.getInputStream().readNBytes(12), StandardCharsets.US_ASCII))
            .isEqualTo("HTTP/1.1 200");
      }
      Socket halfway = connect(shunt.uri);
      connections.add(halfway);
      halfway.getOutputStream().write((head(shunt.uri, 1000) + "{\"Limit\":").getBytes(StandardCharsets.US_ASCII));
      halfway.getOutputStream().flush();

      long start = System.nanoTime();
      shunt.process.destroy();
      assertThat(shunt.process.waitFor(SIGTERM_LIMIT.toSeconds(), TimeUnit.SECONDS))
          .as("still running %s after SIGTERM", SIGTERM_LIMIT).isTrue();
      System.out.printf("SIGTERM with 4 open connections: exited in %d ms%n",
          TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start));
      // 128 + SIGTERM: the JVM's own exit on that signal, not the watchdog's halt nor a fatal error's 3.
      assertThat(shunt.process.exitValue()).isEqualTo(143);
    } finally {
      for (Socket connection : connections) {
        connection.close();
      }
      shunt.process.destroyForcibly();
    }
  }

  /** The flood's connections still open, so a round stuck on a server that stopped reading can be ended. */
  private static final Set<Socket> OPEN = ConcurrentHashMap.newKeySet();

  /** Rounds of concurrent large bodies until {@code done}; more rounds if one did not exhaust memory. */
  private static void floodUntil(URI uri, BooleanSupplier done) throws Exception {
    ExecutorService senders = Executors.newFixedThreadPool(CONCURRENT_BODIES);
    try {
      long start = System.nanoTime();
      long deadline = start + FLOOD_LIMIT.toNanos();
      int round = 1;
      for (; !done.getAsBoolean(); round++) {
        if (System.nanoTime() > deadline) {
          Assertions.fail("still not out of memory (or not acting on it) after " + (round - 1) + " rounds, "
              + FLOOD_LIMIT.toSeconds() + " s");
        }
        List<Future<?>> sending = new ArrayList<>();
        for (int i = 0; i < CONCURRENT_BODIES; i++) {
          sending.add(senders.submit(() -> sendLargeBody(uri)));
        }
        for (Future<?> body : sending) {
          try {
            body.get(Math.max(1, Math.min(deadline - System.nanoTime(), TimeUnit.SECONDS.toNanos(15))),
                TimeUnit.NANOSECONDS);
          } catch (TimeoutException stuck) {
            // A connection the failing server accepted but will never read again: a blocked socket
            // write is not interruptible, so close it; the loop then asks whether the server acted.
            OPEN.forEach(FatalErrorsIT::closeQuietly);
          }
        }
      }
      System.out.printf("out of memory after %d round(s) of %d x %d MB, %d ms%n", round - 1, CONCURRENT_BODIES,
          BODY_BYTES >> 20, TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start));
    } finally {
      senders.shutdownNow();
    }
  }

  /**
   * A ListKeys request with a {@link #BODY_BYTES} body (its Marker a long string); returns once the
   * server answers or drops the connection, or refuses it (out of memory, or gone).
   */
  private static void sendLargeBody(URI uri) {
    byte[] prefix = "{\"Marker\":\"".getBytes(StandardCharsets.US_ASCII);
    byte[] suffix = "\"}".getBytes(StandardCharsets.US_ASCII);
    byte[] letters = new byte[64 * 1024];
    Arrays.fill(letters, (byte) 'a');
    try (Socket socket = connect(uri)) {
      OPEN.add(socket);
      OutputStream out = socket.getOutputStream();
      out.write(head(uri, BODY_BYTES).getBytes(StandardCharsets.US_ASCII));
      out.write(prefix);
      for (int left = BODY_BYTES - prefix.length - suffix.length; left > 0; left -= letters.length) {
        out.write(letters, 0, Math.min(left, letters.length));
      }
      out.write(suffix);
      out.flush();
      socket.getInputStream().read();
    } catch (IOException refusedOrDropped) {
      // what a server out of memory does to a connection
    } finally {
      OPEN.removeIf(Socket::isClosed);
    }
  }

  private static void closeQuietly(Socket socket) {
    try {
      socket.close();
    } catch (IOException e) {
      // closing to unblock a writer; nothing more to do
    }
  }

  private static String head(URI uri, int contentLength) {
    return "POST / HTTP/1.1\r\nHost: " + uri.getAuthority() + "\r\nContent-Type: application/x-amz-json-1.1\r\n"
        + "X-Amz-Target: TrentService.ListKeys\r\nContent-Length: " + contentLength + "\r\n\r\n";
  }

  private static Socket connect(URI uri) throws IOException {
    Socket socket = new Socket();
    socket.connect(new InetSocketAddress(uri.getHost(), uri.getPort()), 5_000);
    socket.setSoTimeout((int) EXIT_LIMIT.toMillis());
    return socket;
  }

  /** The server stops listening: a new connection is refused (not accepted and left unanswered). */
  private static void awaitConnectionRefused(URI uri) throws Exception {
    long deadline = System.nanoTime() + EXIT_LIMIT.toNanos();
    while (true) {
      try (Socket socket = new Socket()) {
        socket.connect(new InetSocketAddress(uri.getHost(), uri.getPort()), 5_000);
      } catch (ConnectException refused) {
        return;
      }
      if (System.nanoTime() > deadline) {
        Assertions.fail(uri + " still accepts connections");
      }
      Thread.sleep(100);
    }
  }

  private static List<String> lines(CharSequence output) {
    return output.toString().lines().filter(line -> !line.isBlank()).toList();
  }

  private static int count(CharSequence output, String start) {
    return (int) output.toString().lines().filter(line -> line.startsWith(start)).count();
  }
}
