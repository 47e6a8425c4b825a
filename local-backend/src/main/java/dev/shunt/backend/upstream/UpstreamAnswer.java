package dev.shunt.backend.upstream;
public record UpstreamAnswer(int status, byte[] body, String contentType, String requestId, int attempts, String errorCode) {
  public boolean succeeded() { return status / 100 == 2; }
}
