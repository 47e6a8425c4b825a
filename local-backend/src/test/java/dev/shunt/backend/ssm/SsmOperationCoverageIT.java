package dev.shunt.backend.ssm;

import static org.assertj.core.api.Assertions.assertThat;

import dev.shunt.backend.BackendFixture;
import java.lang.reflect.Method;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.awscore.exception.AwsServiceException;
import software.amazon.awssdk.services.ssm.SsmClient;
import software.amazon.awssdk.services.ssm.model.SsmRequest;

/**
 * Every Parameter Store operation of the SDK's SsmClient reaches an implementation (whatever AWS
 * error a minimal request earns, never an "unknown" or "unsupported" one); every other SSM
 * operation is answered UnsupportedOperationException naming what is supported.
 */
class SsmOperationCoverageIT {
  static final Set<String> PARAMETER_STORE = Set.of("PutParameter", "GetParameter", "GetParameters",
      "GetParametersByPath", "DeleteParameter", "DeleteParameters", "DescribeParameters", "GetParameterHistory",
      "LabelParameterVersion", "UnlabelParameterVersion", "AddTagsToResource", "ListTagsForResource",
      "RemoveTagsFromResource", "GetServiceSetting", "UpdateServiceSetting", "ResetServiceSetting",
      "PutResourcePolicy", "GetResourcePolicies", "DeleteResourcePolicy");

  @Test
  void everyParameterStoreOperationIsImplementedAndTheRestSaySo() throws Exception {
    try (BackendFixture shunt = BackendFixture.start(); SsmClient ssm = shunt.ssm()) {
      Set<String> reached = new TreeSet<>();
      int unsupported = 0;
      for (Method method : SsmClient.class.getMethods()) {
        if (method.getParameterCount() != 1 || !SsmRequest.class.isAssignableFrom(method.getParameterTypes()[0])) {
          continue;
        }
        String operation = Character.toUpperCase(method.getName().charAt(0)) + method.getName().substring(1);
        Object builder = method.getParameterTypes()[0].getMethod("builder").invoke(null);
        Object request = software.amazon.awssdk.utils.builder.SdkBuilder.class.getMethod("build").invoke(builder);
        String code = "none";
        String message = "";
        try {
          method.invoke(ssm, request);
        } catch (java.lang.reflect.InvocationTargetException e) {
          if (e.getCause() instanceof AwsServiceException error) {
            code = error.awsErrorDetails().errorCode();
            message = String.valueOf(error.awsErrorDetails().errorMessage());
          } else if (!(e.getCause() instanceof software.amazon.awssdk.core.exception.SdkClientException)) {
            throw e;
          }
        }
        assertThat(code).as(operation).isNotEqualTo("UnknownOperationException");
        if (PARAMETER_STORE.contains(operation)) {
          assertThat(code).as(operation).isNotEqualTo("UnsupportedOperationException");
          reached.add(operation);
        } else if (!code.equals("none")) {
          assertThat(code).as(operation).isEqualTo("UnsupportedOperationException");
          assertThat(message).contains("Parameter Store").contains("GetParametersByPath");
          unsupported++;
        }
      }
      assertThat(reached).containsExactlyInAnyOrderElementsOf(PARAMETER_STORE);
      assertThat(unsupported).isGreaterThan(100);
    }
  }

  @Test
  void theSdkModelHasNoParameterStoreOperationShuntLacks() {
    List<String> names = Arrays.stream(SsmClient.class.getMethods()).map(Method::getName)
        .filter(n -> n.contains("Parameter") && !n.endsWith("Paginator")).distinct()
        .map(n -> Character.toUpperCase(n.charAt(0)) + n.substring(1)).toList();
    assertThat(PARAMETER_STORE).containsAll(names);
  }
}
