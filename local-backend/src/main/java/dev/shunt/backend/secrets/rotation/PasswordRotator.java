package dev.shunt.backend.secrets.rotation;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.shunt.backend.core.Json;
import java.util.List;

/**
 * The built-in rotator, following AWS's single-user rotation template: createSecret puts a copy
 * of AWSCURRENT with a new {@code password} (a JSON secret keeps its other fields; a plain string
 * is replaced whole) as AWSPENDING; setSecret and testSecret have no database to change or test;
 * finishSecret moves AWSCURRENT to the new version.
 */
public final class PasswordRotator implements SecretRotator {
  public static final String NAME = "shunt-password-rotator";

  @Override
  public String name() {
    return NAME;
  }

  @Override
  public void step(RotationStep step, RotationRequest request) throws Exception {
    SecretsApi secrets = request.secrets();
    String id = request.secretId();
    String token = request.clientRequestToken();
    switch (step) {
      case CREATE_SECRET -> {
        String current = secrets.getSecretString(id, null, "AWSCURRENT")
            .orElseThrow(() -> new IllegalStateException("The secret has no AWSCURRENT version to rotate"));
        if (secrets.getSecretString(id, token, "AWSPENDING").isPresent()) {
          return;
        }
        secrets.putSecretValue(id, token, withNewPassword(current, secrets.randomPassword()), List.of("AWSPENDING"));
      }
      case SET_SECRET -> { }
      case TEST_SECRET -> secrets.getSecretString(id, token, "AWSPENDING")
          .orElseThrow(() -> new IllegalStateException("The AWSPENDING version " + token + " is not readable"));
      case FINISH_SECRET -> {
        String currentVersion = null;
        for (var entry : secrets.versionIdsToStages(id).entrySet()) {
          if (entry.getValue().contains("AWSCURRENT")) {
            currentVersion = entry.getKey();
          }
        }
        if (token.equals(currentVersion)) {
          return;
        }
        secrets.updateSecretVersionStage(id, "AWSCURRENT", token, currentVersion);
      }
      default -> throw new IllegalStateException("Unknown step " + step);
    }
  }

  private static String withNewPassword(String current, String password) {
    try {
      JsonNode tree = Json.readTree(current);
      if (tree instanceof ObjectNode object) {
        object.put("password", password);
        return Json.text(object);
      }
    } catch (Exception e) {
      // not JSON: the value is the password itself
    }
    return password;
  }
}
