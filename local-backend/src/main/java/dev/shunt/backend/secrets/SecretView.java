package dev.shunt.backend.secrets;

import java.time.Instant;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A consistent snapshot of a secret's metadata, taken under its lock, for DescribeSecret,
 * ListSecrets and the filters: what the wire layer renders without touching live state.
 */
record SecretView(String arn, String name, String region, String description, String kmsKeyId, String type,
    boolean rotationEnabled, String rotationLambdaArn, Secret.RotationRules rotationRules, Instant lastRotatedDate,
    Instant nextRotationDate, Instant lastChangedDate, Instant lastAccessedDate, Instant deletedDate,
    Instant createdDate, Map<String, String> tags, boolean everTagged, Map<String, List<String>> versionIdsToStages,
    String primaryRegion, boolean replicated, List<ReplicaView> replicas) {

  /**
   * Whether rotation was ever configured (RotateSecret always leaves a Lambda ARN): AWS omits
   * {@code RotationEnabled} before that, and reports it false after CancelRotateSecret.
   */
  boolean rotationConfigured() {
    return rotationLambdaArn != null;
  }

  /** One entry of ReplicationStatus. */
  record ReplicaView(String region, String kmsKeyId, String status, String statusMessage) {}

  static SecretView of(Secret secret) {
    synchronized (secret) {
      List<ReplicaView> replicas = secret.replicas.values().stream()
          .map(r -> new ReplicaView(r.region, r.kmsKeyId, r.status, r.statusMessage)).toList();
      return new SecretView(secret.arn, secret.name, secret.region, secret.description, secret.kmsKeyId, secret.type,
          secret.rotationEnabled, secret.rotationLambdaArn, secret.rotationRules, secret.lastRotatedDate,
          secret.nextRotationDate, secret.lastChangedDate, secret.lastAccessedDate, secret.deletedDate,
          secret.createdDate, Collections.unmodifiableMap(new LinkedHashMap<>(secret.tags)), secret.everTagged,
          secret.versionIdsToStages(), secret.primaryRegion, secret.everReplicated, replicas);
    }
  }
}
