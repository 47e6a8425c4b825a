package dev.shunt.backend.upstream;

import java.net.ConnectException;
import java.net.URI;
import java.net.UnknownHostException;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.channels.UnresolvedAddressException;
import java.util.Locale;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import software.amazon.awssdk.identity.spi.AwsCredentialsIdentity;

/**
 * One forwarded request and its attempts: sends, reads the answer, waits out the backoff on the
 * scheduler and tries again, until an answer is final, the attempts run out or the time does.
 * Its result always completes normally; whatever went wrong becomes an AWS-shaped answer.
 */
final class UpstreamCall {
  private static final int MAX_MESSAGE = 300;

  private final UpstreamClient client;
  private final URI endpoint;
  private final String signingName;
  private final String region;
  private final String target;
  private final String contentType;
  private final byte[] body;
  private final UpstreamAttempts listener;
  private final UpstreamRetryPolicy policy;
  private final long startNanos = System.nanoTime();
  private final CompletableFuture<UpstreamAnswer> result = new CompletableFuture<>();

  // Guarded by this: attempts run one after another, but the time-outs fire on other threads.
  private int attempts;
  private boolean attemptOpen;
  private long attemptStartNanos;
  private UpstreamAnswer lastHttpAnswer;
  private String lastFailure = "no attempt was made";
  private Future<?> send;
  private Future<?> attemptTimer;
  private Future<?> retryTimer;
  private Future<?> totalTimer;

  UpstreamCall(UpstreamClient client, URI endpoint, String signingName, String region, String target,
      String contentType, byte[] body, UpstreamAttempts listener) {
    this.client = client;
    this.policy = client.policy();
    this.endpoint = endpoint;
    this.signingName = signingName;
    this.region = region;
    this.target = target;
    this.contentType = contentType;
    this.body = body;
    this.listener = listener;
  }

  CompletableFuture<UpstreamAnswer> result() {
    return result;
  }

  void start() {
    // Whoever ends the call (an answer, a time-out, close, the caller's cancel) stops what is pending.
    result.whenComplete((answer, failure) -> stopPending());
    try {
      Future<?> timer = client.scheduler().schedule(this::totalTimeoutReached,
          policy.totalTimeout().toMillis(), TimeUnit.MILLISECONDS);
      synchronized (this) {
        totalTimer = timer;
      }
    } catch (RejectedExecutionException e) {
      finish(UpstreamClient.closedAnswer(0));
      return;
    }
    if (result.isDone()) {
      stopPending();
      return;
    }
    startAttempt();
  }

  /** Ends the call with this answer unless it has already ended. */
  void finish(UpstreamAnswer answer) {
    result.complete(answer);
  }

  private void startAttempt() {
    int number;
    synchronized (this) {
      if (result.isDone()) {
        return;
      }
      number = ++attempts;
      attemptOpen = true;
      attemptStartNanos = System.nanoTime();
    }
    try {
      // Credentials may be resolved over the network (IMDS, SSO): never on the caller's thread.
      client.executor().execute(() -> runAttempt(number));
    } catch (RejectedExecutionException e) {
      finish(UpstreamClient.closedAnswer(number));
    }
  }

  private void runAttempt(int number) {
    if (result.isDone()) {
      return;
    }
    AwsCredentialsIdentity credentials;
    try {
      // Bounded and interruptible, unlike join(): a provider that hangs cannot keep this thread past close().
      credentials = client.credentials().resolveIdentity()
          .get(policy.totalTimeout().toMillis(), TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      finish(UpstreamClient.closedAnswer(number));
      return;
    } catch (Throwable failure) {
      // A missing credential does not come back by retrying within a call: say so at once.
      long elapsed = closeAttempt(number);
      if (elapsed < 0) {
        return;
      }
      report(number, 0, "InternalFailure", elapsed, -1);
      finish(UpstreamAnswer.local(500, "InternalFailure",
          "Shunt has no AWS credentials for its upstream: " + firstLine(unwrap(failure)), number));
      return;
    }
    try {
      var request = UpstreamSigner.signedRequest(endpoint, signingName, region, target, contentType, body,
          credentials, policy.attemptTimeout());
      CompletableFuture<HttpResponse<byte[]>> sending =
          client.http().sendAsync(request, BoundedBody.handler(BoundedBody.LIMIT));
      Future<?> timer = client.scheduler().schedule(
          () -> attemptEnded(number, null, new HttpTimeoutException("request timed out")),
          policy.attemptTimeout().toMillis(), TimeUnit.MILLISECONDS);
      synchronized (this) {
        if (result.isDone() || !attemptOpen || number != attempts) {
          // Ended while it was being sent (the call's time-out, close): nothing is waited for.
          sending.cancel(true);
          timer.cancel(false);
          return;
        }
        send = sending;
        attemptTimer = timer;
      }
      sending.whenComplete((response, failure) -> attemptEnded(number, response, failure));
    } catch (RejectedExecutionException e) {
      finish(UpstreamClient.closedAnswer(number));
    } catch (RuntimeException e) {
      // Not the upstream's doing (a signer that refuses its input, say): no point trying again.
      long elapsed = closeAttempt(number);
      if (elapsed >= 0) {
        report(number, 0, "InternalFailure", elapsed, -1);
      }
      finish(UpstreamAnswer.local(500, "InternalFailure",
          "Shunt could not send its upstream request: " + e.getClass().getSimpleName(), number));
    }
  }

  private void attemptEnded(int number, HttpResponse<byte[]> response, Throwable failure) {
    long elapsed = closeAttempt(number);
    if (elapsed < 0) {
      // Already ended: by its own timer, the call's time-out, or close.
      return;
    }
    int status = 0;
    String errorCode = null;
    boolean throttled = false;
    if (response != null) {
      status = response.statusCode();
      byte[] bytes = response.body() == null ? new byte[0] : response.body();
      boolean succeeded = status >= 200 && status < 300;
      errorCode = succeeded ? null : UpstreamErrors.errorCode(
          response.headers().firstValue("x-amzn-ErrorType").orElse(null), bytes);
      UpstreamAnswer answer = new UpstreamAnswer(status, bytes,
          response.headers().firstValue("Content-Type").orElse(null),
          response.headers().firstValue("x-amzn-RequestId").orElse(null), number, errorCode);
      synchronized (this) {
        lastHttpAnswer = answer;
      }
      if (!UpstreamErrors.isRetryable(status, errorCode)) {
        report(number, status, errorCode, elapsed, -1);
        finish(answer);
        return;
      }
      throttled = UpstreamErrors.isThrottling(status, errorCode);
    } else {
      String reason = reason(failure);
      synchronized (this) {
        lastFailure = reason;
      }
    }
    long backoff = backoffBeforeNext(number, throttled);
    report(number, status, errorCode, elapsed, backoff);
    if (backoff < 0) {
      finish(exhausted());
      return;
    }
    try {
      Future<?> timer = client.scheduler().schedule(this::startAttempt, backoff, TimeUnit.MILLISECONDS);
      synchronized (this) {
        retryTimer = timer;
      }
    } catch (RejectedExecutionException e) {
      finish(UpstreamClient.closedAnswer(number));
    }
  }

  /** The wait before another attempt, or -1 if none may start: attempts spent, or it would end past the time-out. */
  private long backoffBeforeNext(int number, boolean throttled) {
    if (number >= policy.maxAttempts()) {
      return -1;
    }
    long backoff = policy.backoffMillis(number + 1, throttled, ThreadLocalRandom.current());
    long elapsed = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - startNanos);
    return elapsed + backoff >= policy.totalTimeout().toMillis() ? -1 : backoff;
  }

  private void totalTimeoutReached() {
    int number;
    long elapsed;
    synchronized (this) {
      if (result.isDone()) {
        return;
      }
      number = attempts;
      elapsed = attemptOpen ? TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - attemptStartNanos) : -1;
      attemptOpen = false;
      lastFailure = "timed out after " + UpstreamClient.describe(policy.totalTimeout());
    }
    if (elapsed >= 0) {
      // The attempt in flight is abandoned: still an attempt, and the listener hears of it.
      report(number, 0, null, elapsed, -1);
    }
    finish(exhausted());
  }

  /** The answer once no attempt is left: the upstream's last, or a 503 saying it never answered. */
  private synchronized UpstreamAnswer exhausted() {
    if (lastHttpAnswer != null) {
      UpstreamAnswer last = lastHttpAnswer;
      return new UpstreamAnswer(last.status(), last.body(), last.contentType(), last.requestId(), attempts,
          last.errorCode());
    }
    return UpstreamAnswer.local(503, "ServiceUnavailable", "Shunt's upstream " + origin(endpoint)
        + " did not answer: " + lastFailure, attempts);
  }

  /** Marks this attempt over and returns its elapsed milliseconds, or -1 if it was over already. */
  private synchronized long closeAttempt(int number) {
    if (result.isDone() || number != attempts || !attemptOpen) {
      return -1;
    }
    attemptOpen = false;
    if (attemptTimer != null) {
      attemptTimer.cancel(false);
      attemptTimer = null;
    }
    if (send != null) {
      send.cancel(true);
      send = null;
    }
    return TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - attemptStartNanos);
  }

  private void stopPending() {
    Future<?>[] pending;
    synchronized (this) {
      attemptOpen = false;
      pending = new Future<?>[] {send, attemptTimer, retryTimer, totalTimer};
      send = null;
      attemptTimer = null;
      retryTimer = null;
      totalTimer = null;
    }
    for (Future<?> future : pending) {
      if (future != null) {
        future.cancel(true);
      }
    }
  }

  private void report(int number, int status, String errorCode, long elapsedMillis, long backoffMillis) {
    try {
      listener.attempt(number, status, errorCode, elapsedMillis, backoffMillis);
    } catch (Throwable ignored) {
      // A listener's failure (metrics, tracing) must never leave the caller's answer pending.
    }
  }

  /** A short reason, for a client to read: never a stack trace, never anything the request carried. */
  private String reason(Throwable failure) {
    Throwable cause = unwrap(failure);
    if (cause instanceof HttpConnectTimeoutException) {
      return "could not connect within " + UpstreamClient.describe(policy.connectTimeout());
    }
    if (cause instanceof HttpTimeoutException) {
      return "timed out after " + UpstreamClient.describe(policy.attemptTimeout());
    }
    if (cause instanceof BoundedBody.TooLarge) {
      return cause.getMessage();
    }
    for (Throwable t = cause; t != null; t = t.getCause()) {
      if (t instanceof UnresolvedAddressException || t instanceof UnknownHostException) {
        return "unknown host";
      }
    }
    if (cause instanceof ConnectException) {
      for (Throwable t = cause; t != null; t = t.getCause()) {
        String message = t.getMessage();
        if (message != null && message.toLowerCase(Locale.ROOT).contains("refused")) {
          return "connection refused";
        }
      }
      // The JDK's client often says nothing more; a refused port is the common case.
      return cause.getMessage() == null ? "connection refused" : "could not connect";
    }
    return cause == null ? "unknown failure" : cause.getClass().getSimpleName();
  }

  private static Throwable unwrap(Throwable failure) {
    if (failure instanceof TimeoutException) {
      return new TimeoutException("no credentials within the upstream time-out");
    }
    Throwable cause = failure;
    while ((cause instanceof CompletionException || cause instanceof ExecutionException) && cause.getCause() != null) {
      cause = cause.getCause();
    }
    return cause;
  }

  /** The first line of a failure's message, at most 300 characters (credential providers explain at length). */
  private static String firstLine(Throwable failure) {
    String message = failure == null ? null : failure.getMessage();
    if (message == null || message.isBlank()) {
      return failure == null ? "unknown failure" : failure.getClass().getSimpleName();
    }
    String line = message.strip().lines().findFirst().orElse("").strip();
    return line.length() > MAX_MESSAGE ? line.substring(0, MAX_MESSAGE) : line;
  }

  static String origin(URI endpoint) {
    int port = endpoint.getPort();
    if (port == -1) {
      port = "https".equalsIgnoreCase(endpoint.getScheme()) ? 443 : 80;
    }
    return endpoint.getScheme() + "://" + endpoint.getHost() + ":" + port;
  }
}
