package dev.shunt.backend.secrets;

import dev.shunt.backend.secrets.rotation.RotationRequest;
import dev.shunt.backend.secrets.rotation.RotationStep;
import dev.shunt.backend.secrets.rotation.SecretRotator;
import dev.shunt.backend.secrets.rotation.SecretsApi;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A test rotator loaded through ServiceLoader ({@code META-INF/services} of the test classes):
 * records each step it is given, as {@code step:token}, by secret ARN, and makes the new value
 * {@code custom-<token>}.
 */
public final class RecordingRotator implements SecretRotator {
  public static final String NAME = "recording-at-test";
  private static final Map<String, List<String>> STEPS = new ConcurrentHashMap<>();

  /** The steps seen for a secret, in order, each as {@code step:token}. */
  static List<String> steps(String secretArn) {
    return List.copyOf(STEPS.getOrDefault(secretArn, List.of()));
  }

  static String valueFor(String token) {
    return "custom-" + token;
  }

  @Override
  public String name() {
    return NAME;
  }

  @Override
  public void step(RotationStep step, RotationRequest request) {
    String id = request.secretId();
    String token = request.clientRequestToken();
    STEPS.computeIfAbsent(id, k -> new CopyOnWriteArrayList<>()).add(step.eventName() + ":" + token);
    SecretsApi secrets = request.secrets();
    switch (step) {
      case CREATE_SECRET -> {
        if (secrets.getSecretString(id, token, "AWSPENDING").isEmpty()) {
          secrets.putSecretValue(id, token, valueFor(token), List.of("AWSPENDING"));
        }
      }
      case SET_SECRET, TEST_SECRET -> { }
      case FINISH_SECRET -> {
        String current = null;
        for (Map.Entry<String, List<String>> entry : secrets.versionIdsToStages(id).entrySet()) {
          if (entry.getValue().contains("AWSCURRENT")) {
            current = entry.getKey();
          }
        }
        if (!token.equals(current)) {
          secrets.updateSecretVersionStage(id, "AWSCURRENT", token, current);
        }
      }
      default -> throw new IllegalStateException("Unknown step " + step);
    }
  }
}
