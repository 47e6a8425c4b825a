package dev.shunt.backend.upstream;
public record UpstreamRetryPolicy(int maxAttempts) {
  public static UpstreamRetryPolicy standard(int maxAttempts, java.time.Duration attemptTimeout, java.time.Duration totalTimeout) { return null; }
}
