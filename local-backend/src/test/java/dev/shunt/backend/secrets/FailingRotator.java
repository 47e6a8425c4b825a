package dev.shunt.backend.secrets;

import dev.shunt.backend.secrets.rotation.RotationRequest;
import dev.shunt.backend.secrets.rotation.RotationStep;
import dev.shunt.backend.secrets.rotation.SecretRotator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A test rotator loaded through ServiceLoader: createSecret puts an AWSPENDING version
 * ({@code pending-<token>}), setSecret passes, testSecret always throws, as a rotation function
 * would whose new credentials do not work. Records the token of each testSecret attempt.
 */
public final class FailingRotator implements SecretRotator {
  public static final String NAME = "failing-at-test";
  static final String MESSAGE = "the new credentials were refused";
  private static final Map<String, List<String>> TEST_ATTEMPTS = new ConcurrentHashMap<>();

  /** The token of each testSecret attempt for a secret, in order. */
  static List<String> testAttempts(String secretArn) {
    return List.copyOf(TEST_ATTEMPTS.getOrDefault(secretArn, List.of()));
  }

  static String valueFor(String token) {
    return "pending-" + token;
  }

  @Override
  public String name() {
    return NAME;
  }

  @Override
  public void step(RotationStep step, RotationRequest request) {
    String id = request.secretId();
    String token = request.clientRequestToken();
    switch (step) {
      case CREATE_SECRET -> {
        if (request.secrets().getSecretString(id, token, "AWSPENDING").isEmpty()) {
          request.secrets().putSecretValue(id, token, valueFor(token), List.of("AWSPENDING"));
        }
      }
      case SET_SECRET -> { }
      case TEST_SECRET -> {
        TEST_ATTEMPTS.computeIfAbsent(id, k -> new CopyOnWriteArrayList<>()).add(token);
        throw new IllegalStateException(MESSAGE);
      }
      default -> throw new IllegalStateException("finishSecret must not run after a failed testSecret");
    }
  }
}
