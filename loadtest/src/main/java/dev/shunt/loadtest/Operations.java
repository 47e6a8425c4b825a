package dev.shunt.loadtest;

import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * The operations a load can be made of, by the name the quotas and the stats use
 * ({@code kms:Decrypt}), and what each needs set up before the run: the read paths an application
 * calls on every request, the ones AWS's quotas bite.
 */
enum Operations {
  KMS_DECRYPT("kms:Decrypt", Needs.CIPHERTEXT),
  KMS_ENCRYPT("kms:Encrypt", Needs.KEY),
  KMS_GENERATE_DATA_KEY("kms:GenerateDataKey", Needs.KEY),
  KMS_GENERATE_RANDOM("kms:GenerateRandom", Needs.NOTHING),
  KMS_DESCRIBE_KEY("kms:DescribeKey", Needs.KEY),
  SECRETS_GET_SECRET_VALUE("secretsmanager:GetSecretValue", Needs.SECRET),
  SECRETS_DESCRIBE_SECRET("secretsmanager:DescribeSecret", Needs.SECRET),
  SSM_GET_PARAMETER("ssm:GetParameter", Needs.PARAMETER),
  SSM_GET_PARAMETERS("ssm:GetParameters", Needs.PARAMETER),
  SSM_GET_PARAMETERS_BY_PATH("ssm:GetParametersByPath", Needs.PARAMETER);

  /** What an operation reads, which the set-up makes (or finds) before the run. */
  enum Needs { NOTHING, KEY, CIPHERTEXT, SECRET, PARAMETER }

  final String id;
  final Needs needs;

  Operations(String id, Needs needs) {
    this.id = id;
    this.needs = needs;
  }

  /** The operation named {@code name} (the service part in any case: {@code KMS:Decrypt} too). */
  static Optional<Operations> named(String name) {
    int colon = name.indexOf(':');
    String normal = colon < 0 ? name : name.substring(0, colon).toLowerCase(Locale.ROOT) + name.substring(colon);
    return Arrays.stream(values()).filter(o -> o.id.equals(normal)).findFirst();
  }

  /** Every operation's name, for the error that names an unknown one. */
  static List<String> names() {
    return Arrays.stream(values()).map(o -> o.id).toList();
  }
}
