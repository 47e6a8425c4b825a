package dev.shunt.junit5;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import software.amazon.awssdk.services.ssm.SsmClient;
import software.amazon.awssdk.services.ssm.model.ParameterType;

/**
 * JUnit's per-class test instance: the instance (and its constructor's clients) is made before
 * the extension's beforeAll, so the backend starts when first needed; a non-static @BeforeAll
 * takes clients too.
 */
@ShuntTest(reset = Reset.PER_CLASS)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ShuntPerClassLifecycleTest {
  private final SsmClient ssm;
  @ShuntInject
  Shunt shunt;

  ShuntPerClassLifecycleTest(SsmClient ssm) {
    this.ssm = ssm;
  }

  @BeforeAll
  void putAParameter(SsmClient sameClient) {
    assertThat(sameClient).isSameAs(ssm);
    ssm.putParameter(r -> r.name("/lifecycle").value("per class").type(ParameterType.STRING));
  }

  @Test
  void theParameterOfBeforeAllIsThere() {
    assertThat(ssm.getParameter(r -> r.name("/lifecycle")).parameter().value()).isEqualTo("per class");
    assertThat(shunt.audit().calls()).extracting(AuditCall::operation).containsExactly("GetParameter");
  }
}
