package dev.shunt.junit5;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.core.SdkBytes;
import software.amazon.awssdk.services.kms.KmsAsyncClient;
import software.amazon.awssdk.services.kms.KmsClient;
import software.amazon.awssdk.services.secretsmanager.SecretsManagerAsyncClient;
import software.amazon.awssdk.services.secretsmanager.SecretsManagerClient;
import software.amazon.awssdk.services.ssm.SsmAsyncClient;
import software.amazon.awssdk.services.ssm.SsmClient;
import software.amazon.awssdk.services.ssm.model.ParameterType;

/** Every kind of client, the endpoint and the handle, in constructors, methods and fields, talking over HTTP. */
@ShuntTest
class ShuntInjectionTest {
  @ShuntInject
  static Shunt beforeAllShunt;
  @ShuntInject
  static KmsClient staticKms;
  @ShuntInject
  SsmAsyncClient fieldSsm;
  @ShuntInject
  @ShuntEndpoint
  String endpointText;

  private final SecretsManagerClient constructorSecrets;
  private final URI constructorEndpoint;

  ShuntInjectionTest(SecretsManagerClient secrets, URI endpoint) {
    this.constructorSecrets = secrets;
    this.constructorEndpoint = endpoint;
  }

  @BeforeAll
  static void staticFieldsAreSetBeforeBeforeAll(Shunt shunt) {
    assertThat(beforeAllShunt).isSameAs(shunt);
    assertThat(staticKms).isNotNull();
  }

  @Test
  void theEndpointIsALoopbackAddressOnAFreePortThatAnswers(URI endpoint, @ShuntEndpoint String text, Shunt shunt)
      throws Exception {
    assertThat(endpoint).isEqualTo(shunt.endpoint()).isEqualTo(constructorEndpoint);
    assertThat(endpoint.getHost()).isEqualTo("127.0.0.1");
    assertThat(endpoint.getPort()).isPositive().isNotEqualTo(4566);
    assertThat(text).isEqualTo(endpoint.toString()).isEqualTo(endpointText);
    HttpResponse<String> health = HttpClient.newHttpClient().send(
        HttpRequest.newBuilder(endpoint.resolve("/_shunt/health")).build(), HttpResponse.BodyHandlers.ofString());
    assertThat(health.body()).contains("\"status\":\"ok\"");
  }

  @Test
  void syncClientsOfTheThreeServicesWork(KmsClient kms, SecretsManagerClient secrets, SsmClient ssm, Shunt shunt) {
    assertThat(kms).isSameAs(staticKms);
    assertThat(secrets).isSameAs(constructorSecrets);
    String keyId = kms.createKey(r -> r.description("injected")).keyMetadata().keyId();
    byte[] ciphertext = kms.encrypt(r -> r.keyId(keyId).plaintext(SdkBytes.fromUtf8String("hello")))
        .ciphertextBlob().asByteArray();
    assertThat(kms.decrypt(r -> r.ciphertextBlob(SdkBytes.fromByteArray(ciphertext))).plaintext().asUtf8String())
        .isEqualTo("hello");
    secrets.createSecret(r -> r.name("app/db").secretString("pw"));
    assertThat(secrets.getSecretValue(r -> r.secretId("app/db")).secretString()).isEqualTo("pw");
    ssm.putParameter(r -> r.name("/app/size").value("5").type(ParameterType.STRING));
    assertThat(ssm.getParameter(r -> r.name("/app/size")).parameter().value()).isEqualTo("5");
    assertThat(shunt.audit().calls()).extracting(AuditCall::operation).containsSubsequence("CreateKey", "Encrypt",
        "Decrypt", "CreateSecret", "GetSecretValue", "PutParameter", "GetParameter");
  }

  @Test
  void asyncClientsOfTheThreeServicesWork(KmsAsyncClient kms, SecretsManagerAsyncClient secrets, SsmAsyncClient ssm)
      throws Exception {
    assertThat(ssm).isSameAs(fieldSsm);
    String keyArn = kms.createKey(r -> r.description("async")).get().keyMetadata().arn();
    assertThat(keyArn).startsWith("arn:aws:kms:us-east-1:000000000000:key/");
    assertThat(secrets.createSecret(r -> r.name("async/secret").secretString("v")).get().name())
        .isEqualTo("async/secret");
    ssm.putParameter(r -> r.name("/async").value("1").type(ParameterType.SECURE_STRING)).get();
    assertThat(ssm.getParameter(r -> r.name("/async").withDecryption(true)).get().parameter().value()).isEqualTo("1");
  }

  @Test
  void aClientMayActForAnotherAccountOrRegion(KmsClient kms,
      @ShuntClient(accessKeyId = "111122223333") KmsClient otherAccount,
      @ShuntClient(region = "eu-west-1") KmsClient otherRegion, Shunt shunt) {
    assertThat(otherAccount).isNotSameAs(kms);
    assertThat(otherAccount.createKey(r -> r.description("theirs")).keyMetadata().arn())
        .startsWith("arn:aws:kms:us-east-1:111122223333:key/");
    assertThat(otherRegion.createKey(r -> r.description("there")).keyMetadata().arn())
        .startsWith("arn:aws:kms:eu-west-1:000000000000:key/");
    assertThat(kms.listKeys().keys()).isEmpty();
    assertThat(shunt.client(KmsClient.class, "111122223333", null, null)).isSameAs(otherAccount);
  }

  @Test
  void theHandleConfiguresABuilderAndNamesTheClientsAccount(Shunt shunt) {
    try (KmsClient own = shunt.configure(KmsClient.builder()).build()) {
      assertThat(own.createKey(r -> r.description("own")).keyMetadata().arn())
          .startsWith("arn:aws:kms:us-east-1:000000000000:key/");
    }
    assertThat(shunt.region()).isEqualTo("us-east-1");
    assertThat(shunt.accountId()).isEqualTo("000000000000");
    assertThat(shunt.rootPrincipalArn()).isEqualTo("arn:aws:iam::000000000000:root");
    assertThat(shunt.accessKeyId()).isEqualTo("test");
  }
}
