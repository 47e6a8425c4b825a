package dev.shunt.junit5;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Inherited;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Runs the test class against an in-process Shunt backend of its own (KMS, Secrets Manager and
 * SSM Parameter Store on a free port, state in memory), started before the class's first test
 * and stopped after its last. Tests and lifecycle methods take {@link Shunt}, the endpoint
 * {@link java.net.URI}, and AWS SDK v2 clients ({@code KmsClient}, {@code KmsAsyncClient},
 * {@code SecretsManagerClient}, {@code SecretsManagerAsyncClient}, {@code SsmClient},
 * {@code SsmAsyncClient}) as parameters, or in fields marked {@link ShuntInject}:
 * <pre>
 * &#64;ShuntTest(seed = "shunt/seed.yaml")
 * class VaultTest {
 *   &#64;Test
 *   void decryptsOnce(KmsClient kms, Shunt shunt) {
 *     new Vault(kms).open(...);
 *     assertThat(shunt.audit()).kms("Decrypt").forKey("alias/vault").hasCount(1);
 *   }
 * }
 * </pre>
 * For options beyond these, register {@link ShuntExtension#builder()} on a static field instead.
 */
@Target({ElementType.TYPE, ElementType.ANNOTATION_TYPE})
@Retention(RetentionPolicy.RUNTIME)
@Documented
@Inherited
@ExtendWith(ShuntExtension.class)
public @interface ShuntTest {
  /** When the backend's state is wiped: before every test method (the default) or never while the class runs. */
  Reset reset() default Reset.PER_METHOD;

  /**
   * Seed files (YAML or JSON: keys, secrets, parameters; see docs/state.md) loaded at start and
   * again after every reset: a class path resource ({@code shunt/seed.yaml}, or with
   * {@code classpath:}) or a file.
   */
  String[] seed() default {};

  /** A principals file (IAM users, roles, access keys, identity policies; docs/access.md), resource or file. */
  String principals() default "";

  /**
   * The request quotas: {@code off} (the default: a test of behaviour does not wait on AWS's 5
   * CreateKey per second), {@code aws} (AWS's own), or a quota file (resource or file). A test
   * sets its own with {@link Shunt#quotas()}.
   */
  String quotas() default "off";

  /** A fault-injection file (resource or file); a test adds its own with {@link Shunt#faults()}. */
  String faults() default "";

  /** Whether SigV4 signatures are checked. */
  Auth auth() default Auth.TRUST;

  /** The Region of the injected clients, and the backend's default Region. */
  String region() default "us-east-1";

  /** Any other backend option, as {@code name=value} (the names of the README's options table), e.g. {@code data-key-cache=on}. */
  String[] options() default {};
}
