package dev.shunt.interceptors;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import software.amazon.awssdk.core.exception.SdkServiceException;
import software.amazon.awssdk.core.interceptor.ExecutionAttribute;
import software.amazon.awssdk.core.interceptor.ExecutionAttributes;
import software.amazon.awssdk.http.SdkHttpResponse;

/**
 * The attempts of one KMS, Secrets Manager or SSM call, as the SDK made them: kept in the call's
 * {@link ExecutionAttributes} by {@link ShuntExecutionInterceptor}, one {@link Attempt} per HTTP
 * attempt (its outcome, error code, the backoff that preceded it and its duration).
 *
 * <p>An attempt starts at {@code beforeTransmission} and is answered at {@code afterTransmission};
 * it is closed (becomes an {@link Attempt}) when the next attempt starts or the call ends. An
 * attempt that never got an answer failed on I/O (its duration, and the delay before the next
 * attempt, are then unknown: -1). A 2xx answer followed by another attempt failed while its body
 * was read, an I/O failure too.
 */
public final class ShuntAttempts {
  /** How an attempt ended. */
  public enum Outcome {
    /** A 2xx answer, and the call went on with it. */
    OK,
    /** HTTP 429, or an error code the SDK treats as throttling. */
    THROTTLED,
    /** HTTP 5xx. */
    SERVER_ERROR,
    /** Any other error answer (4xx). */
    CLIENT_ERROR,
    /** No (complete) answer: connection, timeout or read failure. */
    IO_ERROR;

    /** Whether the SDK retries such an outcome (throttle, 5xx, I/O). */
    public boolean retryable() {
      return this == THROTTLED || this == SERVER_ERROR || this == IO_ERROR;
    }
  }

  /**
   * One HTTP attempt. {@code errorCode} is the AWS error code (or, for the last attempt of a call
   * that failed on I/O, the exception's class), null when there is none; {@code httpStatus} is 0
   * without an answer; {@code delayBeforeMillis} is the gap since the previous attempt ended (0 for
   * the first, -1 when unknown); {@code durationMillis} is -1 when unknown.
   */
  public record Attempt(int number, Outcome outcome, int httpStatus, String errorCode, long delayBeforeMillis,
      long durationMillis) {
    /** How a story names this attempt's outcome: OK, the error code, {@code HTTP 503} or {@code I/O error}. */
    public String label() {
      if (outcome == Outcome.OK) {
        return "OK";
      }
      if (errorCode != null) {
        return errorCode;
      }
      return outcome == Outcome.IO_ERROR || httpStatus == 0 ? "I/O error" : "HTTP " + httpStatus;
    }
  }

  static final ExecutionAttribute<ShuntAttempts> ATTRIBUTE = new ExecutionAttribute<>("ShuntAttempts");
  private static final long NONE = Long.MIN_VALUE;

  private final ShuntClientStats.Operation operation;
  /** The interceptor instance that records this call (a chain holding Shunt's interceptor twice records once). */
  final Object owner;
  /** The call's span state ({@link ShuntTracing}), or null when no span records it. */
  volatile Object trace;
  private final ArrayList<Attempt> attempts = new ArrayList<>(2);
  // The attempt in flight (number 0: none yet).
  private int number;
  private long startNanos;
  private long delayNanos = NONE;
  private long answeredNanos = NONE;
  private int status;
  private String errorCode;
  /** When the last closed attempt ended, if known. */
  private long lastEndNanos = NONE;
  private boolean ended;
  private boolean succeeded;
  private boolean gaveUp;

  ShuntAttempts(ShuntClientStats.Operation operation, Object owner) {
    this.operation = operation;
    this.owner = owner;
  }

  /** The call's record, or null when it is not one of the three services' (or not recorded). */
  public static ShuntAttempts of(ExecutionAttributes attributes) {
    return attributes.getAttribute(ATTRIBUTE);
  }

  /** {@code SERVICE.Operation}: {@code KMS.Decrypt}, {@code SecretsManager.GetSecretValue}, {@code SSM.GetParameter}. */
  public String operation() {
    return operation.name;
  }

  ShuntClientStats.Operation counters() {
    return operation;
  }

  /** The attempts closed so far (all of them once the call ended). */
  public synchronized List<Attempt> attempts() {
    return Collections.unmodifiableList(new ArrayList<>(attempts));
  }

  /** The attempts themselves, not copied: only for a call that has ended (nothing changes them then). */
  synchronized List<Attempt> endedAttempts() {
    return attempts;
  }

  public synchronized boolean ended() {
    return ended;
  }

  /** The call returned a response. */
  public synchronized boolean succeeded() {
    return succeeded;
  }

  /** The call failed after its last attempt's outcome was retryable: the SDK gave up. */
  public synchronized boolean gaveUp() {
    return gaveUp;
  }

  /**
   * {@code beforeTransmission}: attempt N+1 starts; the previous one, unanswered, failed on I/O.
   * Returns the new attempt's number (0 once the call ended).
   */
  synchronized int attemptStarted(long now) {
    if (ended) {
      return 0;
    }
    if (number > 0) {
      close(now, true, null);
    }
    number++;
    startNanos = now;
    delayNanos = number == 1 ? 0 : lastEndNanos == NONE ? NONE : Math.max(0, now - lastEndNanos);
    answeredNanos = NONE;
    status = 0;
    errorCode = null;
    return number;
  }

  /** {@code afterTransmission}: the attempt's HTTP status and error code. */
  synchronized void answered(long now, SdkHttpResponse response) {
    if (ended || number == 0) {
      return;
    }
    answeredNanos = now;
    status = response.statusCode();
    if (status < 200 || status >= 300) {
      errorCode = errorCode(response.firstMatchingHeader("x-amzn-ErrorType").orElse(null));
    }
  }

  /**
   * {@code afterExecution} ({@code failure} null) or {@code onExecutionFailure}: the call ends.
   * Returns false if it had already ended.
   */
  synchronized boolean end(long now, Throwable failure) {
    if (ended) {
      return false;
    }
    ended = true;
    if (number > 0) {
      close(now, false, failure);
    }
    succeeded = failure == null;
    gaveUp = failure != null && !attempts.isEmpty() && attempts.get(attempts.size() - 1).outcome().retryable();
    return true;
  }

  /** Closes the attempt in flight: {@code retried} when another attempt follows it. */
  private void close(long now, boolean retried, Throwable failure) {
    boolean answered = answeredNanos != NONE;
    Outcome outcome;
    String code = errorCode;
    if (!answered) {
      outcome = Outcome.IO_ERROR;
      code = failure == null ? null : ioErrorName(failure);
    } else if (status >= 200 && status < 300) {
      // Retried after a 2xx, or failed reading it: the body never arrived whole.
      Throwable io = failure == null ? null : ioCause(failure);
      outcome = retried || io != null ? Outcome.IO_ERROR : Outcome.OK;
      code = io == null ? null : io.getClass().getSimpleName();
    } else {
      if (code == null && failure != null) {
        code = serviceErrorCode(failure);
      }
      outcome = classify(status, code);
    }
    long end = answered ? answeredNanos : retried ? NONE : now;
    attempts.add(new Attempt(number, outcome, answered ? status : 0, code,
        delayNanos == NONE ? -1 : delayNanos / 1_000_000, end == NONE ? -1 : (end - startNanos) / 1_000_000));
    lastEndNanos = end;
  }

  /** The outcome of an answered attempt. */
  static Outcome classify(int status, String errorCode) {
    if (status >= 200 && status < 300) {
      return Outcome.OK;
    }
    if (status == 429 || isThrottling(errorCode)) {
      return Outcome.THROTTLED;
    }
    return status >= 500 ? Outcome.SERVER_ERROR : Outcome.CLIENT_ERROR;
  }

  /**
   * The error codes the SDK treats as throttling ({@code AwsErrorCode.THROTTLING_ERROR_CODES}, the
   * same in SDK 2.20 and 2.54). {@code LimitExceededException} is not among them: KMS and Secrets
   * Manager use it for resource quotas (too many keys, versions), which no retry cures.
   */
  static boolean isThrottling(String errorCode) {
    if (errorCode == null) {
      return false;
    }
    switch (errorCode) {
      case "Throttling":
      case "ThrottlingException":
      case "ThrottledException":
      case "RequestThrottledException":
      case "RequestThrottled":
      case "TooManyRequestsException":
      case "ProvisionedThroughputExceededException":
      case "TransactionInProgressException":
      case "RequestLimitExceeded":
      case "BandwidthLimitExceeded":
      case "SlowDown":
      case "EC2ThrottledException":
        return true;
      default:
        return false;
    }
  }

  /**
   * The error code in an {@code x-amzn-ErrorType} header: the part before ':' (AWS appends a URL),
   * after a '#' (a Smithy shape id's namespace).
   */
  static String errorCode(String header) {
    if (header == null) {
      return null;
    }
    int colon = header.indexOf(':');
    int end = colon < 0 ? header.length() : colon;
    int start = header.lastIndexOf('#', end - 1) + 1;
    while (start < end && header.charAt(start) == ' ') {
      start++;
    }
    while (end > start && header.charAt(end - 1) == ' ') {
      end--;
    }
    return start >= end ? null : start == 0 && end == header.length() ? header : header.substring(start, end);
  }

  /** The error code of a service exception (when the answer lacked the header), else null. */
  private static String serviceErrorCode(Throwable failure) {
    if (!(failure instanceof SdkServiceException)) {
      return null;
    }
    try {
      if (failure instanceof software.amazon.awssdk.awscore.exception.AwsServiceException aws
          && aws.awsErrorDetails() != null) {
        return aws.awsErrorDetails().errorCode();
      }
    } catch (LinkageError e) {
      // no aws-core: the code stays unknown
    }
    return null;
  }

  /** What failed on I/O: the innermost IOException's class (e.g. SocketTimeoutException), else the failure's. */
  static String ioErrorName(Throwable failure) {
    Throwable io = ioCause(failure);
    return (io != null ? io : failure).getClass().getSimpleName();
  }

  /** The innermost IOException in a failure's causes, or null. */
  private static Throwable ioCause(Throwable failure) {
    Throwable io = null;
    Throwable cause = failure;
    for (int depth = 0; cause != null && depth < 10; depth++) {
      if (cause instanceof IOException) {
        io = cause;
      }
      cause = cause.getCause();
    }
    return io;
  }

  /**
   * The call told as a line: {@code KMS.Decrypt: attempt 1 ThrottlingException, waited 412 ms,
   * attempt 2 OK}, ending {@code , gave up} when the SDK gave up.
   */
  public synchronized String story() {
    return story(operation.name, attempts, gaveUp);
  }

  static String story(String operation, List<Attempt> attempts, boolean gaveUp) {
    StringBuilder story = new StringBuilder(operation.length() + 40 * Math.max(1, attempts.size()));
    story.append(operation).append(':');
    for (int i = 0; i < attempts.size(); i++) {
      Attempt attempt = attempts.get(i);
      if (i > 0) {
        story.append(',');
        if (attempt.delayBeforeMillis() >= 0) {
          story.append(" waited ").append(attempt.delayBeforeMillis()).append(" ms,");
        }
      }
      story.append(" attempt ").append(attempt.number()).append(' ').append(attempt.label());
    }
    if (attempts.isEmpty()) {
      story.append(" no attempt");
    }
    if (gaveUp) {
      story.append(", gave up");
    }
    return story.toString();
  }

  @Override
  public synchronized String toString() {
    return story() + (ended ? "" : " (in flight)");
  }
}
