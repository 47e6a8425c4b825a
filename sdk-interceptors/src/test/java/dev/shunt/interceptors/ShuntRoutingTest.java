package dev.shunt.interceptors;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.core.interceptor.Context;
import software.amazon.awssdk.core.interceptor.ExecutionAttributes;
import software.amazon.awssdk.core.interceptor.ExecutionInterceptor;
import software.amazon.awssdk.core.interceptor.InterceptorContext;
import software.amazon.awssdk.http.SdkHttpRequest;
import software.amazon.awssdk.services.kms.KmsClient;

/** The routing rule's service names, the endpoint's parsing, and the agent's hook leaving intercepted calls alone. */
class ShuntRoutingTest {
  @Test
  void theThreeServicesAreRoutedInEverySpelling() {
    for (String service : new String[] {"KMS", "Kms", "Secrets Manager", "SecretsManager", "SSM", "Ssm"}) {
      assertThat(ShuntRouting.isRoutedService(service)).as(service).isTrue();
    }
    assertThat(ShuntRouting.isRoutedService("S3")).isFalse();
    assertThat(ShuntRouting.isRoutedService((String) null)).isFalse();
  }

  @Test
  void theEndpointIsParsedAgainOnlyWhenItChanges() {
    String previous = System.getProperty(ShuntEndpoint.PROPERTY);
    try {
      System.setProperty(ShuntEndpoint.PROPERTY, "http://127.0.0.1:4599");
      assertThat(ShuntEndpoint.uri()).isSameAs(ShuntEndpoint.uri());
      System.setProperty(ShuntEndpoint.PROPERTY, " http://127.0.0.1:4600 ");
      assertThat(ShuntEndpoint.uri().getPort()).isEqualTo(4600);
    } finally {
      if (previous == null) {
        System.clearProperty(ShuntEndpoint.PROPERTY);
      } else {
        System.setProperty(ShuntEndpoint.PROPERTY, previous);
      }
    }
  }

  @Test
  void theAgentsHookLeavesACallShuntsInterceptorRoutedAlone() throws Exception {
    AtomicReference<Context.ModifyHttpRequest> context = new AtomicReference<>();
    AtomicReference<ExecutionAttributes> attributes = new AtomicReference<>();
    ExecutionInterceptor capture = new ExecutionInterceptor() {
      @Override
      public void beforeTransmission(Context.BeforeTransmission before, ExecutionAttributes executionAttributes) {
        context.set(before);
        attributes.set(executionAttributes);
      }
    };
    try (StubAws aws = StubAws.start(exchange -> {
      exchange.getRequestBody().readAllBytes();
      StubAws.send(exchange, 200, "{\"Plaintext\":\"AAAA\"}");
    }); KmsClient kms = StubAws.kms(Duration.ofMillis(10), capture).build()) {
      kms.generateRandom(r -> r.numberOfBytes(3));
      assertThat(context.get().httpRequest().port()).isEqualTo(aws.endpoint.getPort());
      // The same call as the chain would hand it to the agent's hook, were it still addressed to AWS.
      InterceptorContext toAws = ((InterceptorContext) context.get()).toBuilder()
          .httpRequest(SdkHttpRequest.builder().method(context.get().httpRequest().method()).protocol("https")
              .host("kms.us-east-1.amazonaws.com").port(443).encodedPath("/").build())
          .build();
      assertThat(ShuntClientBuilderHook.afterModifyHttpRequest(toAws, attributes.get())).isSameAs(toAws);
    }
  }
}
