package dev.shunt.backend;

/**
 * An application that embeds the backend as the agent does ({@code ShuntBackend.builder()}, closed
 * by a shutdown hook) and goes on with its own work: a line on stdout every 100 ms, so a test sees
 * whether it still runs. Its first line is the one {@code Main} prints, for the same test harness.
 */
public final class EmbeddingApplication {
  private EmbeddingApplication() {}

  public static void main(String[] args) throws InterruptedException {
    ShuntBackend backend = ShuntBackend.builder().port(0).options(java.util.Map.of("max-body-bytes", args[0]))
        .start();
    Runtime.getRuntime().addShutdownHook(new Thread(backend::close, "shunt-backend-shutdown"));
    System.out.println("Shunt listening on " + backend.uri());
    for (long beat = 1; ; beat++) {
      Thread.sleep(100);
      System.out.println("application still working " + beat);
    }
  }
}
