package dev.shunt.backend.upstream;
@FunctionalInterface
public interface UpstreamAttempts {
  void attempt(int number, int status, String errorCode, long elapsedMillis, long backoffMillis);
}
