package dev.shunt.loadtest;

/** What the load calls: a backend through the AWS SDK, or an application's own HTTP endpoint. */
interface LoadTarget extends AutoCloseable {
  /**
   * Makes one call of the load's operation number {@code op} (the index in the run's operations),
   * counting its attempts in the run's stats. Returns null when it succeeded, else its error code
   * (the AWS error code, {@code HTTP 503}, or the I/O failure's name). Never throws.
   */
  String call(int op);

  @Override
  void close();
}
