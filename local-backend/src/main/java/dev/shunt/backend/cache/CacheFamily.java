package dev.shunt.backend.cache;

import java.util.Set;

/**
 * The kinds of answer Shunt caches: which service and operations each serves, its name in
 * reports and metrics, and what one request it saves costs at AWS's list price.
 *
 * @param usdPerRequest KMS: $0.03 per 10,000 requests; Secrets Manager: $0.05 per 10,000 API calls;
 *     Parameter Store: free for standard throughput, $0.05 per 10,000 with higher throughput
 */
enum CacheFamily {
  DATA_KEYS("dataKeys", "kms", Set.of("GenerateDataKey", "GenerateDataKeyWithoutPlaintext"), 0.03 / 10_000),
  DECRYPTS("decrypts", "kms", Set.of("Decrypt"), 0.03 / 10_000),
  SECRETS("secrets", "secretsmanager", Set.of("GetSecretValue"), 0.05 / 10_000),
  PARAMETERS("parameters", "ssm", Set.of("GetParameter", "GetParameters", "GetParametersByPath"), 0.05 / 10_000);

  final String reportName;
  final String service;
  final Set<String> operations;
  final double usdPerRequest;

  CacheFamily(String reportName, String service, Set<String> operations, double usdPerRequest) {
    this.reportName = reportName;
    this.service = service;
    this.operations = operations;
    this.usdPerRequest = usdPerRequest;
  }
}
