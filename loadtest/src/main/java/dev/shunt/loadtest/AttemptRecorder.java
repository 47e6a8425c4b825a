package dev.shunt.loadtest;

import software.amazon.awssdk.core.interceptor.Context;
import software.amazon.awssdk.core.interceptor.ExecutionAttribute;
import software.amazon.awssdk.core.interceptor.ExecutionAttributes;
import software.amazon.awssdk.core.interceptor.ExecutionInterceptor;

/**
 * Sees every HTTP attempt the SDK makes for a load call, and the backoff it waited before a retry,
 * as the client lived them: an attempt starts at {@code beforeTransmission} and is answered at
 * {@code afterTransmission} (its status and {@code x-amzn-ErrorType}); it is counted in
 * {@link LoadStats} when the next attempt starts or the call ends, in the second it was sent. The
 * backoff is the time from the end of one attempt to the start of the next (the SDK's sleep, plus
 * the few microseconds it takes to sign again).
 *
 * <p>Only calls that carry {@link #OPERATION} (the load's own, set per request) are recorded: the
 * set-up calls are not. Registered on the load's clients only, never globally, and it changes no
 * request. Not Shunt's {@code ShuntExecutionInterceptor} (which keeps attempts too): that one
 * routes to a backend and reports to it, which a load run against a given URL must not do.
 */
final class AttemptRecorder implements ExecutionInterceptor {
  /** The index in {@link LoadStats#operations()} of the operation a request is a load call of. */
  static final ExecutionAttribute<Integer> OPERATION = new ExecutionAttribute<>("ShuntLoadOperation");
  private static final ExecutionAttribute<Call> CALL = new ExecutionAttribute<>("ShuntLoadCall");

  private final LoadStats stats;
  private final RunClock clock;
  private final int maxAttempts;

  AttemptRecorder(LoadStats stats, RunClock clock, int maxAttempts) {
    this.stats = stats;
    this.clock = clock;
    this.maxAttempts = maxAttempts;
  }

  @Override
  public void beforeTransmission(Context.BeforeTransmission context, ExecutionAttributes attributes) {
    Integer op = attributes.getAttribute(OPERATION);
    if (op == null) {
      return;
    }
    long now = System.nanoTime();
    Call call = attributes.getAttribute(CALL);
    if (call == null) {
      call = new Call(op);
      attributes.putAttribute(CALL, call);
    }
    call.start(now);
  }

  @Override
  public void afterTransmission(Context.AfterTransmission context, ExecutionAttributes attributes) {
    Call call = attributes.getAttribute(CALL);
    if (call != null) {
      int status = context.httpResponse().statusCode();
      call.answered(System.nanoTime(), status,
          status / 100 == 2 ? null : context.httpResponse().firstMatchingHeader("x-amzn-ErrorType").orElse(null));
    }
  }

  @Override
  public void afterExecution(Context.AfterExecution context, ExecutionAttributes attributes) {
    Call call = attributes.getAttribute(CALL);
    if (call != null) {
      call.end(null);
    }
  }

  @Override
  public void onExecutionFailure(Context.FailedExecution context, ExecutionAttributes attributes) {
    Call call = attributes.getAttribute(CALL);
    if (call != null) {
      call.end(context.exception());
    }
  }

  /** How an answer is counted: 2xx accepted, the throttling codes the SDK knows (or 429) throttled. */
  static LoadStats.Outcome classify(int status, String errorCode) {
    if (status / 100 == 2) {
      return LoadStats.Outcome.OK;
    }
    if (status == 429 || isThrottling(errorCode)) {
      return LoadStats.Outcome.THROTTLED;
    }
    return LoadStats.Outcome.ERROR;
  }

  /** The error codes the AWS SDK treats as throttling ({@code AwsErrorCode.THROTTLING_ERROR_CODES}). */
  static boolean isThrottling(String errorCode) {
    if (errorCode == null) {
      return false;
    }
    return switch (errorCode) {
      case "Throttling", "ThrottlingException", "ThrottledException", "RequestThrottledException",
          "RequestThrottled", "TooManyRequestsException", "ProvisionedThroughputExceededException",
          "TransactionInProgressException", "RequestLimitExceeded", "BandwidthLimitExceeded", "SlowDown",
          "EC2ThrottledException" -> true;
      default -> false;
    };
  }

  /** The code in an {@code x-amzn-ErrorType} header: before any ':' (AWS may append a URL), after any '#'. */
  static String errorCode(String header) {
    if (header == null) {
      return null;
    }
    int colon = header.indexOf(':');
    String code = colon < 0 ? header : header.substring(0, colon);
    code = code.substring(code.lastIndexOf('#') + 1).trim();
    return code.isEmpty() ? null : code;
  }

  /** One load call's attempts. A sync client makes them one after the other on the calling thread. */
  private final class Call {
    private final int op;
    private int number;
    private long startNanos;
    private long lastEndNanos = Long.MIN_VALUE;
    private boolean open;
    private boolean answered;
    private int status;
    private String errorCode;
    /** The backoff before the attempt in flight, in microseconds (-1: first attempt, or unknown). */
    private long backoffMicros;

    Call(int op) {
      this.op = op;
    }

    synchronized void start(long now) {
      if (open) {
        // The previous attempt got no answer (I/O error) and the SDK retries it.
        close(now, null);
      }
      number++;
      backoffMicros = number == 1 || lastEndNanos == Long.MIN_VALUE ? -1 : (now - lastEndNanos) / 1000;
      startNanos = now;
      open = true;
      answered = false;
      status = 0;
      errorCode = null;
    }

    synchronized void answered(long now, int httpStatus, String errorTypeHeader) {
      if (!open) {
        return;
      }
      answered = true;
      status = httpStatus;
      errorCode = errorCode(errorTypeHeader);
      lastEndNanos = now;
    }

    synchronized void end(Throwable failure) {
      if (!open) {
        return;
      }
      long now = System.nanoTime();
      LoadStats.Outcome last = close(now, failure);
      boolean retryable = last == LoadStats.Outcome.THROTTLED || last == LoadStats.Outcome.IO_ERROR
          || last == LoadStats.Outcome.ERROR && status >= 500;
      if (failure != null && retryable && number < maxAttempts) {
        // A throttle, or no answer, that the SDK did not retry though attempts were left: its
        // retry quota (the standard mode's circuit breaker) was used up.
        stats.retryRefused(op, clock.epochMillis(now));
      }
    }

    private LoadStats.Outcome close(long now, Throwable failure) {
      open = false;
      LoadStats.Outcome outcome;
      if (!answered) {
        outcome = LoadStats.Outcome.IO_ERROR;
        // When it failed is not known: the wait before the next attempt is not measured.
        lastEndNanos = Long.MIN_VALUE;
      } else {
        String code = errorCode;
        if (code == null && status / 100 != 2 && failure != null) {
          code = SdkTarget.errorCode(failure);
        }
        outcome = classify(status, code);
      }
      stats.attempt(op, clock.epochMillis(startNanos), number, outcome, backoffMicros);
      return outcome;
    }
  }
}
