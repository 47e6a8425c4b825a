package dev.shunt.backend.core;

import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * One AWS operation: a validated JSON input in, a JSON output out (null means {@code {}}).
 * Errors are thrown as {@link AwsException}.
 */
@FunctionalInterface
public interface OperationHandler {
  ObjectNode handle(RequestContext context, ObjectNode input);
}
