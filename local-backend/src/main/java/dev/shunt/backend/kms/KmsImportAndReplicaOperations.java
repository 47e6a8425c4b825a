package dev.shunt.backend.kms;

import static dev.shunt.backend.core.Inputs.blob;
import static dev.shunt.backend.core.Inputs.string;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.shunt.backend.core.Json;
import dev.shunt.backend.core.OperationHandler;
import dev.shunt.backend.core.RequestContext;
import java.time.Instant;
import java.util.Map;

/**
 * KMS on the wire for imported key material (GetParametersForImport, ImportKeyMaterial,
 * DeleteImportedKeyMaterial) and multi-Region keys (ReplicateKey, UpdatePrimaryRegion), and the
 * KeyMetadata and ListKeyRotations fields those features add. Registered into {@link KmsService}'s
 * operation map, found by AWS name like the rest.
 */
final class KmsImportAndReplicaOperations {
  private final KmsBackend kms;

  private KmsImportAndReplicaOperations(KmsBackend kms) {
    this.kms = kms;
  }

  static void register(KmsBackend kms, Map<String, OperationHandler> operations) {
    KmsImportAndReplicaOperations handlers = new KmsImportAndReplicaOperations(kms);
    operations.put("GetParametersForImport", handlers::getParametersForImport);
    operations.put("ImportKeyMaterial", handlers::importKeyMaterial);
    operations.put("DeleteImportedKeyMaterial", handlers::deleteImportedKeyMaterial);
    operations.put("ReplicateKey", handlers::replicateKey);
    operations.put("UpdatePrimaryRegion", handlers::updatePrimaryRegion);
  }

  // ---- imported key material --------------------------------------------------------------

  private ObjectNode getParametersForImport(RequestContext ctx, ObjectNode in) {
    KeyImport.Parameters parameters = kms.keyImport.parametersForImport(ctx, string(in, "KeyId"),
        string(in, "WrappingAlgorithm"), string(in, "WrappingKeySpec"));
    ObjectNode out = Json.object();
    out.put("KeyId", parameters.keyArn());
    out.put("ImportToken", KeyImport.tokenBytes(parameters));
    out.put("PublicKey", parameters.publicKey());
    Json.putDate(out, "ParametersValidTo", parameters.validTo());
    return out;
  }

  private ObjectNode importKeyMaterial(RequestContext ctx, ObjectNode in) {
    KeyImport.Imported imported = kms.keyImport.importKeyMaterial(ctx, string(in, "KeyId"), blob(in, "ImportToken"),
        blob(in, "EncryptedKeyMaterial"), date(in, "ValidTo"), string(in, "ExpirationModel"),
        string(in, "ImportType"), string(in, "KeyMaterialDescription"), string(in, "KeyMaterialId"));
    return Json.object().put("KeyId", imported.key().arn).put("KeyMaterialId", imported.materialId());
  }

  private ObjectNode deleteImportedKeyMaterial(RequestContext ctx, ObjectNode in) {
    KeyImport.Imported deleted = kms.keyImport.deleteImportedKeyMaterial(ctx, string(in, "KeyId"),
        string(in, "KeyMaterialId"));
    return Json.object().put("KeyId", deleted.key().arn).put("KeyMaterialId", deleted.materialId());
  }

  /** AWS JSON dates are epoch seconds, possibly fractional. */
  private static Instant date(ObjectNode in, String field) {
    JsonNode value = in.get(field);
    if (value == null || value.isNull()) {
      return null;
    }
    double seconds = value.asDouble();
    long whole = (long) Math.floor(seconds);
    return Instant.ofEpochSecond(whole, Math.round((seconds - whole) * 1_000_000_000L));
  }

  // ---- multi-Region keys ------------------------------------------------------------------

  private ObjectNode replicateKey(RequestContext ctx, ObjectNode in) {
    KmsKey replica = kms.multiRegionKeys.replicateKey(ctx, string(in, "KeyId"), string(in, "ReplicaRegion"),
        string(in, "Policy"), string(in, "Description"), KmsService.tags(in));
    ObjectNode out = Json.object();
    out.set("ReplicaKeyMetadata", KmsService.keyMetadata(replica).get("KeyMetadata"));
    out.put("ReplicaPolicy", replica.policy().text());
    ArrayNode tags = out.putArray("ReplicaTags");
    replica.tags().forEach((key, value) -> tags.addObject().put("TagKey", key).put("TagValue", value));
    return out;
  }

  private ObjectNode updatePrimaryRegion(RequestContext ctx, ObjectNode in) {
    kms.multiRegionKeys.updatePrimaryRegion(ctx, string(in, "KeyId"), string(in, "PrimaryRegion"));
    return null;
  }

  // ---- shapes -----------------------------------------------------------------------------

  /** The KeyMetadata fields of origin, imported material and multi-Region configuration. */
  static void describe(KmsKey key, ObjectNode metadata) {
    metadata.put("Origin", key.origin);
    if (key.spec.symmetric() && key.hasMaterial()) {
      // AWS names the current material of symmetric encryption keys only.
      metadata.put("CurrentKeyMaterialId", key.currentMaterial().idHex());
    }
    if (key.imported != null) {
      synchronized (key) {
        KeyImport.Entry current = key.imported.current();
        if (current != null && current.expirationModel != null) {
          metadata.put("ExpirationModel", current.expirationModel);
          Json.putDate(metadata, "ValidTo", current.validTo);
        }
      }
    }
    if (key.state() == KeyState.PendingReplicaDeletion) {
      metadata.put("PendingDeletionWindowInDays", key.pendingWindowInDays());
    }
    metadata.put("MultiRegion", key.multiRegion != null);
    if (key.multiRegion != null) {
      MultiRegionKeys.Configuration configuration = MultiRegionKeys.configuration(key);
      ObjectNode mrc = metadata.putObject("MultiRegionConfiguration");
      mrc.put("MultiRegionKeyType", configuration.primary() ? "PRIMARY" : "REPLICA");
      mrc.putObject("PrimaryKey").put("Arn", configuration.primaryArn()).put("Region", configuration.primaryRegion());
      ArrayNode replicas = mrc.putArray("ReplicaKeys");
      for (KmsKey replica : configuration.replicas()) {
        replicas.addObject().put("Arn", replica.arn).put("Region", replica.region);
      }
    }
  }

  /** The ListKeyRotations fields AWS shows only for symmetric keys with imported material. */
  static void describeRotation(KmsKey key, KeyMaterial material, ObjectNode entry) {
    if (key.imported == null) {
      return;
    }
    synchronized (key) {
      KeyImport.Entry imported = key.imported.entry(material.idHex());
      if (imported == null) {
        return;
      }
      entry.put("KeyMaterialState", imported.current ? "CURRENT"
          : key.imported.isPending(imported) ? "PENDING_ROTATION" : "NON_CURRENT");
      entry.put("ImportState", imported.isImported() ? "IMPORTED" : "PENDING_IMPORT");
      if (imported.expirationModel != null) {
        entry.put("ExpirationModel", imported.expirationModel);
      }
      Json.putDate(entry, "ValidTo", imported.validTo);
      if (imported.description != null) {
        entry.put("KeyMaterialDescription", imported.description);
      }
    }
  }
}
