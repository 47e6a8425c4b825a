package dev.shunt.junit5;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Gives an injected client other credentials or another Region than the extension's, to act as
 * another principal (an access key of the principals file; a 12-digit access key id is its own
 * account) or to work in another Region:
 * <pre>
 * void crossAccount(KmsClient kms, &#64;ShuntClient(accessKeyId = "111122223333") KmsClient other) { ... }
 * </pre>
 * Empty attributes keep the extension's.
 */
@Target({ElementType.PARAMETER, ElementType.FIELD})
@Retention(RetentionPolicy.RUNTIME)
@Documented
public @interface ShuntClient {
  String accessKeyId() default "";

  /** Checked only under {@link Auth#SIGV4}; by default the extension's secret key. */
  String secretAccessKey() default "";

  String region() default "";
}
