package dev.shunt.junit5;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Marks a {@link java.net.URI} or {@link String} parameter or field that takes the test
 * backend's endpoint ({@code http://127.0.0.1:PORT}). A {@code URI} parameter needs no mark; a
 * {@code String} does.
 */
@Target({ElementType.PARAMETER, ElementType.FIELD})
@Retention(RetentionPolicy.RUNTIME)
@Documented
public @interface ShuntEndpoint {}
