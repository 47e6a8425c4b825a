package dev.shunt.backend.kms;

import dev.shunt.backend.core.AwsException;
import dev.shunt.backend.core.PageTokens;
import dev.shunt.backend.core.RequestContext;
import dev.shunt.backend.crypto.Randomness;
import java.io.ByteArrayInputStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.regex.Pattern;

/**
 * Custom key stores, per account and Region: CreateCustomKeyStore, DescribeCustomKeyStores,
 * UpdateCustomKeyStore, DeleteCustomKeyStore, ConnectCustomKeyStore and DisconnectCustomKeyStore,
 * with KMS's validation, errors and connection states (DISCONNECTED, CONNECTING, then CONNECTED
 * or FAILED with a ConnectionErrorCode). Shunt runs no CloudHSM cluster: a CloudHSM key store can
 * be created and described, and connecting it fails as KMS does for a cluster it cannot find. An
 * external key store connects when its XKS proxy answers GetHealthStatus.
 */
final class CustomKeyStores {
  /** AWS's resource quota "custom key stores per account per Region". */
  static final int MAX_STORES_PER_REGION = 10;
  private static final String DESCRIBE = "kms.DescribeCustomKeyStores";
  private static final String ENDPOINT_PATTERN = "^https://[a-zA-Z0-9.-]+$";
  private static final Pattern AWS_ENDPOINT = Pattern.compile(ENDPOINT_PATTERN);

  /** A Create or Update request's settings (null: not given). */
  record Settings(String name, String type, String cloudHsmClusterId, String trustAnchorCertificate,
      String keyStorePassword, String xksProxyUriEndpoint, String xksProxyUriPath,
      String xksProxyVpcEndpointServiceName, String xksProxyVpcEndpointServiceOwner, String xksProxyAccessKeyId,
      String xksProxySecretAccessKey, String xksProxyConnectivity) {

    boolean hasXksSettings() {
      return xksProxyUriEndpoint != null || xksProxyUriPath != null || xksProxyVpcEndpointServiceName != null
          || xksProxyVpcEndpointServiceOwner != null || xksProxyAccessKeyId != null || xksProxyConnectivity != null;
    }

    boolean hasCloudHsmSettings() {
      return cloudHsmClusterId != null || trustAnchorCertificate != null || keyStorePassword != null;
    }
  }

  private final KmsBackend kms;
  private final XksProxyClient proxies;

  CustomKeyStores(KmsBackend kms, XksProxyClient proxies) {
    this.kms = kms;
    this.proxies = proxies;
  }

  // ---- CreateCustomKeyStore ---------------------------------------------------------------

  String create(RequestContext ctx, Settings settings) {
    String type = settings.type() == null ? CustomKeyStore.CLOUDHSM : settings.type();
    CustomKeyStore.CloudHsm cloudHsm = null;
    CustomKeyStore.XksProxy xks = null;
    if (type.equals(CustomKeyStore.CLOUDHSM)) {
      if (settings.hasXksSettings()) {
        throw KmsErrors.validation("XKS proxy parameters are not valid for a custom key store of type AWS_CLOUDHSM");
      }
      require(settings.cloudHsmClusterId(), "CloudHsmClusterId", type);
      require(settings.trustAnchorCertificate(), "TrustAnchorCertificate", type);
      require(settings.keyStorePassword(), "KeyStorePassword", type);
      checkTrustAnchor(settings.trustAnchorCertificate());
      cloudHsm = new CustomKeyStore.CloudHsm(settings.cloudHsmClusterId(), settings.trustAnchorCertificate(),
          settings.keyStorePassword());
    } else {
      if (settings.hasCloudHsmSettings()) {
        throw KmsErrors.validation("CloudHSM parameters are not valid for a custom key store of type "
            + "EXTERNAL_KEY_STORE");
      }
      require(settings.xksProxyUriEndpoint(), "XksProxyUriEndpoint", type);
      require(settings.xksProxyUriPath(), "XksProxyUriPath", type);
      require(settings.xksProxyAccessKeyId(), "XksProxyAuthenticationCredential", type);
      require(settings.xksProxyConnectivity(), "XksProxyConnectivity", type);
      xks = new CustomKeyStore.XksProxy(settings.xksProxyConnectivity(), settings.xksProxyUriEndpoint(),
          settings.xksProxyUriPath(), settings.xksProxyVpcEndpointServiceName(),
          settings.xksProxyVpcEndpointServiceOwner(), settings.xksProxyAccessKeyId(),
          settings.xksProxySecretAccessKey());
      checkXksProxy(xks);
    }
    KmsRegion region = kms.region(ctx);
    // Cheap refusals first, so an unreachable proxy is not waited for when the name is taken anyway.
    synchronized (region.customKeyStores) {
      checkUnique(region, null, settings.name(), cloudHsm, xks);
    }
    if (xks != null) {
      probeForSettings(ctx, xks, "CreateCustomKeyStore");
    }
    synchronized (region.customKeyStores) {
      checkUnique(region, null, settings.name(), cloudHsm, xks);
      if (region.customKeyStores.size() >= MAX_STORES_PER_REGION) {
        throw KmsErrors.limitExceeded("Custom key stores per Region limit (" + MAX_STORES_PER_REGION + ") exceeded");
      }
      String id = "cks-" + HexFormat.of().formatHex(Randomness.bytes(9)).substring(0, 17);
      region.customKeyStores.put(id, new CustomKeyStore(id, type, ctx.now(), settings.name(), cloudHsm, xks));
      KmsState.customKeyStoreChanged(region, id);
      return id;
    }
  }

  // ---- DescribeCustomKeyStores ------------------------------------------------------------

  KmsBackend.Page<CustomKeyStore.View> describe(RequestContext ctx, String id, String name, int limit,
      String marker) {
    if (id != null && name != null) {
      throw KmsErrors.validation("You cannot specify both CustomKeyStoreId and CustomKeyStoreName");
    }
    KmsRegion region = kms.region(ctx);
    if (id != null) {
      return new KmsBackend.Page<>(List.of(store(region, id).view()), null);
    }
    if (name != null) {
      for (CustomKeyStore store : region.customKeyStores.values()) {
        if (store.name().equals(name)) {
          return new KmsBackend.Page<>(List.of(store.view()), null);
        }
      }
      throw KmsErrors.customKeyStoreNotFound("Custom key store with name " + name + " not found");
    }
    String after = null;
    if (marker != null) {
      after = PageTokens.open(DESCRIBE, marker);
      if (after == null) {
        throw KmsErrors.invalidMarker();
      }
    }
    Iterator<CustomKeyStore> stores = (after == null ? region.customKeyStores
        : region.customKeyStores.tailMap(after, false)).values().iterator();
    List<CustomKeyStore.View> page = new ArrayList<>();
    while (stores.hasNext()) {
      CustomKeyStore store = stores.next();
      if (page.size() == limit) {
        return new KmsBackend.Page<>(page, PageTokens.seal(DESCRIBE, page.get(page.size() - 1).id()));
      }
      page.add(store.view());
    }
    return new KmsBackend.Page<>(page, null);
  }

  // ---- UpdateCustomKeyStore ---------------------------------------------------------------

  void update(RequestContext ctx, String id, Settings settings) {
    KmsRegion region = kms.region(ctx);
    CustomKeyStore store = store(region, id);
    requireDisconnected(store, "UpdateCustomKeyStore");
    CustomKeyStore.CloudHsm cloudHsm = null;
    CustomKeyStore.XksProxy xks = null;
    if (store.type.equals(CustomKeyStore.CLOUDHSM)) {
      if (settings.hasXksSettings()) {
        throw KmsErrors.validation("XKS proxy parameters are not valid for a custom key store of type AWS_CLOUDHSM");
      }
      CustomKeyStore.CloudHsm old = store.cloudHsm();
      if (settings.cloudHsmClusterId() != null || settings.keyStorePassword() != null) {
        cloudHsm = new CustomKeyStore.CloudHsm(or(settings.cloudHsmClusterId(), old.clusterId()),
            old.trustAnchorCertificate(), or(settings.keyStorePassword(), old.keyStorePassword()));
      }
    } else {
      if (settings.hasCloudHsmSettings()) {
        throw KmsErrors.validation("CloudHSM parameters are not valid for a custom key store of type "
            + "EXTERNAL_KEY_STORE");
      }
      CustomKeyStore.XksProxy old = store.xksProxy();
      if (settings.hasXksSettings()) {
        String connectivity = or(settings.xksProxyConnectivity(), old.connectivity());
        boolean toPublic = connectivity.equals(CustomKeyStore.PUBLIC_ENDPOINT);
        xks = new CustomKeyStore.XksProxy(connectivity, or(settings.xksProxyUriEndpoint(), old.uriEndpoint()),
            or(settings.xksProxyUriPath(), old.uriPath()),
            toPublic ? settings.xksProxyVpcEndpointServiceName()
                : or(settings.xksProxyVpcEndpointServiceName(), old.vpcEndpointServiceName()),
            toPublic ? settings.xksProxyVpcEndpointServiceOwner()
                : or(settings.xksProxyVpcEndpointServiceOwner(), old.vpcEndpointServiceOwner()),
            or(settings.xksProxyAccessKeyId(), old.accessKeyId()),
            or(settings.xksProxySecretAccessKey(), old.secretAccessKey()));
        checkXksProxy(xks);
      }
    }
    synchronized (region.customKeyStores) {
      checkUnique(region, store, settings.name(), cloudHsm, xks);
    }
    if (xks != null) {
      probeForSettings(ctx, xks, "UpdateCustomKeyStore");
    }
    synchronized (region.customKeyStores) {
      checkUnique(region, store, settings.name(), cloudHsm, xks);
      synchronized (store) {
        requireDisconnected(store, "UpdateCustomKeyStore");
        store.update(settings.name(), cloudHsm, xks);
      }
      KmsState.customKeyStoreChanged(region, store.id);
    }
  }

  // ---- DeleteCustomKeyStore ---------------------------------------------------------------

  void delete(RequestContext ctx, String id) {
    KmsRegion region = kms.region(ctx);
    synchronized (region.customKeyStores) {
      CustomKeyStore store = store(region, id);
      synchronized (store) {
        requireDisconnected(store, "DeleteCustomKeyStore");
        // No key can live in a custom key store yet (CreateKey refuses them), so none holds the store back.
        region.customKeyStores.remove(id, store);
      }
      KmsState.customKeyStoreChanged(region, id);
    }
  }

  // ---- ConnectCustomKeyStore and DisconnectCustomKeyStore ---------------------------------

  void connect(RequestContext ctx, String id) {
    CustomKeyStore store = store(kms.region(ctx), id);
    long attempt;
    synchronized (store) {
      String state = store.connectionState();
      if (state.equals("FAILED") || state.equals("DISCONNECTING")) {
        throw KmsErrors.customKeyStoreInvalidState("Custom key store " + id + " is " + state
            + ": disconnect it (DisconnectCustomKeyStore) before you connect it again");
      }
      attempt = store.startConnecting();
    }
    KmsState.customKeyStoreChanged(kms.region(ctx), id);
    if (attempt < 0) {
      return; // already CONNECTED or CONNECTING: KMS answers success and changes nothing
    }
    if (store.type.equals(CustomKeyStore.CLOUDHSM)) {
      // Shunt has no CloudHSM: KMS reports a cluster it cannot find this way.
      store.finishConnecting(attempt, "CLUSTER_NOT_FOUND");
      return;
    }
    // As at AWS, the call returns while the store is CONNECTING; the proxy's answer settles the state.
    proxies.health(store.xksProxy(), ctx.region(), "ConnectCustomKeyStore", ctx.requestId())
        .thenAccept(health -> store.finishConnecting(attempt, health.connectionErrorCode));
  }

  void disconnect(RequestContext ctx, String id) {
    CustomKeyStore store = store(kms.region(ctx), id);
    synchronized (store) {
      String state = store.connectionState();
      if (state.equals("DISCONNECTED") || state.equals("DISCONNECTING")) {
        throw KmsErrors.customKeyStoreInvalidState("Custom key store " + id + " is " + state);
      }
      store.disconnect();
    }
    KmsState.customKeyStoreChanged(kms.region(ctx), id);
  }

  // ---- what other operations ask of a store -----------------------------------------------

  /**
   * CreateKey with a CustomKeyStoreId: refused, always. An unknown store or one not CONNECTED is
   * refused as KMS does; a key in a connected store (a CloudHSM one cannot be connected in Shunt)
   * would need the external key manager to hold its material, which Shunt does not do yet.
   */
  void refuseKeyCreation(RequestContext ctx, String id, String origin) {
    CustomKeyStore store = store(kms.region(ctx), id);
    String expectedOrigin = store.type.equals(CustomKeyStore.CLOUDHSM) ? "AWS_CLOUDHSM" : "EXTERNAL_KEY_STORE";
    if (!expectedOrigin.equals(origin)) {
      throw KmsErrors.unsupported("A KMS key in custom key store " + id + " must have Origin " + expectedOrigin);
    }
    String state = store.connectionState();
    if (!state.equals("CONNECTED")) {
      throw KmsErrors.customKeyStoreInvalidState("Custom key store " + id + " is " + state
          + "; a KMS key can be created in it only when it is CONNECTED");
    }
    throw KmsErrors.unsupported("KMS keys in external key stores are not supported by Shunt yet");
  }

  /** GenerateRandom with a CustomKeyStoreId: KMS makes the bytes in a connected CloudHSM cluster only. */
  void refuseRandomSource(RequestContext ctx, String id) {
    CustomKeyStore store = store(kms.region(ctx), id);
    if (store.type.equals(CustomKeyStore.EXTERNAL)) {
      throw KmsErrors.unsupported("GenerateRandom does not support external key stores");
    }
    throw KmsErrors.customKeyStoreInvalidState("Custom key store " + id + " is " + store.connectionState()
        + "; GenerateRandom needs it CONNECTED");
  }

  // ---- rules ------------------------------------------------------------------------------

  private static CustomKeyStore store(KmsRegion region, String id) {
    CustomKeyStore store = region.customKeyStores.get(id);
    if (store == null) {
      throw KmsErrors.customKeyStoreNotFound("Custom key store " + id + " not found");
    }
    return store;
  }

  private static void requireDisconnected(CustomKeyStore store, String operation) {
    String state = store.connectionState();
    if (!state.equals("DISCONNECTED")) {
      throw KmsErrors.customKeyStoreInvalidState("Custom key store " + store.id + " is " + state + "; "
          + operation + " needs it DISCONNECTED");
    }
  }

  private static void require(String value, String member, String type) {
    if (value == null) {
      throw KmsErrors.validation(member + " is required for a custom key store of type " + type);
    }
  }

  private static String or(String value, String otherwise) {
    return value != null ? value : otherwise;
  }

  /** Names, clusters and proxy addresses are each one store's in an account and Region. */
  private static void checkUnique(KmsRegion region, CustomKeyStore self, String name, CustomKeyStore.CloudHsm cloudHsm,
      CustomKeyStore.XksProxy xks) {
    for (CustomKeyStore other : region.customKeyStores.values()) {
      if (other == self) {
        continue;
      }
      if (name != null && other.name().equals(name)) {
        throw new AwsException("CustomKeyStoreNameInUseException", "A custom key store with name " + name
            + " already exists");
      }
      CustomKeyStore.CloudHsm otherHsm = other.cloudHsm();
      if (cloudHsm != null && otherHsm != null && otherHsm.clusterId().equals(cloudHsm.clusterId())) {
        throw new AwsException("CloudHsmClusterInUseException", "Cluster " + cloudHsm.clusterId()
            + " is already associated with custom key store " + other.id);
      }
      CustomKeyStore.XksProxy otherXks = other.xksProxy();
      if (xks == null || otherXks == null) {
        continue;
      }
      if (xks.uriEndpoint().equals(otherXks.uriEndpoint()) && xks.uriPath().equals(otherXks.uriPath())) {
        throw new AwsException("XksProxyUriInUseException", "The XKS proxy URI " + xks.uriEndpoint()
            + xks.uriPath() + " is already associated with custom key store " + other.id);
      }
      boolean vpc = xks.connectivity().equals(CustomKeyStore.VPC_ENDPOINT_SERVICE);
      if (vpc && otherXks.connectivity().equals(CustomKeyStore.VPC_ENDPOINT_SERVICE)) {
        if (xks.uriEndpoint().equals(otherXks.uriEndpoint())) {
          throw new AwsException("XksProxyUriEndpointInUseException", "The XKS proxy URI endpoint "
              + xks.uriEndpoint() + " is already associated with custom key store " + other.id);
        }
        if (xks.vpcEndpointServiceName().equals(otherXks.vpcEndpointServiceName())) {
          throw new AwsException("XksProxyVpcEndpointServiceInUseException", "The VPC endpoint service "
              + xks.vpcEndpointServiceName() + " is already associated with custom key store " + other.id);
        }
      }
    }
  }

  /** A PEM X.509 certificate: Shunt has no cluster to compare it with, but a non-certificate is no trust anchor. */
  private static void checkTrustAnchor(String pem) {
    try {
      CertificateFactory.getInstance("X.509").generateCertificate(
          new ByteArrayInputStream(pem.getBytes(StandardCharsets.US_ASCII)));
    } catch (CertificateException | RuntimeException e) {
      throw new AwsException("IncorrectTrustAnchorException",
          "The trust anchor certificate in the request is not a valid X.509 certificate");
    }
  }

  private static void checkXksProxy(CustomKeyStore.XksProxy xks) {
    checkEndpoint(xks.uriEndpoint());
    boolean vpc = xks.connectivity().equals(CustomKeyStore.VPC_ENDPOINT_SERVICE);
    if (vpc && xks.vpcEndpointServiceName() == null) {
      throw new AwsException("XksProxyInvalidConfigurationException",
          "XksProxyVpcEndpointServiceName is required when XksProxyConnectivity is VPC_ENDPOINT_SERVICE");
    }
    if (!vpc && (xks.vpcEndpointServiceName() != null || xks.vpcEndpointServiceOwner() != null)) {
      throw new AwsException("XksProxyInvalidConfigurationException",
          "XksProxyVpcEndpointServiceName and XksProxyVpcEndpointServiceOwner are valid only when "
              + "XksProxyConnectivity is VPC_ENDPOINT_SERVICE");
    }
  }

  /**
   * AWS takes {@code https://} and a host name (port 443). Shunt also takes a proxy on this
   * machine at any port, over http or https, since a local proxy has neither port 443 nor a
   * public certificate; the model's pattern is therefore checked here rather than by validation.
   */
  static void checkEndpoint(String endpoint) {
    String problem = null;
    if (endpoint.length() < 10) {
      problem = "Member must have length greater than or equal to 10";
    } else if (endpoint.length() > 128) {
      problem = "Member must have length less than or equal to 128";
    } else if (!AWS_ENDPOINT.matcher(endpoint).matches() && !isLoopbackEndpoint(endpoint)) {
      problem = "Member must satisfy regular expression pattern: " + ENDPOINT_PATTERN;
    }
    if (problem != null) {
      throw KmsErrors.validation("1 validation error detected: Value '" + endpoint + "' at 'xksProxyUriEndpoint' "
          + "failed to satisfy constraint: " + problem);
    }
  }

  private static boolean isLoopbackEndpoint(String endpoint) {
    URI uri;
    try {
      uri = new URI(endpoint);
    } catch (java.net.URISyntaxException e) {
      return false;
    }
    String scheme = uri.getScheme();
    String host = uri.getHost();
    if (!("http".equals(scheme) || "https".equals(scheme)) || host == null || uri.getRawUserInfo() != null
        || !(uri.getRawPath() == null || uri.getRawPath().isEmpty()) || uri.getRawQuery() != null
        || uri.getRawFragment() != null) {
      return false;
    }
    String bare = host.startsWith("[") ? host.substring(1, host.length() - 1) : host;
    bare = bare.toLowerCase(Locale.ROOT);
    // Literal names only: resolving a name here would let DNS decide what counts as this machine.
    return bare.equals("localhost") || bare.equals("::1") || bare.startsWith("127.")
        && bare.chars().allMatch(c -> c == '.' || Character.isDigit(c));
  }

  /**
   * KMS checks a public proxy's settings against the proxy itself before it keeps them (a proxy
   * behind a VPC endpoint service is only reached once connected).
   */
  private void probeForSettings(RequestContext ctx, CustomKeyStore.XksProxy xks, String operation) {
    if (!xks.connectivity().equals(CustomKeyStore.PUBLIC_ENDPOINT)) {
      return;
    }
    XksProxyClient.Health health = proxies.health(xks, ctx.region(), operation, ctx.requestId()).join();
    switch (health) {
      case HEALTHY -> { }
      case ACCESS_DENIED -> throw new AwsException("XksProxyIncorrectAuthenticationCredentialException",
          "The XKS proxy at " + xks.uriEndpoint() + xks.uriPath() + " rejected the authentication credential");
      case INVALID_RESPONSE -> throw new AwsException("XksProxyInvalidResponseException",
          "The XKS proxy at " + xks.uriEndpoint() + xks.uriPath() + " answered GetHealthStatus with an invalid "
              + "response");
      case INVALID_TLS -> throw new AwsException("XksProxyInvalidConfigurationException",
          "KMS could not establish a TLS connection to the XKS proxy at " + xks.uriEndpoint());
      default -> throw new AwsException("XksProxyUriUnreachableException",
          "KMS cannot reach the XKS proxy at " + xks.uriEndpoint() + xks.uriPath());
    }
  }
}
