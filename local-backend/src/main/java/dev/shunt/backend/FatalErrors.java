package dev.shunt.backend;

import io.netty.util.internal.OutOfDirectMemoryError;
import io.netty.util.internal.PlatformDependent;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * What a backend does when the JVM fails under it (out of memory, or another
 * {@link VirtualMachineError}): every place that catches Throwable on the server's threads tells
 * this class, which acts once, as the backend's owner chose ({@link Policy}). A JVM in that state
 * must not go on holding the port open and answering nothing.
 */
public final class FatalErrors {
  /**
   * The exit status of a standalone backend the JVM failed under (the JVM's own, with
   * -XX:+ExitOnOutOfMemoryError, is 3 too: scripts need not tell the two apart).
   */
  static final int EXIT_STATUS = 3;
  /** How long an exit may take (shutdown hooks closing the server, flushing the audit log) before the JVM is halted. */
  static final Duration EXIT_GRACE = Duration.ofSeconds(10);

  /** What the backend does when the JVM fails under it. */
  public enum Policy {
    /**
     * The JVM is the backend's own (the standalone launcher): say why on stderr and exit with
     * status 3; halt if exiting hangs. A thread of the process that dies of such an error does the same.
     */
    EXIT_PROCESS,
    /**
     * The backend is a guest in someone's JVM (embedded, the agent's): close the server, so its
     * clients are refused instead of left waiting, and say so once on stderr; the JVM runs on.
     */
    CLOSE_SERVER
  }

  private final Policy policy;
  private final Runnable closeServer;
  private final AtomicBoolean fired = new AtomicBoolean();
  // Made now: when they are needed, memory may be too short to make them.
  private final byte[] outOfHeapLine;
  private final byte[] outOfDirectMemoryLine;
  private final Thread responder;
  private final Thread halter;
  private volatile VirtualMachineError error;

  /** @param closeServer closes the backend, with bounded waits (called on a thread of this class's) */
  FatalErrors(Policy policy, Runnable closeServer) {
    this.policy = policy;
    this.closeServer = closeServer;
    String consequence = policy == Policy.EXIT_PROCESS ? "shunt: %s, exiting; give the JVM more with %s%n"
        : "[shunt] %s: the embedded backend stopped listening and its clients' calls are refused; "
            + "the application runs on; give the JVM more with %s%n";
    outOfHeapLine = line(consequence, "out of memory (max heap " + megabytes(Runtime.getRuntime().maxMemory()) + ")",
        "-Xmx");
    outOfDirectMemoryLine = line(consequence,
        "out of direct memory (max " + megabytes(PlatformDependent.maxDirectMemory()) + ")", "-XX:MaxDirectMemorySize");
    responder = daemon(this::respond, "shunt-fatal-error");
    halter = policy == Policy.EXIT_PROCESS ? haltAfter(EXIT_GRACE, EXIT_STATUS, "shunt-fatal-exit-watchdog") : null;
    if (policy == Policy.EXIT_PROCESS) {
      Thread.setDefaultUncaughtExceptionHandler(new ExitOnFatal(Thread.getDefaultUncaughtExceptionHandler()));
    }
  }

  /**
   * Whether {@code thrown} (or what caused it) is an error the JVM cannot be trusted to run on
   * after. A stack overflow is not: the one request that ran deep fails, its stack unwinds, and
   * the server answers it with an error like any other failure.
   */
  public static boolean isFatal(Throwable thrown) {
    return fatalIn(thrown) != null;
  }

  private static VirtualMachineError fatalIn(Throwable thrown) {
    // A few causes deep: a library may wrap the error (the JDK's futures do); no cycle can hold it here.
    for (int depth = 0; thrown != null && depth < 8; depth++, thrown = thrown.getCause()) {
      if (thrown instanceof VirtualMachineError vmError && !(thrown instanceof StackOverflowError)) {
        return vmError;
      }
    }
    return null;
  }

  /**
   * Called with anything caught on the server's threads: a fatal error starts the owner's policy
   * (once, on a thread of its own, for the reporting thread may be an event loop that must not
   * wait for itself); anything else is left to the caller. Allocates nothing.
   *
   * @return whether it was fatal
   */
  public boolean report(Throwable thrown) {
    VirtualMachineError fatal = fatalIn(thrown);
    if (fatal == null) {
      return false;
    }
    if (fired.compareAndSet(false, true)) {
      error = fatal;
      try {
        responder.start();
      } catch (Throwable cannotStart) {
        // No thread to be had (out of native memory too): act here, as far as this thread can.
        respond();
      }
    }
    return true;
  }

  private void respond() {
    say(error);
    if (policy == Policy.EXIT_PROCESS) {
      try {
        halter.start();
      } catch (Throwable noWatchdog) {
        Runtime.getRuntime().halt(EXIT_STATUS);
      }
      // Runs the shutdown hooks (closing the server, flushing the audit log); the halter bounds them.
      System.exit(EXIT_STATUS);
      return;
    }
    try {
      closeServer.run();
    } catch (Throwable closing) {
      // The server's channel close was asked for first; a wait that failed changes nothing for the JVM.
    }
  }

  private void say(VirtualMachineError fatal) {
    byte[] line;
    if (fatal instanceof OutOfDirectMemoryError || contains(fatal, "direct buffer memory")) {
      line = outOfDirectMemoryLine;
    } else if (fatal instanceof OutOfMemoryError && (fatal.getMessage() == null || contains(fatal, "heap")
        || contains(fatal, "GC overhead") || contains(fatal, "array size"))) {
      line = outOfHeapLine;
    } else {
      // Metaspace, native threads, an InternalError...: not the heap, whose line would send the reader astray.
      line = line(policy == Policy.EXIT_PROCESS ? "shunt: the JVM failed (%s), exiting%s%n"
          : "[shunt] the JVM failed (%s): the embedded backend stopped listening and its clients' calls are refused;"
              + " the application runs on%s%n", String.valueOf(fatal), "");
    }
    PrintStream err = System.err;
    err.write(line, 0, line.length);
    err.flush();
  }

  private static boolean contains(Throwable thrown, String words) {
    String message = thrown.getMessage();
    return message != null && message.contains(words);
  }

  /** An unstarted daemon thread that halts the JVM with {@code status} after {@code delay}: for an exit that hangs. */
  static Thread haltAfter(Duration delay, int status, String name) {
    return daemon(() -> {
      try {
        Thread.sleep(delay.toMillis());
      } catch (InterruptedException e) {
        return;
      }
      Runtime.getRuntime().halt(status);
    }, name);
  }

  private static Thread daemon(Runnable task, String name) {
    Thread thread = new Thread(task, name);
    thread.setDaemon(true);
    return thread;
  }

  private static byte[] line(String format, String what, String option) {
    // ASCII only: the same bytes whatever stderr's charset.
    return String.format(format, what, option).getBytes(StandardCharsets.US_ASCII);
  }

  private static String megabytes(long bytes) {
    return bytes == Long.MAX_VALUE || bytes <= 0 ? "unbounded" : (bytes >> 20) + " MB";
  }

  /** The standalone process's last word on a thread that died: a fatal error ends the process. */
  private final class ExitOnFatal implements Thread.UncaughtExceptionHandler {
    private final Thread.UncaughtExceptionHandler before;

    ExitOnFatal(Thread.UncaughtExceptionHandler before) {
      this.before = before;
    }

    @Override
    public void uncaughtException(Thread thread, Throwable thrown) {
      if (report(thrown)) {
        return;
      }
      if (before != null) {
        before.uncaughtException(thread, thrown);
      } else {
        // What the JVM prints without a handler (ThreadGroup would call this one again).
        System.err.print("Exception in thread \"" + thread.getName() + "\" ");
        thrown.printStackTrace(System.err);
      }
    }
  }
}
