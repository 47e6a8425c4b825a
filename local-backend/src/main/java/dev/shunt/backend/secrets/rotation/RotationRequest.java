package dev.shunt.backend.secrets.rotation;

/**
 * One step's input, as a rotation Lambda's event carries it: the secret's ARN, the token (the
 * id of the version being made), and the Secrets Manager API to work with.
 */
public record RotationRequest(String secretId, String clientRequestToken, SecretsApi secrets) {}
