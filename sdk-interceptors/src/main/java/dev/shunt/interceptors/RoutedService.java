package dev.shunt.interceptors;

/**
 * The three services Shunt routes, with the names the AWS SDK gives each: its client builders'
 * package, and the service id in the endpoint settings the SDK reads
 * ({@code aws.endpointUrlKms}, {@code AWS_ENDPOINT_URL_KMS}, a profile's {@code kms.endpoint_url}).
 */
enum RoutedService {
  KMS("KMS", "software.amazon.awssdk.services.kms.", "Kms", "KMS", "kms"),
  SECRETS_MANAGER("Secrets Manager", "software.amazon.awssdk.services.secretsmanager.", "SecretsManager",
      "SECRETS_MANAGER", "secrets_manager"),
  SSM("SSM", "software.amazon.awssdk.services.ssm.", "Ssm", "SSM", "ssm");

  /** As people name it. */
  final String displayName;
  private final String builderPackage;
  /** {@code aws.endpointUrl} + this. */
  final String propertySuffix;
  /** {@code AWS_ENDPOINT_URL_} + this. */
  final String variableSuffix;
  /** The key of its section in a profile's services ({@code kms.endpoint_url}). */
  final String profileKey;

  RoutedService(String displayName, String builderPackage, String propertySuffix, String variableSuffix,
      String profileKey) {
    this.displayName = displayName;
    this.builderPackage = builderPackage;
    this.propertySuffix = propertySuffix;
    this.variableSuffix = variableSuffix;
    this.profileKey = profileKey;
  }

  /** The service whose client a builder of this class builds; null for any other service's. */
  static RoutedService ofBuilder(String builderClass) {
    for (RoutedService service : values()) {
      if (builderClass.startsWith(service.builderPackage)) {
        return service;
      }
    }
    return null;
  }

  /** The service of the SDK's {@code SERVICE_NAME} (any SDK version's spelling); null for any other service. */
  static RoutedService ofServiceName(String serviceName) {
    String label = serviceName == null ? null : ShuntClientStats.serviceLabel(serviceName);
    if (label == null) {
      return null;
    }
    switch (label) {
      case "KMS":
        return KMS;
      case "SecretsManager":
        return SECRETS_MANAGER;
      default:
        return SSM;
    }
  }
}
