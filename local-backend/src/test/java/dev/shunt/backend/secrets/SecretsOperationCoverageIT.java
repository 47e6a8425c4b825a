package dev.shunt.backend.secrets;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import dev.shunt.backend.BackendTest;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.shunt.backend.model.ServiceModel;
import java.io.IOException;
import java.io.InputStream;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.awscore.exception.AwsServiceException;
import software.amazon.awssdk.core.SdkField;
import software.amazon.awssdk.core.SdkPojo;
import software.amazon.awssdk.services.secretsmanager.SecretsManagerClient;
import software.amazon.awssdk.services.secretsmanager.model.ReplicaRegionType;
import software.amazon.awssdk.services.secretsmanager.model.SecretsManagerRequest;
import software.amazon.awssdk.services.secretsmanager.model.SecretsManagerResponse;
import software.amazon.awssdk.services.secretsmanager.model.Tag;
import software.amazon.awssdk.utils.builder.SdkBuilder;

/**
 * Every operation the SDK's {@link SecretsManagerClient} offers, found by reflection, reaches an
 * implementation: called with a minimal request that passes the model's validation, none answers
 * UnknownOperationException or UnsupportedOperationException (an AWS error from the operation
 * itself, such as InvalidRequestException, is fine).
 */
class SecretsOperationCoverageIT extends BackendTest {
  /** Errors that mean the call never reached an operation's handler. */
  private static final Set<String> NOT_HANDLED = Set.of("UnknownOperationException", "UnsupportedOperationException",
      "ValidationException", "SerializationException", "InternalFailure");
  private static final String POLICY = "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Allow\","
      + "\"Principal\":{\"AWS\":\"arn:aws:iam::000000000000:root\"},\"Action\":\"secretsmanager:GetSecretValue\","
      + "\"Resource\":\"*\"}]}";

  /** The client's operations: its methods taking a concrete request and returning a response. */
  private static List<Method> operations() {
    return Arrays.stream(SecretsManagerClient.class.getMethods())
        .filter(m -> m.getParameterCount() == 1 && !Modifier.isStatic(m.getModifiers()))
        .filter(m -> SecretsManagerRequest.class.isAssignableFrom(m.getParameterTypes()[0])
            && SecretsManagerResponse.class.isAssignableFrom(m.getReturnType()))
        .sorted(Comparator.comparing(Method::getName))
        .toList();
  }

  private static String operationName(Method method) {
    return Character.toUpperCase(method.getName().charAt(0)) + method.getName().substring(1);
  }

  @Test
  void theSdkAndTheModelAgreeOnTheOperations() {
    List<String> sdk = operations().stream().map(SecretsOperationCoverageIT::operationName).toList();
    assertThat(sdk).hasSizeGreaterThanOrEqualTo(23).doesNotHaveDuplicates();
    assertThat(sdk).containsExactlyInAnyOrderElementsOf(ServiceModel.load("secretsmanager").operationNames());
  }

  @Test
  void everyOperationReachesAnImplementation() throws Exception {
    Map<String, String> outcomes = new TreeMap<>();
    for (Method method : operations()) {
      String operation = operationName(method);
      String secretName = "coverage-" + operation;
      sm.createSecret(r -> r.name(secretName).secretString("value"));
      SecretsManagerRequest request = minimalRequest(method.getParameterTypes()[0], operation, secretName);
      String outcome;
      try {
        Object response = method.invoke(sm, request);
        assertThat(response).isInstanceOf(SecretsManagerResponse.class);
        assertThat(((SecretsManagerResponse) response).responseMetadata().requestId()).isNotBlank();
        outcome = "OK";
      } catch (InvocationTargetException e) {
        if (!(e.getCause() instanceof AwsServiceException error)) {
          throw e;
        }
        assertThat(error.requestId()).as(operation).isNotBlank();
        outcome = error.awsErrorDetails().errorCode() + ": " + error.awsErrorDetails().errorMessage();
      }
      outcomes.put(operation, outcome);
    }
    assertThat(outcomes).hasSize(operations().size());
    List<String> unhandled = new ArrayList<>();
    outcomes.forEach((operation, outcome) -> {
      if (NOT_HANDLED.stream().anyMatch(outcome::startsWith)) {
        unhandled.add(operation + " -> " + outcome);
      }
    });
    assertThat(unhandled).as("outcomes: %s", outcomes).isEmpty();
    // Most operations succeed outright on a minimal request against an existing secret.
    assertThat(outcomes.values().stream().filter("OK"::equals).count()).as("outcomes: %s", outcomes)
        .isGreaterThanOrEqualTo(18);
  }

  /** The members AWS's model requires in each operation's input. */
  private static Set<String> requiredMembers(String operation) throws IOException {
    try (InputStream in = ServiceModel.class.getResourceAsStream("/dev/shunt/backend/model/secretsmanager.json")) {
      JsonNode model = new ObjectMapper().readTree(in);
      String input = model.path("operations").path(operation).path("input").path("shape").asText();
      Set<String> required = new HashSet<>();
      model.path("shapes").path(input).path("required").forEach(member -> required.add(member.asText()));
      return required;
    }
  }

  /** The request with its required members (and SecretId) only, each given a plausible value. */
  private static SecretsManagerRequest minimalRequest(Class<?> type, String operation, String secretName)
      throws ReflectiveOperationException, IOException {
    Set<String> required = requiredMembers(operation);
    Object builder = type.getMethod("builder").invoke(null);
    for (SdkField<?> field : ((SdkPojo) builder).sdkFields()) {
      if (field.memberName().equals("SecretId") || required.contains(field.memberName())) {
        Object value = switch (field.memberName()) {
          case "SecretId" -> secretName;
          case "Name" -> "coverage-new-" + operation;
          case "ResourcePolicy" -> POLICY;
          case "VersionStage" -> "coverage-label";
          case "Tags" -> List.of(Tag.builder().key("k").value("v").build());
          case "TagKeys" -> List.of("k");
          case "RemoveReplicaRegions" -> List.of("eu-west-1");
          case "AddReplicaRegions" -> List.of(ReplicaRegionType.builder().region("eu-west-1").build());
          default -> fail("No minimal value for the required member %s of %s", field.memberName(), operation);
        };
        field.set(builder, value);
      }
    }
    return (SecretsManagerRequest) ((SdkBuilder<?, ?>) builder).build();
  }

  @Test
  void anOperationShuntDoesNotKnowIsRefusedAsUnknown() throws Exception {
    // The check above would see it: the router answers UnknownOperationException for targets it lacks.
    HttpResponse<String> response = shunt.post("/", "secretsmanager.NoSuchOperation", "{}");
    assertThat(response.statusCode()).isEqualTo(400);
    assertThat(response.body()).contains("UnknownOperationException");
  }
}
