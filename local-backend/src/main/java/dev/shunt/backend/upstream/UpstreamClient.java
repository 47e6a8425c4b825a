package dev.shunt.backend.upstream;
public final class UpstreamClient implements AutoCloseable {
  public UpstreamClient(UpstreamEndpoints endpoints, UpstreamRetryPolicy policy, software.amazon.awssdk.identity.spi.IdentityProvider<? extends software.amazon.awssdk.identity.spi.AwsCredentialsIdentity> c) {}
  public java.util.concurrent.CompletableFuture<UpstreamAnswer> forward(String signingName, String region, String target,
      String contentType, byte[] body, UpstreamAttempts attempts) { return null; }
  public void close() {}
}
