package dev.shunt.backend.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.shunt.backend.core.AwsException;
import dev.shunt.backend.core.Json;
import org.junit.jupiter.api.Test;

/** The model-driven validation every request goes through, checked against KMS's model. */
class ServiceModelTest {
  private static final ServiceModel KMS = ServiceModel.load("kms");

  private static AwsException validate(String operation, String json) {
    ObjectNode input = Json.parseRequest(json.getBytes(java.nio.charset.StandardCharsets.UTF_8));
    return catchThrowableOfType(AwsException.class, () -> KMS.validateInput(operation, input));
  }

  @Test
  void theModelNamesTheServiceAndEveryOperation() {
    assertThat(KMS.targetPrefix()).isEqualTo("TrentService");
    assertThat(KMS.signingName()).isEqualTo("kms");
    assertThat(KMS.operationNames()).contains("Encrypt", "Decrypt", "CreateKey", "GenerateDataKeyPair", "Sign")
        .hasSizeGreaterThan(50);
  }

  @Test
  void aValidInputPassesAndItsBlobsAreDecoded() {
    ObjectNode input = Json.parseRequest("{\"KeyId\":\"k\",\"Plaintext\":\"aGVsbG8=\",\"Unknown\":1}".getBytes());
    KMS.validateInput("Encrypt", input);
    assertThat(input.get("Plaintext").isBinary()).isTrue();
    assertThat(new String(((com.fasterxml.jackson.databind.node.BinaryNode) input.get("Plaintext")).binaryValue()))
        .isEqualTo("hello");
  }

  @Test
  void everyViolationIsReportedInOneMessage() {
    AwsException error = validate("GenerateDataKey", "{\"NumberOfBytes\":5000,\"KeySpec\":\"AES_512\"}");
    assertThat(error.code()).isEqualTo("ValidationException");
    assertThat(error.getMessage()).isEqualTo("3 validation errors detected: "
        + "Value null at 'keyId' failed to satisfy constraint: Member must not be null; "
        + "Value '5000' at 'numberOfBytes' failed to satisfy constraint: Member must have value less than or equal to 1024; "
        + "Value 'AES_512' at 'keySpec' failed to satisfy constraint: Member must satisfy enum value set: [AES_256, AES_128]");
  }

  @Test
  void sensitiveValuesAreNeverEchoed() {
    AwsException error = validate("Encrypt", "{\"KeyId\":\"k\",\"Plaintext\":\"\"}");
    assertThat(error.getMessage()).isEqualTo("1 validation error detected: Value at 'plaintext' failed to satisfy "
        + "constraint: Member must have length greater than or equal to 1");
  }

  @Test
  void nestedMembersGetAwsPaths() {
    AwsException error = validate("CreateKey", "{\"Tags\":[{\"TagKey\":\"ok\",\"TagValue\":\"v\"},{\"TagValue\":\"v\"}]}");
    assertThat(error.getMessage()).isEqualTo("1 validation error detected: Value null at 'tags.2.member.tagKey' "
        + "failed to satisfy constraint: Member must not be null");
  }

  @Test
  void wrongJsonTypesAreSerializationErrors() {
    assertThat(validate("DescribeKey", "{\"KeyId\":5}").code()).isEqualTo("SerializationException");
    assertThat(validate("GenerateRandom", "{\"NumberOfBytes\":\"ten\"}").code()).isEqualTo("SerializationException");
    assertThat(validate("GenerateRandom", "{\"NumberOfBytes\":1.5}").code()).isEqualTo("SerializationException");
    assertThat(validate("GenerateRandom", "{\"NumberOfBytes\":99999999999}").code()).isEqualTo("SerializationException");
    assertThat(validate("Encrypt", "{\"KeyId\":\"k\",\"Plaintext\":\"!!notbase64\"}").code())
        .isEqualTo("SerializationException");
    assertThat(validate("Encrypt", "{\"KeyId\":\"k\",\"Plaintext\":\"aA==\",\"EncryptionContext\":[]}").getMessage())
        .isEqualTo("Start of list found where not expected.");
    assertThat(validate("CreateKey", "{\"MultiRegion\":\"yes\"}").getMessage())
        .isEqualTo("STRING_VALUE can not be converted to a Boolean");
    assertThat(validate("Encrypt", "{\"KeyId\":\"k\",\"Plaintext\":\"aA==\",\"EncryptionContext\":{\"a\":1}}").code())
        .isEqualTo("SerializationException");
  }

  @Test
  void jsonNullReadsAsAbsent() {
    assertThat(validate("ListKeys", "{\"Limit\":null,\"Marker\":null}")).isNull();
    assertThat(validate("DescribeKey", "{\"KeyId\":null}").getMessage()).contains("Value null at 'keyId'");
  }

  @Test
  void malformedBodiesAreSerializationErrors() {
    AwsException notJson = catchThrowableOfType(AwsException.class, () -> Json.parseRequest("{".getBytes()));
    assertThat(notJson.code()).isEqualTo("SerializationException");
    AwsException array = catchThrowableOfType(AwsException.class, () -> Json.parseRequest("[]".getBytes()));
    assertThat(array.code()).isEqualTo("SerializationException");
    AwsException duplicate = catchThrowableOfType(AwsException.class,
        () -> Json.parseRequest("{\"KeyId\":\"a\",\"KeyId\":\"b\"}".getBytes()));
    assertThat(duplicate.code()).isEqualTo("SerializationException");
    AwsException deep = catchThrowableOfType(AwsException.class,
        () -> Json.parseRequest(("{\"a\":" + "[".repeat(5000)).getBytes()));
    assertThat(deep.code()).isEqualTo("SerializationException");
    assertThat(Json.parseRequest(new byte[0])).isEmpty();
  }
}
