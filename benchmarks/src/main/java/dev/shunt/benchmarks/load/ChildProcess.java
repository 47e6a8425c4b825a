package dev.shunt.benchmarks.load;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A server in a JVM of its own (a backend or the canned server), found by the URL it prints when listening.
 * A shutdown hook kills it if this JVM ends without closing it (an exception, Ctrl-C), so no server outlives
 * the benchmark that started it.
 */
public final class ChildProcess implements AutoCloseable {
  private final Process process;
  private final URI uri;
  private final Thread killOnExit;

  private ChildProcess(Process process, URI uri, Thread killOnExit) {
    this.process = process;
    this.uri = uri;
    this.killOnExit = killOnExit;
  }

  /** Starts {@code java ARGS...} (JVM options first) and waits for a line {@code ... listening on URL}. */
  public static ChildProcess startJava(List<String> args) throws Exception {
    List<String> command = new ArrayList<>();
    command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    command.addAll(args);
    Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
    Thread killOnExit = new Thread(process::destroyForcibly, "child-kill-on-exit");
    Runtime.getRuntime().addShutdownHook(killOnExit);
    BufferedReader out = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
    List<String> seen = new ArrayList<>();
    String line;
    while ((line = out.readLine()) != null) {
      seen.add(line);
      int at = line.indexOf("listening on ");
      if (at >= 0) {
        URI uri = URI.create(line.substring(at + "listening on ".length()).trim());
        Thread drain = new Thread(() -> {
          try {
            while (out.readLine() != null) {
              // keep the pipe from filling
            }
          } catch (Exception e) {
            // the process ended
          }
        }, "child-output");
        drain.setDaemon(true);
        drain.start();
        return new ChildProcess(process, uri, killOnExit);
      }
    }
    process.destroyForcibly();
    throw new IllegalStateException("The server did not start: " + String.join("\n", seen));
  }

  public URI uri() {
    return uri;
  }

  public long pid() {
    return process.pid();
  }

  /** The CPU time the process has used so far, all its threads (in clock ticks of 10 ms on Linux). */
  public long cpuNanos() {
    return process.info().totalCpuDuration().orElseThrow(
        () -> new IllegalStateException("This OS does not report a process's CPU time")).toNanos();
  }

  /** Asks the process to stop (its shutdown hooks run), and kills it if it has not within 20 seconds. */
  @Override
  public void close() throws InterruptedException {
    process.destroy();
    if (!process.waitFor(20, TimeUnit.SECONDS)) {
      process.destroyForcibly().waitFor();
    }
    try {
      Runtime.getRuntime().removeShutdownHook(killOnExit);
    } catch (IllegalStateException shuttingDown) {
      // this JVM is exiting: the hook runs anyway, on a process already gone
    }
  }
}
