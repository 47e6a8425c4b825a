package dev.shunt.backend.upstream;

/**
 * Told of every upstream attempt, for span events and metrics. {@code status} 0 is no HTTP answer
 * (I/O error, time-out: {@code errorCode} null; nothing sent for want of credentials:
 * {@code InternalFailure}); {@code backoffMillis} is the wait before the next attempt, or -1 when
 * none follows. Called on Shunt's upstream threads: keep it quick; what it throws is ignored.
 */
@FunctionalInterface
public interface UpstreamAttempts {
  UpstreamAttempts NONE = (n, s, c, e, b) -> {};

  void attempt(int number, int status, String errorCode, long elapsedMillis, long backoffMillis);
}
