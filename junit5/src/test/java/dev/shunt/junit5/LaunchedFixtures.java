package dev.shunt.junit5;

import static dev.shunt.junit5.ShuntAssertions.assertThat;
import static dev.shunt.junit5.ShuntParallelTest.endpoints;
import static dev.shunt.junit5.ShuntParallelTest.meetTheOthers;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.kms.KmsClient;

/**
 * Test classes that tests run with JUnit's launcher (to run them in parallel, or to see how they
 * fail); named so that neither Surefire's defaults nor {@code -Dtest='Shunt*'} pick them up.
 */
final class LaunchedFixtures {
  private LaunchedFixtures() {}

  /** Each of three classes makes a key with its own description and sees only its own call. */
  abstract static class OneOfThree {
    @Test
    void makesAKeyAndSeesOnlyItsOwnCalls(KmsClient kms, Shunt shunt) throws Exception {
      endpoints.add(shunt.endpoint());
      meetTheOthers();
      String description = getClass().getSimpleName();
      kms.createKey(r -> r.description(description));
      meetTheOthers();
      assertThat(kms.listKeys().keys()).hasSize(1);
      assertThat(shunt.audit()).kms("CreateKey").hasCount(1);
      assertThat(shunt.audit()).matching("describing the key as " + description,
          call -> description.equals(call.parameter("description"))).hasCount(1);
    }
  }

  @ShuntTest
  static class First extends OneOfThree {}

  @ShuntTest
  static class Second extends OneOfThree {}

  @ShuntTest
  static class Third extends OneOfThree {}

  @ShuntTest
  static class ConcurrentMethodsResetPerMethod {
    @Test
    void one(KmsClient kms) {
      kms.listKeys();
    }

    @Test
    void two(KmsClient kms) {
      kms.listKeys();
    }
  }

  @ShuntTest(reset = Reset.PER_CLASS)
  static class ConcurrentMethodsResetPerClass {
    static final Map<String, String> keys = new ConcurrentHashMap<>();

    @Test
    void one(KmsClient kms) throws Exception {
      meetTheOthers();
      keys.put("one", kms.createKey(r -> r.description("one")).keyMetadata().keyId());
    }

    @Test
    void two(KmsClient kms) throws Exception {
      meetTheOthers();
      keys.put("two", kms.createKey(r -> r.description("two")).keyMetadata().keyId());
    }
  }

  @ShuntTest(seed = "shunt/no-such-seed.yaml")
  static class MissingSeed {
    @Test
    void neverRuns() {}
  }

  @ShuntTest
  static class TwoExtensionsThatDisagree {
    @org.junit.jupiter.api.extension.RegisterExtension
    static ShuntExtension other = ShuntExtension.builder().reset(Reset.PER_CLASS).build();

    @Test
    void neverRuns(Shunt shunt) {}
  }

  @ShuntTest
  static class WrongFieldType {
    @ShuntInject
    static Integer notAClient;

    @Test
    void neverRuns() {}
  }
}
