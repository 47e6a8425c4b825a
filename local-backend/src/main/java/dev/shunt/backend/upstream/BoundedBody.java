package dev.shunt.backend.upstream;

import java.io.IOException;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Flow;

/**
 * A response body read into memory up to a limit: past it the read stops and fails with
 * {@link TooLarge}, so a misbehaving upstream cannot make Shunt buffer without end.
 */
final class BoundedBody implements HttpResponse.BodySubscriber<byte[]> {
  /** The largest answer Shunt takes from an upstream: far above any AWS JSON 1.1 answer. */
  static final int LIMIT = 16 * 1024 * 1024;

  private final int limit;
  private final boolean declaredTooLarge;
  private final CompletableFuture<byte[]> result = new CompletableFuture<>();
  private Flow.Subscription subscription;
  private byte[] bytes = new byte[0];
  private int size;

  private BoundedBody(int limit, boolean declaredTooLarge) {
    this.limit = limit;
    this.declaredTooLarge = declaredTooLarge;
  }

  static HttpResponse.BodyHandler<byte[]> handler(int limit) {
    // An answer that says at once it is too large is refused before a byte of it is read.
    return info -> new BoundedBody(limit, info.headers().firstValueAsLong("Content-Length").orElse(-1) > limit);
  }

  /** The failure of an answer larger than the limit. */
  static final class TooLarge extends IOException {
    TooLarge(int limit) {
      super("answer larger than " + (limit / (1024 * 1024)) + " MiB");
    }
  }

  @Override
  public CompletionStage<byte[]> getBody() {
    return result;
  }

  @Override
  public void onSubscribe(Flow.Subscription subscription) {
    this.subscription = subscription;
    if (declaredTooLarge) {
      subscription.cancel();
      result.completeExceptionally(new TooLarge(limit));
      return;
    }
    subscription.request(Long.MAX_VALUE);
  }

  @Override
  public void onNext(List<ByteBuffer> buffers) {
    if (result.isDone()) {
      return;
    }
    for (ByteBuffer buffer : buffers) {
      int more = buffer.remaining();
      if (more > limit - size) {
        subscription.cancel();
        result.completeExceptionally(new TooLarge(limit));
        return;
      }
      if (size + more > bytes.length) {
        bytes = Arrays.copyOf(bytes, Math.min(limit, Math.max(size + more, bytes.length * 2)));
      }
      buffer.get(bytes, size, more);
      size += more;
    }
  }

  @Override
  public void onError(Throwable failure) {
    result.completeExceptionally(failure);
  }

  @Override
  public void onComplete() {
    result.complete(size == bytes.length ? bytes : Arrays.copyOf(bytes, size));
  }
}
