package dev.shunt.backend.kms;

import java.time.Instant;

/**
 * One custom key store: an AWS CloudHSM key store or an external key store (XKS), its settings
 * and its connection state. Settings and state change under the store's own lock; a connection
 * attempt in flight carries the {@link #attempt} it started as, so that one a Disconnect
 * overtook cannot mark the store connected afterwards.
 */
final class CustomKeyStore {
  static final String CLOUDHSM = "AWS_CLOUDHSM";
  static final String EXTERNAL = "EXTERNAL_KEY_STORE";
  static final String PUBLIC_ENDPOINT = "PUBLIC_ENDPOINT";
  static final String VPC_ENDPOINT_SERVICE = "VPC_ENDPOINT_SERVICE";

  /** How Shunt reaches an external key store's proxy, and what it signs with. */
  record XksProxy(String connectivity, String uriEndpoint, String uriPath, String vpcEndpointServiceName,
      String vpcEndpointServiceOwner, String accessKeyId, String secretAccessKey) {

    /** Where the proxy's GetHealthStatus answers: the XKS API's base URI and "/health". */
    String healthUri() {
      return uriEndpoint + uriPath + "/health";
    }
  }

  /** An AWS CloudHSM key store's settings; the password is kept, never shown. */
  record CloudHsm(String clusterId, String trustAnchorCertificate, String keyStorePassword) {}

  /** A snapshot of a store, as DescribeCustomKeyStores shows it. */
  record View(String id, String name, String type, Instant creationDate, String connectionState,
      String connectionErrorCode, CloudHsm cloudHsm, XksProxy xksProxy) {}

  final String id;
  final String type;
  final Instant creationDate;
  private String name;
  private CloudHsm cloudHsm;
  private XksProxy xksProxy;
  private String connectionState = "DISCONNECTED";
  private String connectionErrorCode;
  private long attempt;

  CustomKeyStore(String id, String type, Instant creationDate, String name, CloudHsm cloudHsm, XksProxy xksProxy) {
    this.id = id;
    this.type = type;
    this.creationDate = creationDate;
    this.name = name;
    this.cloudHsm = cloudHsm;
    this.xksProxy = xksProxy;
  }

  synchronized View view() {
    return new View(id, name, type, creationDate, connectionState, connectionErrorCode, cloudHsm, xksProxy);
  }

  synchronized String name() {
    return name;
  }

  synchronized XksProxy xksProxy() {
    return xksProxy;
  }

  synchronized CloudHsm cloudHsm() {
    return cloudHsm;
  }

  synchronized String connectionState() {
    return connectionState;
  }

  /** Applies an update's settings (null: unchanged); the caller has checked the store is disconnected. */
  synchronized void update(String newName, CloudHsm newCloudHsm, XksProxy newXksProxy) {
    if (newName != null) {
      name = newName;
    }
    if (newCloudHsm != null) {
      cloudHsm = newCloudHsm;
    }
    if (newXksProxy != null) {
      xksProxy = newXksProxy;
    }
  }

  /** DISCONNECTED to CONNECTING: returns the attempt's number, or -1 if the store was connected or connecting already. */
  synchronized long startConnecting() {
    if (!connectionState.equals("DISCONNECTED")) {
      return -1;
    }
    connectionState = "CONNECTING";
    connectionErrorCode = null;
    return ++attempt;
  }

  /** Ends a connection attempt: CONNECTED (errorCode null) or FAILED, unless a Disconnect came first. */
  synchronized void finishConnecting(long attemptNumber, String errorCode) {
    if (attemptNumber != attempt || !connectionState.equals("CONNECTING")) {
      return;
    }
    connectionState = errorCode == null ? "CONNECTED" : "FAILED";
    connectionErrorCode = errorCode;
  }

  /**
   * Takes the settings and connection state another node wrote, in place (requests here hold this
   * object and change it under its lock). A connection attempt in flight here is void: the
   * document's state wins over what it would have set.
   */
  synchronized void replace(String newName, CloudHsm newCloudHsm, XksProxy newXksProxy, String state, String errorCode) {
    name = newName;
    cloudHsm = newCloudHsm;
    xksProxy = newXksProxy;
    attempt++;
    connectionState = state;
    connectionErrorCode = errorCode;
  }

  synchronized void disconnect() {
    attempt++;
    connectionState = "DISCONNECTED";
    connectionErrorCode = null;
  }
}
