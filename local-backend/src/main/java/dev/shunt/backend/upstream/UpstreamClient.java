package dev.shunt.backend.upstream;

import java.net.URI;
import java.net.http.HttpClient;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Locale;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.atomic.AtomicInteger;
import software.amazon.awssdk.identity.spi.AwsCredentialsIdentity;
import software.amazon.awssdk.identity.spi.IdentityProvider;

/**
 * Forwards AWS JSON 1.1 requests to the upstream (real AWS, or anything that speaks like it):
 * SigV4-signed with Shunt's own credentials, retried as the policy says, never blocking the
 * caller. Every future it returns completes normally, with the upstream's answer or an
 * AWS-shaped local error, on one of its own threads.
 */
public final class UpstreamClient implements AutoCloseable {
  /** Calls in flight beyond which new ones are refused at once rather than queued without end. */
  public static final int MAX_IN_FLIGHT = 1024;

  private final UpstreamEndpoints endpoints;
  private final UpstreamRetryPolicy policy;
  private final IdentityProvider<? extends AwsCredentialsIdentity> credentials;
  private final ExecutorService executor;
  private final ScheduledExecutorService scheduler;
  private final HttpClient http;
  private final AtomicInteger inFlight = new AtomicInteger();
  private final Set<UpstreamCall> calls = ConcurrentHashMap.newKeySet();
  private volatile boolean closed;

  public UpstreamClient(UpstreamEndpoints endpoints, UpstreamRetryPolicy policy,
      IdentityProvider<? extends AwsCredentialsIdentity> credentials) {
    this.endpoints = Objects.requireNonNull(endpoints, "endpoints");
    this.policy = Objects.requireNonNull(policy, "policy");
    this.credentials = Objects.requireNonNull(credentials, "credentials");
    // The client's work is non-blocking but for resolving credentials, which the SDK's providers cache.
    int threads = Math.max(2, Math.min(8, Runtime.getRuntime().availableProcessors()));
    this.executor = Executors.newFixedThreadPool(threads, daemonThreads("shunt-upstream-"));
    ScheduledThreadPoolExecutor timers = new ScheduledThreadPoolExecutor(1, daemonThreads("shunt-upstream-timer-"));
    // Most timers are cancelled (an answer came in time): drop them at once, not when they would have fired.
    timers.setRemoveOnCancelPolicy(true);
    this.scheduler = timers;
    this.http = HttpClient.newBuilder()
        .version(HttpClient.Version.HTTP_1_1)
        .followRedirects(HttpClient.Redirect.NEVER)
        .connectTimeout(policy.connectTimeout())
        .executor(executor)
        .build();
  }

  /**
   * Forwards one request: signs it (SigV4, service {@code signingName}, Region {@code region}),
   * sends it and retries as the policy says. The future always completes normally, within the
   * policy's total time-out plus a little.
   */
  public CompletableFuture<UpstreamAnswer> forward(String signingName, String region, String target,
      String contentType, byte[] body, UpstreamAttempts attempts) {
    if (closed) {
      return CompletableFuture.completedFuture(closedAnswer(0));
    }
    URI endpoint;
    try {
      endpoint = endpoints.endpoint(signingName, region);
    } catch (IllegalArgumentException e) {
      return CompletableFuture.completedFuture(UpstreamAnswer.local(500, "InternalFailure",
          "Shunt cannot forward this request: " + e.getMessage(), 0));
    }
    if (inFlight.incrementAndGet() > MAX_IN_FLIGHT) {
      inFlight.decrementAndGet();
      return CompletableFuture.completedFuture(UpstreamAnswer.local(503, "ServiceUnavailable",
          "Shunt's upstream queue is full (" + MAX_IN_FLIGHT + " calls in flight)", 0));
    }
    UpstreamCall call = new UpstreamCall(this, endpoint, signingName, region, target,
        contentType == null ? UpstreamAnswer.AWS_JSON : contentType, body == null ? new byte[0] : body,
        attempts == null ? UpstreamAttempts.NONE : attempts);
    calls.add(call);
    // The caller gets the stage that completes once the call is counted out, so that a caller who
    // has its answer never still sees the call in flight.
    CompletableFuture<UpstreamAnswer> answered = call.result().whenComplete((answer, failure) -> {
      calls.remove(call);
      inFlight.decrementAndGet();
    });
    if (closed) {
      // Closed while this call was being admitted: close() may not have seen it.
      call.finish(closedAnswer(0));
    } else {
      call.start();
    }
    return answered;
  }

  /** Calls in flight now (admitted, not yet answered). */
  public int inFlight() {
    return inFlight.get();
  }

  public UpstreamEndpoints endpoints() {
    return endpoints;
  }

  public UpstreamRetryPolicy policy() {
    return policy;
  }

  /** Stops both thread pools; calls still in flight are answered 503 at once. */
  @Override
  public void close() {
    closed = true;
    scheduler.shutdownNow();
    executor.shutdownNow();
    for (UpstreamCall call : new ArrayList<>(calls)) {
      call.finish(closedAnswer(0));
    }
  }

  static UpstreamAnswer closedAnswer(int attempts) {
    return UpstreamAnswer.local(503, "ServiceUnavailable", "Shunt's upstream client is closed", attempts);
  }

  /** A duration as a client reads it: "10 s", "1.5 s", "200 ms". */
  static String describe(Duration duration) {
    long millis = duration.toMillis();
    if (millis < 1000) {
      return millis + " ms";
    }
    return millis % 1000 == 0 ? millis / 1000 + " s" : String.format(Locale.ROOT, "%.1f s", millis / 1000.0);
  }

  ExecutorService executor() {
    return executor;
  }

  ScheduledExecutorService scheduler() {
    return scheduler;
  }

  HttpClient http() {
    return http;
  }

  IdentityProvider<? extends AwsCredentialsIdentity> credentials() {
    return credentials;
  }

  private static ThreadFactory daemonThreads(String prefix) {
    AtomicInteger count = new AtomicInteger();
    return runnable -> {
      Thread thread = new Thread(runnable, prefix + count.incrementAndGet());
      thread.setDaemon(true);
      return thread;
    };
  }
}
