package dev.shunt.backend.kms;

import static dev.shunt.backend.core.Inputs.flag;
import static dev.shunt.backend.core.Inputs.integer;
import static dev.shunt.backend.core.Inputs.string;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.shunt.backend.core.Inputs;
import dev.shunt.backend.core.Json;
import dev.shunt.backend.core.OperationHandler;
import dev.shunt.backend.core.RequestContext;
import java.util.Map;

/**
 * KMS on the wire for custom key stores, grants and GetKeyLastUsage: each handler reads its
 * validated input, calls {@link CustomKeyStores}, {@link Grants} or {@link KmsBackend}, and writes
 * KMS's output shape. {@link #register} adds them to {@link KmsService}'s operations by AWS name.
 */
final class KmsStoreAndGrantOperations {
  private final KmsBackend kms;
  private final CustomKeyStores stores;
  private final Grants grants;

  KmsStoreAndGrantOperations(KmsBackend kms, CustomKeyStores stores) {
    this.kms = kms;
    this.stores = stores;
    this.grants = new Grants(kms);
  }

  void register(Map<String, OperationHandler> operations) {
    operations.put("CreateCustomKeyStore", this::createCustomKeyStore);
    operations.put("DescribeCustomKeyStores", this::describeCustomKeyStores);
    operations.put("UpdateCustomKeyStore", this::updateCustomKeyStore);
    operations.put("DeleteCustomKeyStore", this::deleteCustomKeyStore);
    operations.put("ConnectCustomKeyStore", this::connectCustomKeyStore);
    operations.put("DisconnectCustomKeyStore", this::disconnectCustomKeyStore);
    operations.put("CreateGrant", this::createGrant);
    operations.put("ListGrants", this::listGrants);
    operations.put("ListRetirableGrants", this::listRetirableGrants);
    operations.put("RetireGrant", this::retireGrant);
    operations.put("RevokeGrant", this::revokeGrant);
    operations.put("GetKeyLastUsage", this::getKeyLastUsage);
  }

  // ---- custom key stores ------------------------------------------------------------------

  private ObjectNode createCustomKeyStore(RequestContext ctx, ObjectNode in) {
    kms.authorizeWithoutKey(ctx, "CreateCustomKeyStore");
    String id = stores.create(ctx, settings(in, string(in, "CustomKeyStoreName")));
    return Json.object().put("CustomKeyStoreId", id);
  }

  private ObjectNode describeCustomKeyStores(RequestContext ctx, ObjectNode in) {
    kms.authorizeWithoutKey(ctx, "DescribeCustomKeyStores");
    Integer limit = integer(in, "Limit");
    KmsBackend.Page<CustomKeyStore.View> page = stores.describe(ctx, string(in, "CustomKeyStoreId"),
        string(in, "CustomKeyStoreName"), limit == null ? 1000 : limit, string(in, "Marker"));
    ObjectNode out = Json.object();
    ArrayNode list = out.putArray("CustomKeyStores");
    for (CustomKeyStore.View store : page.items()) {
      ObjectNode entry = list.addObject().put("CustomKeyStoreId", store.id())
          .put("CustomKeyStoreName", store.name()).put("CustomKeyStoreType", store.type())
          .put("ConnectionState", store.connectionState());
      if (store.connectionErrorCode() != null) {
        entry.put("ConnectionErrorCode", store.connectionErrorCode());
      }
      Json.putDate(entry, "CreationDate", store.creationDate());
      if (store.cloudHsm() != null) {
        entry.put("CloudHsmClusterId", store.cloudHsm().clusterId())
            .put("TrustAnchorCertificate", store.cloudHsm().trustAnchorCertificate());
      }
      CustomKeyStore.XksProxy xks = store.xksProxy();
      if (xks != null) {
        // The secret access key is never shown, as at AWS; the access key id is.
        ObjectNode proxy = entry.putObject("XksProxyConfiguration").put("Connectivity", xks.connectivity())
            .put("AccessKeyId", xks.accessKeyId()).put("UriEndpoint", xks.uriEndpoint()).put("UriPath", xks.uriPath());
        if (xks.vpcEndpointServiceName() != null) {
          proxy.put("VpcEndpointServiceName", xks.vpcEndpointServiceName());
        }
        if (xks.vpcEndpointServiceOwner() != null) {
          proxy.put("VpcEndpointServiceOwner", xks.vpcEndpointServiceOwner());
        }
      }
    }
    out.put("Truncated", page.nextMarker() != null);
    if (page.nextMarker() != null) {
      out.put("NextMarker", page.nextMarker());
    }
    return out;
  }

  private ObjectNode updateCustomKeyStore(RequestContext ctx, ObjectNode in) {
    kms.authorizeWithoutKey(ctx, "UpdateCustomKeyStore");
    stores.update(ctx, string(in, "CustomKeyStoreId"), settings(in, string(in, "NewCustomKeyStoreName")));
    return null;
  }

  private ObjectNode deleteCustomKeyStore(RequestContext ctx, ObjectNode in) {
    kms.authorizeWithoutKey(ctx, "DeleteCustomKeyStore");
    stores.delete(ctx, string(in, "CustomKeyStoreId"));
    return null;
  }

  private ObjectNode connectCustomKeyStore(RequestContext ctx, ObjectNode in) {
    kms.authorizeWithoutKey(ctx, "ConnectCustomKeyStore");
    stores.connect(ctx, string(in, "CustomKeyStoreId"));
    return null;
  }

  private ObjectNode disconnectCustomKeyStore(RequestContext ctx, ObjectNode in) {
    kms.authorizeWithoutKey(ctx, "DisconnectCustomKeyStore");
    stores.disconnect(ctx, string(in, "CustomKeyStoreId"));
    return null;
  }

  private static CustomKeyStores.Settings settings(ObjectNode in, String name) {
    ObjectNode credential = Inputs.object(in, "XksProxyAuthenticationCredential");
    return new CustomKeyStores.Settings(name, string(in, "CustomKeyStoreType"), string(in, "CloudHsmClusterId"),
        string(in, "TrustAnchorCertificate"), string(in, "KeyStorePassword"), string(in, "XksProxyUriEndpoint"),
        string(in, "XksProxyUriPath"), string(in, "XksProxyVpcEndpointServiceName"),
        string(in, "XksProxyVpcEndpointServiceOwner"),
        credential == null ? null : string(credential, "AccessKeyId"),
        credential == null ? null : string(credential, "RawSecretAccessKey"), string(in, "XksProxyConnectivity"));
  }

  // ---- grants -----------------------------------------------------------------------------

  private ObjectNode createGrant(RequestContext ctx, ObjectNode in) {
    ObjectNode constraints = Inputs.object(in, "Constraints");
    Grants.Created created = grants.create(ctx, string(in, "KeyId"), string(in, "GranteePrincipal"),
        string(in, "RetiringPrincipal"), Inputs.strings(in, "Operations"),
        constraint(constraints, "EncryptionContextEquals"), constraint(constraints, "EncryptionContextSubset"),
        Inputs.strings(in, "GrantTokens"), string(in, "Name"), flag(in, "DryRun"));
    return Json.object().put("GrantToken", created.grantToken()).put("GrantId", created.grantId());
  }

  private ObjectNode listGrants(RequestContext ctx, ObjectNode in) {
    return grantPage(grants.list(ctx, string(in, "KeyId"), string(in, "GrantId"), string(in, "GranteePrincipal"),
        limit(in), string(in, "Marker")));
  }

  private ObjectNode listRetirableGrants(RequestContext ctx, ObjectNode in) {
    return grantPage(grants.listRetirable(ctx, string(in, "RetiringPrincipal"), limit(in), string(in, "Marker")));
  }

  private ObjectNode retireGrant(RequestContext ctx, ObjectNode in) {
    grants.retire(ctx, string(in, "GrantToken"), string(in, "KeyId"), string(in, "GrantId"), flag(in, "DryRun"));
    return null;
  }

  private ObjectNode revokeGrant(RequestContext ctx, ObjectNode in) {
    grants.revoke(ctx, string(in, "KeyId"), string(in, "GrantId"), flag(in, "DryRun"));
    return null;
  }

  /** A constraint's encryption context; null when absent (an empty one is a constraint too). */
  private static Map<String, String> constraint(ObjectNode constraints, String member) {
    return constraints == null || !constraints.hasNonNull(member) ? null : Inputs.stringMap(constraints, member);
  }

  /** ListGrants and ListRetirableGrants: 50 grants a page unless asked for fewer or more (at most 100). */
  private static int limit(ObjectNode in) {
    Integer limit = integer(in, "Limit");
    return limit == null ? 50 : Math.min(limit, 100);
  }

  private static ObjectNode grantPage(KmsBackend.Page<Grant> page) {
    ObjectNode out = Json.object();
    ArrayNode list = out.putArray("Grants");
    for (Grant grant : page.items()) {
      ObjectNode entry = list.addObject().put("KeyId", grant.keyArn()).put("GrantId", grant.grantId());
      if (grant.name() != null) {
        entry.put("Name", grant.name());
      }
      Json.putDate(entry, "CreationDate", grant.creationDate());
      entry.put("GranteePrincipal", grant.granteePrincipal());
      if (grant.retiringPrincipal() != null) {
        entry.put("RetiringPrincipal", grant.retiringPrincipal());
      }
      entry.put("IssuingAccount", grant.issuingAccount());
      ArrayNode operations = entry.putArray("Operations");
      grant.operations().forEach(operations::add);
      if (grant.contextEquals() != null || grant.contextSubset() != null) {
        ObjectNode constraints = entry.putObject("Constraints");
        putContext(constraints, "EncryptionContextEquals", grant.contextEquals());
        putContext(constraints, "EncryptionContextSubset", grant.contextSubset());
      }
    }
    out.put("Truncated", page.nextMarker() != null);
    if (page.nextMarker() != null) {
      out.put("NextMarker", page.nextMarker());
    }
    return out;
  }

  private static void putContext(ObjectNode constraints, String member, Map<String, String> context) {
    if (context != null) {
      ObjectNode node = constraints.putObject(member);
      context.forEach(node::put);
    }
  }

  // ---- GetKeyLastUsage --------------------------------------------------------------------

  private ObjectNode getKeyLastUsage(RequestContext ctx, ObjectNode in) {
    KmsKey key = kms.key(ctx, string(in, "KeyId"), true, true, "GetKeyLastUsage");
    ObjectNode out = Json.object().put("KeyId", key.arn);
    Json.putDate(out, "KeyCreationDate", key.creationDate);
    // Shunt records use from a key's creation on.
    Json.putDate(out, "TrackingStartDate", key.creationDate);
    KeyLastUsage usage = key.lastUsage();
    if (usage != null) {
      ObjectNode data = out.putObject("KeyLastUsage").put("Operation", usage.operation());
      Json.putDate(data, "Timestamp", usage.timestamp());
      data.put("KmsRequestId", usage.requestId());
    }
    return out;
  }
}
