package dev.shunt.loadtest;

/**
 * {@code java -jar shunt-loadtest.jar loadtest [options]} (the command's name may be left out):
 * see {@link LoadTestCommand}. The backend's own commands (serve, export) are in
 * {@code shunt-backend.jar}.
 */
public final class Main {
  private Main() {}

  public static void main(String[] args) {
    int from = args.length > 0 && args[0].equals("loadtest") ? 1 : 0;
    if (from == 0 && args.length > 0 && !args[0].startsWith("-")) {
      System.err.println("shunt-loadtest.jar runs the loadtest command, not '" + args[0] + "' (serve and export are "
          + "shunt-backend.jar's)");
      System.exit(2);
      return;
    }
    if (args.length == from) {
      System.out.print(LoadTestCommand.usage());
      System.exit(2);
      return;
    }
    int status = LoadTestCommand.run(args, from, System.out, System.err, System.getenv());
    System.out.flush();
    // The SDK's and the backend's threads must not keep a finished run's JVM alive.
    System.exit(status);
  }
}
