package dev.shunt.backend.kms;

import java.util.List;

/**
 * The AWS managed keys ({@code alias/aws/<service>}). AWS creates one the first time it is
 * referenced; their aliases are listed before that, without a target key.
 */
final class AwsManagedKeys {
  static final String PREFIX = "alias/aws/";

  static final List<String> SERVICES = List.of("acm", "backup", "codecommit", "dynamodb", "ebs",
      "elasticfilesystem", "es", "glue", "kinesis", "lambda", "rds", "redshift", "s3", "secretsmanager", "sns",
      "sqs", "ssm", "xray");

  private AwsManagedKeys() {}

  /** The service of an AWS managed alias name, or null when the name is not one. */
  static String serviceOf(String aliasName) {
    if (!aliasName.startsWith(PREFIX)) {
      return null;
    }
    String service = aliasName.substring(PREFIX.length());
    return SERVICES.contains(service) ? service : null;
  }

  static String description(String service) {
    return "Default key that protects my " + service + " data when no other key is defined";
  }
}
