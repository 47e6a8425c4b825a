package dev.shunt.backend.kms;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.shunt.backend.BackendTest;
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
import java.util.TreeSet;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.awscore.exception.AwsServiceException;
import software.amazon.awssdk.core.SdkBytes;
import software.amazon.awssdk.core.SdkField;
import software.amazon.awssdk.core.SdkPojo;
import software.amazon.awssdk.services.kms.KmsClient;
import software.amazon.awssdk.services.kms.model.KmsRequest;
import software.amazon.awssdk.services.kms.model.KmsResponse;
import software.amazon.awssdk.services.kms.model.Tag;
import software.amazon.awssdk.utils.builder.SdkBuilder;

/**
 * Every operation the SDK's {@link KmsClient} offers, found by reflection, reaches an
 * implementation: called with a minimal request that passes the model's validation, none answers
 * UnknownOperationException or UnsupportedOperationException (an AWS error from the operation
 * itself, such as NotFoundException or KMSInvalidStateException, is fine) — except the operations
 * in {@link #STILL_UNIMPLEMENTED_ELSEWHERE}.
 */
class KmsOperationCoverageIT extends BackendTest {
  /**
   * Operations being implemented on other branches at the time of writing (asymmetric keys,
   * signing and MACs; imported key material; multi-Region keys). Each branch removes its own when
   * it lands, and the final merge leaves this empty: the test fails when an operation listed here
   * reaches an implementation, so the list cannot go stale.
   */
  static final Set<String> STILL_UNIMPLEMENTED_ELSEWHERE = Set.of();
  /** Errors that mean the call never reached an operation's handler (or the request was not what it needs). */
  private static final Set<String> NOT_HANDLED = Set.of("UnknownOperationException",
      // Shunt's own answer for an operation it lacks; AWS's UnsupportedOperationException (a
      // single-Region key asked to replicate...) comes from an implementation.
      "UnsupportedOperationException: Shunt does not implement", "ValidationException", "SerializationException",
      "InternalFailure");
  private static final String GRANTEE = "arn:aws:iam::000000000000:role/coverage";

  /**
   * Members a minimal request needs although the model does not require them: the operation
   * refuses a request without them in its own words (a ciphertext; one of NumberOfBytes and
   * KeySpec; a key store's type-specific settings; a grant named by key and id).
   */
  private static final Map<String, Set<String>> ALSO_NEEDED = Map.of(
      "Decrypt", Set.of("CiphertextBlob"),
      "ReEncrypt", Set.of("CiphertextBlob"),
      "GenerateDataKey", Set.of("KeySpec"),
      "GenerateDataKeyWithoutPlaintext", Set.of("KeySpec"),
      "GenerateRandom", Set.of("NumberOfBytes"),
      "CreateCustomKeyStore", Set.of("CloudHsmClusterId", "TrustAnchorCertificate", "KeyStorePassword"),
      "RetireGrant", Set.of("KeyId", "GrantId"));

  /** The client's operations: its methods taking a concrete request and returning a response. */
  private static List<Method> operations() {
    return Arrays.stream(KmsClient.class.getMethods())
        .filter(m -> m.getParameterCount() == 1 && !Modifier.isStatic(m.getModifiers()))
        .filter(m -> KmsRequest.class.isAssignableFrom(m.getParameterTypes()[0])
            && KmsResponse.class.isAssignableFrom(m.getReturnType()))
        .sorted(Comparator.comparing(Method::getName))
        .toList();
  }

  private static String operationName(Method method) {
    return Character.toUpperCase(method.getName().charAt(0)) + method.getName().substring(1);
  }

  @Test
  void theSdkAndTheModelAgreeOnTheOperations() {
    List<String> sdk = operations().stream().map(KmsOperationCoverageIT::operationName).toList();
    assertThat(sdk).hasSizeGreaterThanOrEqualTo(53).doesNotHaveDuplicates();
    assertThat(sdk).containsExactlyInAnyOrderElementsOf(ServiceModel.load("kms").operationNames());
    assertThat(sdk).containsAll(STILL_UNIMPLEMENTED_ELSEWHERE);
  }

  /** What a minimal request names: a fresh key, its ciphertext, a grant on it and a custom key store. */
  private record Fixture(String keyId, SdkBytes ciphertext, String grantId, String customKeyStoreId) {}

  @Test
  void everyOperationReachesAnImplementation() throws Exception {
    String storeId = kms.createCustomKeyStore(r -> r.customKeyStoreName("coverage-store")
        .cloudHsmClusterId("cluster-coveragestor").trustAnchorCertificate(KmsCustomKeyStoresIT.ANCHOR)
        .keyStorePassword("kmsuser-password"))
        .customKeyStoreId();
    Map<String, String> outcomes = new TreeMap<>();
    for (Method method : operations()) {
      String operation = operationName(method);
      String keyId = kms.createKey(r -> r.description("coverage " + operation)).keyMetadata().keyId();
      SdkBytes ciphertext = kms.encrypt(r -> r.keyId(keyId).plaintext(SdkBytes.fromUtf8String("coverage")))
          .ciphertextBlob();
      String grantId = kms.createGrant(r -> r.keyId(keyId).granteePrincipal(GRANTEE).operations(
          software.amazon.awssdk.services.kms.model.GrantOperation.DECRYPT)).grantId();
      KmsRequest request = minimalRequest(method.getParameterTypes()[0], operation,
          new Fixture(keyId, ciphertext, grantId, storeId));
      String outcome;
      try {
        Object response = method.invoke(kms, request);
        assertThat(((KmsResponse) response).responseMetadata().requestId()).isNotBlank();
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
    Set<String> implementedMeanwhile = new TreeSet<>();
    outcomes.forEach((operation, outcome) -> {
      boolean handled = NOT_HANDLED.stream().noneMatch(outcome::startsWith);
      if (STILL_UNIMPLEMENTED_ELSEWHERE.contains(operation)) {
        if (handled) {
          implementedMeanwhile.add(operation);
        }
      } else if (!handled) {
        unhandled.add(operation + " -> " + outcome);
      }
    });
    assertThat(unhandled).as("outcomes: %s", outcomes).isEmpty();
    assertThat(implementedMeanwhile).as("implemented now: remove them from STILL_UNIMPLEMENTED_ELSEWHERE").isEmpty();
    // Most operations succeed outright on a minimal request against an existing key.
    assertThat(outcomes.values().stream().filter("OK"::equals).count()).as("outcomes: %s", outcomes)
        .isGreaterThanOrEqualTo(30);
  }

  /** The members AWS's model requires in each operation's input. */
  private static Set<String> requiredMembers(String operation) throws IOException {
    try (InputStream in = ServiceModel.class.getResourceAsStream("/dev/shunt/backend/model/kms.json")) {
      JsonNode model = new ObjectMapper().readTree(in);
      String input = model.path("operations").path(operation).path("input").path("shape").asText();
      Set<String> required = new HashSet<>();
      model.path("shapes").path(input).path("required").forEach(member -> required.add(member.asText()));
      return required;
    }
  }

  /** The request with its required members (and those in {@link #ALSO_NEEDED}) only, each given a plausible value. */
  private static KmsRequest minimalRequest(Class<?> type, String operation, Fixture fixture)
      throws ReflectiveOperationException, IOException {
    Set<String> members = new HashSet<>(requiredMembers(operation));
    members.addAll(ALSO_NEEDED.getOrDefault(operation, Set.of()));
    Object builder = type.getMethod("builder").invoke(null);
    for (SdkField<?> field : ((SdkPojo) builder).sdkFields()) {
      if (!members.contains(field.memberName())) {
        continue;
      }
      Object value = switch (field.memberName()) {
        case "KeyId", "TargetKeyId", "DestinationKeyId" -> fixture.keyId();
        case "CiphertextBlob" -> fixture.ciphertext();
        case "Plaintext", "Message", "Signature", "Mac", "PublicKey", "ImportToken", "EncryptedKeyMaterial" ->
            SdkBytes.fromUtf8String("coverage");
        case "GrantId" -> fixture.grantId();
        case "Description" -> "coverage";
        case "GranteePrincipal", "RetiringPrincipal" -> GRANTEE;
        case "Operations" -> List.of("Decrypt");
        case "AliasName" -> "alias/coverage-" + operation;
        case "Policy" -> "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Allow\",\"Principal\":{\"AWS\":"
            + "\"arn:aws:iam::000000000000:root\"},\"Action\":\"kms:*\",\"Resource\":\"*\"}]}";
        case "Tags" -> List.of(Tag.builder().tagKey("k").tagValue("v").build());
        case "TagKeys" -> List.of("k");
        case "KeySpec" -> "AES_256";
        case "NumberOfBytes" -> 32;
        case "KeyPairSpec" -> "RSA_2048";
        case "SigningAlgorithm" -> "RSASSA_PSS_SHA_256";
        case "MacAlgorithm" -> "HMAC_SHA_256";
        case "KeyAgreementAlgorithm" -> "ECDH";
        case "WrappingAlgorithm" -> "RSAES_OAEP_SHA_256";
        case "WrappingKeySpec" -> "RSA_2048";
        case "ReplicaRegion", "PrimaryRegion" -> "eu-west-1";
        case "CustomKeyStoreId" -> fixture.customKeyStoreId();
        case "CustomKeyStoreName" -> "coverage-new-" + operation;
        case "CloudHsmClusterId" -> "cluster-coveragenew";
        case "TrustAnchorCertificate" -> KmsCustomKeyStoresIT.ANCHOR;
        case "KeyStorePassword" -> "kmsuser-password";
        default -> fail("No minimal value for the member %s of %s", field.memberName(), operation);
      };
      setField(field, builder, value);
    }
    return (KmsRequest) ((SdkBuilder<?, ?>) builder).build();
  }

  /** Sets a member, passing enum members as their wire strings (the SDK's fields take the raw value). */
  @SuppressWarnings("unchecked")
  private static void setField(SdkField<?> field, Object builder, Object value) {
    ((SdkField<Object>) field).set(builder, value);
  }

  @Test
  void anOperationShuntDoesNotKnowIsRefusedAsUnknown() throws Exception {
    HttpResponse<String> response = shunt.post("/", "TrentService.NoSuchOperation", "{}");
    assertThat(response.statusCode()).isEqualTo(400);
    assertThat(response.body()).contains("UnknownOperationException");
  }
}
