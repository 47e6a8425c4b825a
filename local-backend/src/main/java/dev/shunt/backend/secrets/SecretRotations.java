package dev.shunt.backend.secrets;

import dev.shunt.backend.auth.Identity;
import dev.shunt.backend.core.AwsException;
import dev.shunt.backend.core.RequestContext;
import dev.shunt.backend.core.RequestIds;
import dev.shunt.backend.http.OutboundHosts;
import dev.shunt.backend.secrets.rotation.HttpCallbackRotator;
import dev.shunt.backend.secrets.rotation.PasswordRotator;
import dev.shunt.backend.secrets.rotation.RotationRequest;
import dev.shunt.backend.secrets.rotation.RotationStep;
import dev.shunt.backend.secrets.rotation.SecretRotator;
import dev.shunt.backend.secrets.rotation.SecretsApi;
import dev.shunt.backend.store.Persistence;
import dev.shunt.backend.time.ShuntClock;
import java.net.URI;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.ServiceLoader;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * Runs secret rotations, off the request threads, as AWS runs them after RotateSecret returns:
 * the four steps of the secret's rotator in order, stopping at the first that fails. Also the
 * scheduler: every 250 ms it starts the rotations whose NextRotationDate the (movable) clock
 * has passed. Rotators: the built-in {@link PasswordRotator}, {@link SecretRotator}s found with
 * ServiceLoader, and HTTP callbacks registered by name; a RotationLambdaARN whose function
 * name is none of these uses the built-in. What a rotation or the scheduler changes is written
 * to the store in a write set of its own ({@link #persistThrough}).
 */
public final class SecretRotations implements AutoCloseable {
  private static final System.Logger LOG = System.getLogger("dev.shunt.backend.secrets");

  /** How the last rotation of a secret ended, for the admin API and for tests. */
  public record Outcome(String secretArn, String versionId, boolean succeeded, String failedStep, String message,
      Instant at) {}

  private final ShuntClock clock;
  private final Map<String, SecretRotator> rotators = new ConcurrentHashMap<>();
  private final Set<Secret> tracked = ConcurrentHashMap.newKeySet();
  private final Map<String, Outcome> outcomes = new ConcurrentHashMap<>();
  /** After a scheduled rotation fails, the scheduler leaves the secret alone this long (on the clock). */
  private static final java.time.Duration RETRY_AFTER_FAILURE = java.time.Duration.ofHours(1);
  private final Map<String, Instant> retryNotBefore = new ConcurrentHashMap<>();
  private final ScheduledExecutorService executor = Executors.newScheduledThreadPool(2, runnable -> {
    Thread thread = new Thread(runnable, "shunt-secret-rotation");
    thread.setDaemon(true);
    return thread;
  });
  private volatile SecretsBackend backend;
  /** Where background changes are written; null (nothing written) until {@link #persistThrough}. */
  private volatile Persistence persistence;

  /** HTTP callback rotators kept at most: each is a name anyone with the admin API can add. */
  static final int MAX_CALLBACKS = 100;

  private final OutboundHosts outbound;
  /** Told the ARN of each secret a rotation changed, once the change is made (the caches drop its values). */
  private volatile java.util.function.Consumer<String> onRotated = arn -> { };

  public SecretRotations(ShuntClock clock, OutboundHosts outbound) {
    this.clock = clock;
    this.outbound = outbound;
    register(new PasswordRotator());
    for (SecretRotator rotator : ServiceLoader.load(SecretRotator.class)) {
      register(rotator);
    }
    executor.scheduleWithFixedDelay(this::startDueRotations, 250, 250, TimeUnit.MILLISECONDS);
  }

  void attach(SecretsBackend backend) {
    this.backend = backend;
  }

  /** Background changes (scheduled starts, rotation steps, their outcome) are written through {@code persistence}. */
  void persistThrough(Persistence persistence) {
    this.persistence = persistence;
  }

  /** The clock rotations and scheduling read, which loading state reads too. */
  ShuntClock clock() {
    return clock;
  }

  /**
   * Runs a change made off the request threads in a write set of its own: nobody waits for it to
   * be durable, but a store that cannot write it is logged.
   */
  private void persisted(Runnable change) {
    Persistence writes = persistence;
    if (writes == null) {
      change.run();
      return;
    }
    writes.run(change).whenComplete((done, failure) -> {
      if (failure != null) {
        LOG.log(System.Logger.Level.WARNING, "A secret rotation's changes could not be stored: " + failure);
      }
    });
  }

  public void register(SecretRotator rotator) {
    rotators.put(rotator.name(), rotator);
  }

  /**
   * Registers (or replaces) an HTTP callback rotator; refuses (IllegalArgumentException) a URL
   * that {@link OutboundHosts} does not allow, and more than {@value #MAX_CALLBACKS} callbacks.
   */
  public synchronized void registerCallback(String name, URI url) {
    outbound.check(url);
    long callbacks = rotators.values().stream().filter(HttpCallbackRotator.class::isInstance).count();
    if (callbacks >= MAX_CALLBACKS && !(rotators.get(name) instanceof HttpCallbackRotator)) {
      throw new IllegalArgumentException("At most " + MAX_CALLBACKS + " rotation callbacks can be registered");
    }
    register(new HttpCallbackRotator(name, url, outbound));
  }

  public Map<String, SecretRotator> rotators() {
    return Map.copyOf(rotators);
  }

  /** The last outcome of each secret's rotation, by secret ARN. */
  public Map<String, Outcome> outcomes() {
    return Map.copyOf(outcomes);
  }

  void track(Secret secret) {
    tracked.add(secret);
  }

  void forget(Secret secret) {
    tracked.remove(secret);
  }

  /** Whether the scheduler looks at this secret (its rotation is on). */
  boolean tracking(Secret secret) {
    return tracked.contains(secret);
  }

  void reset() {
    tracked.clear();
    outcomes.clear();
    retryNotBefore.clear();
  }

  /** Runs a rotation of {@code secret} making version {@code versionId}, in the background. */
  void start(Secret secret, String versionId) {
    executor.execute(() -> rotateDurably(secret, versionId));
  }

  private void startDueRotations() {
    Instant now = clock.now();
    for (Secret secret : tracked) {
      persisted(() -> startIfDue(secret, now));
    }
  }

  /** Starts a rotation of {@code secret} if its NextRotationDate has passed (its AWSPENDING version is a change). */
  private void startIfDue(Secret secret, Instant now) {
    Instant notBefore = retryNotBefore.get(secret.arn);
    if (notBefore != null && notBefore.isAfter(now)) {
      return;
    }
    String versionId = null;
    synchronized (secret) {
      if (secret.rotationEnabled && !secret.markedForDeletion() && secret.rotatingVersionId == null
          && secret.nextRotationDate != null && !secret.nextRotationDate.isAfter(now)) {
        // An incomplete rotation is reattempted with its own version, as RotateSecret does, rather
        // than piling up a new empty AWSPENDING version at every look.
        SecretVersion pending = secret.versionWithStage(SecretsBackend.PENDING);
        versionId = pending != null && !pending.stages.contains(SecretsBackend.CURRENT) ? pending.versionId
            : UUID.randomUUID().toString();
        SecretsBackend.beginRotation(secret, versionId, now);
      }
    }
    if (versionId != null) {
      String id = versionId;
      // Each rotation on its own task: a slow HTTP rotator must not hold up the others.
      executor.execute(() -> rotateDurably(secret, id));
    }
  }

  /**
   * Runs a rotation in a write set of its own and records its outcome once what it changed is
   * stored: whoever sees the outcome (the admin API, a test) may rely on it surviving a restart,
   * unless the store failed (which is logged, and fails every later write too).
   */
  private void rotateDurably(Secret secret, String versionId) {
    Persistence writes = persistence;
    if (writes == null) {
      outcomes.put(secret.arn, rotate(secret, versionId));
      onRotated.accept(secret.arn);
      return;
    }
    Outcome[] outcome = new Outcome[1];
    try {
      writes.run(() -> outcome[0] = rotate(secret, versionId)).join();
    } catch (RuntimeException e) {
      LOG.log(System.Logger.Level.WARNING, "The rotation of " + secret.arn
          + " failed, or its changes could not be stored: " + e);
    }
    if (outcome[0] != null) {
      outcomes.put(secret.arn, outcome[0]);
    }
    onRotated.accept(secret.arn);
  }

  /** Runs the rotator's four steps and ends the rotation; returns its outcome (which the caller records). */
  private Outcome rotate(Secret secret, String versionId) {
    String lambdaArn;
    synchronized (secret) {
      lambdaArn = secret.rotationLambdaArn;
    }
    SecretRotator rotator = rotatorFor(lambdaArn);
    RotationRequest request = new RotationRequest(secret.arn, versionId, new InProcessApi(secret));
    RotationStep failedStep = null;
    String message = null;
    for (RotationStep step : RotationStep.values()) {
      try {
        rotator.step(step, request);
      } catch (Exception | LinkageError e) {
        failedStep = step;
        message = e.getMessage();
        break;
      }
    }
    if (failedStep == null && !currentIs(secret, versionId)) {
      failedStep = RotationStep.FINISH_SECRET;
      message = "finishSecret did not move AWSCURRENT to version " + versionId;
    }
    Instant now = clock.now();
    backend.rotationFinished(secret, versionId, failedStep == null, context(secret));
    if (failedStep == null) {
      retryNotBefore.remove(secret.arn);
    } else {
      retryNotBefore.put(secret.arn, now.plus(RETRY_AFTER_FAILURE));
    }
    if (failedStep != null) {
      LOG.log(System.Logger.Level.INFO, "Rotation of " + secret.arn + " failed at " + failedStep.eventName()
          + ": " + message);
    }
    return new Outcome(secret.arn, versionId, failedStep == null, failedStep == null ? null : failedStep.eventName(),
        message, now);
  }

  private static boolean currentIs(Secret secret, String versionId) {
    synchronized (secret) {
      SecretVersion current = secret.versionWithStage(SecretsBackend.CURRENT);
      return current != null && current.versionId.equals(versionId);
    }
  }

  /** {@code arn:aws:lambda:REGION:ACCOUNT:function:NAME[:QUALIFIER]} picks the rotator named NAME. */
  SecretRotator rotatorFor(String lambdaArn) {
    String name = lambdaArn;
    if (lambdaArn != null && lambdaArn.startsWith("arn:")) {
      String[] parts = lambdaArn.split(":");
      name = parts.length >= 7 && parts[5].equals("function") ? parts[6] : lambdaArn;
    }
    SecretRotator rotator = name == null ? null : rotators.get(name);
    return rotator != null ? rotator : rotators.get(PasswordRotator.NAME);
  }

  /** Whom to tell of each secret a rotation changed (the caches). */
  public void onRotated(java.util.function.Consumer<String> listener) {
    this.onRotated = listener;
  }

  @Override
  public void close() {
    executor.shutdownNow();
  }

  /** Rotation acts as a role of the secret's own account, in the secret's Region, now. */
  private RequestContext context(Secret secret) {
    String principal = "arn:" + Identity.partitionOf(secret.region) + ":iam::" + secret.accountId
        + ":role/shunt-secret-rotation";
    return new RequestContext(RequestIds.next(),
        new Identity(secret.accountId, null, principal, secret.region), clock.now(), "127.0.0.1", "shunt-rotation");
  }

  /** The Secrets Manager API as a rotation function sees it: the secret's own account and Region. */
  private final class InProcessApi implements SecretsApi {
    private final Secret secret;

    InProcessApi(Secret secret) {
      this.secret = secret;
    }

    private RequestContext context() {
      return SecretRotations.this.context(secret);
    }

    @Override
    public Map<String, List<String>> versionIdsToStages(String secretId) {
      return backend.describeSecret(context(), secretId).versionIdsToStages();
    }

    @Override
    public Optional<String> getSecretString(String secretId, String versionId, String stage) {
      try {
        SecretsBackend.Value value = backend.getSecretValue(context(), secretId, versionId, stage);
        return Optional.of(new SecretValue(value.plaintext(), value.binary()).string());
      } catch (AwsException e) {
        if (e.code().equals("ResourceNotFoundException") || e.code().equals("InvalidRequestException")) {
          return Optional.empty();
        }
        throw e;
      }
    }

    @Override
    public void putSecretValue(String secretId, String clientRequestToken, String secretString, List<String> stages) {
      backend.putSecretValue(context(), secretId, clientRequestToken, SecretValue.of(secretString, null), stages);
    }

    @Override
    public void updateSecretVersionStage(String secretId, String stage, String moveToVersionId,
        String removeFromVersionId) {
      backend.updateSecretVersionStage(context(), secretId, stage, removeFromVersionId, moveToVersionId);
    }

    @Override
    public String randomPassword() {
      return PasswordGenerator.generate(PasswordGenerator.Spec.defaults());
    }
  }
}
