package dev.shunt.examples;

import io.opentelemetry.api.GlobalOpenTelemetry;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.Tracer;
import io.opentelemetry.context.Scope;
import java.util.Map;
import software.amazon.awssdk.services.kms.KmsClient;
import software.amazon.awssdk.services.kms.model.DataKeySpec;
import software.amazon.awssdk.services.secretsmanager.SecretsManagerClient;
import software.amazon.awssdk.services.ssm.SsmClient;
import software.amazon.awssdk.services.ssm.model.ParameterType;

/**
 * An ordinary traced service: a {@code checkout} span of its own around the AWS calls it makes
 * (a data key for the order, the payment provider's secret, a setting). It knows nothing of
 * Shunt; run under the OpenTelemetry Java agent, its KMS, Secrets Manager and SSM calls appear
 * as spans under {@code checkout}, with the key, secret and parameter each one used.
 */
public final class TracedCheckoutApp {
  private TracedCheckoutApp() {}

  public static void main(String[] args) {
    Tracer tracer = GlobalOpenTelemetry.getTracer("checkout-example");
    try (KmsClient kms = KmsClient.create();
        SecretsManagerClient secrets = SecretsManagerClient.create();
        SsmClient ssm = SsmClient.create()) {
      String keyId = kms.createKey(r -> r.description("orders")).keyMetadata().keyId();
      kms.createAlias(r -> r.aliasName("alias/orders").targetKeyId(keyId));
      secrets.createSecret(r -> r.name("payments/api-key").secretString("example-api-key"));
      ssm.putParameter(r -> r.name("/checkout/currency").value("EUR").type(ParameterType.STRING));

      Span checkout = tracer.spanBuilder("checkout").startSpan();
      try (Scope ignored = checkout.makeCurrent()) {
        kms.generateDataKey(r -> r.keyId("alias/orders").keySpec(DataKeySpec.AES_256)
            .encryptionContext(Map.of("order", "42")));
        secrets.getSecretValue(r -> r.secretId("payments/api-key"));
        ssm.getParameter(r -> r.name("/checkout/currency"));
      } finally {
        checkout.end();
      }
      System.out.println("OK: checkout traced, trace " + checkout.getSpanContext().getTraceId());
    }
  }
}
