package dev.shunt.junit5;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Marks a field the extension sets: {@link Shunt}, the endpoint {@link java.net.URI}, or an AWS
 * SDK v2 client, as for parameters. A static field is set before {@code @BeforeAll} methods run,
 * an instance field when the test instance is made.
 */
@Target(ElementType.FIELD)
@Retention(RetentionPolicy.RUNTIME)
@Documented
public @interface ShuntInject {}
