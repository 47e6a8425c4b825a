package dev.shunt.backend.secrets.rotation;

/**
 * A rotation function, in place of a Lambda: Shunt calls {@link #step} with each of the four
 * steps in turn for one rotation. Implementations are found with {@link java.util.ServiceLoader}
 * ({@code META-INF/services/dev.shunt.backend.secrets.rotation.SecretRotator}) and chosen by the
 * function name of a secret's {@code RotationLambdaARN}
 * ({@code arn:aws:lambda:REGION:ACCOUNT:function:NAME}).
 */
public interface SecretRotator {
  /** The function name this rotator answers to. */
  String name();

  /**
   * Runs one step for the secret {@code request.secretId()} and the new version
   * {@code request.clientRequestToken()}. Throwing fails the rotation: the steps after it do not
   * run and whatever the earlier steps labelled AWSPENDING stays so, as with a failing Lambda.
   */
  void step(RotationStep step, RotationRequest request) throws Exception;
}
