package dev.shunt.backend.kms;

import static dev.shunt.backend.AwsErrors.expectError;
import static org.assertj.core.api.Assertions.assertThat;

import dev.shunt.backend.BackendTest;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.kms.KmsClient;
import software.amazon.awssdk.services.kms.model.ConnectionErrorCodeType;
import software.amazon.awssdk.services.kms.model.ConnectionStateType;
import software.amazon.awssdk.services.kms.model.CreateCustomKeyStoreRequest;
import software.amazon.awssdk.services.kms.model.CustomKeyStoreType;
import software.amazon.awssdk.services.kms.model.CustomKeyStoresListEntry;
import software.amazon.awssdk.services.kms.model.DescribeCustomKeyStoresResponse;
import software.amazon.awssdk.services.kms.model.OriginType;
import software.amazon.awssdk.services.kms.model.XksProxyConnectivityType;

/**
 * Custom key stores over real HTTP: CloudHSM key stores (which Shunt can describe but never
 * connect, having no cluster) and external key stores whose XKS proxy is a local test server.
 */
class KmsCustomKeyStoresIT extends BackendTest {
  /** A self-signed trust anchor certificate, as CreateCustomKeyStore takes one for a CloudHSM store. */
  static final String ANCHOR = """
      -----BEGIN CERTIFICATE-----
      MIIBjjCCATWgAwIBAgIUUV52ah7jjP6L5zvKmmQ5QKXBXIIwCgYIKoZIzj0EAwIw
      HDEaMBgGA1UEAwwRc2h1bnQtdGVzdC1hbmNob3IwIBcNMjYxMjAzMDcyODQ3WhgP
      MjEyNjExMDkwNzI4NDdaMBwxGjAYBgNVBAMMEXNodW50LXRlc3QtYW5jaG9yMFkw
      EwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAESHao1QC/a6+dZE22RRSe4RoHAI5JOfG6
      40toRIZ0tCSjzKp8O2Q1mi7NOT5LiHiFs12Ig5CZCUCk9/GIbUMJSKNTMFEwHQYD
      VR0OBBYEFMWw6PccJ57yVZF2I7o94vE7FkE4MB8GA1UdIwQYMBaAFMWw6PccJ57y
      VZF2I7o94vE7FkE4MA8GA1UdEwEB/wQFMAMBAf8wCgYIKoZIzj0EAwIDRwAwRAIg
      WXN0E/77/mr3i56xI/A4Yh2AzEnz49ECQ95RJNfJrLQCICZzBhjkv7JMX7a2tUSL
      +6mXy0B+ejKFLXHSM37c78T1
      -----END CERTIFICATE-----
      """;

  private TestXksProxy proxy;

  @BeforeEach
  void startProxy() throws Exception {
    proxy = new TestXksProxy();
  }

  @AfterEach
  void stopProxy() {
    proxy.close();
  }

  private static String cloudHsmStore(String name, String clusterId) {
    return kms.createCustomKeyStore(r -> r.customKeyStoreName(name).cloudHsmClusterId(clusterId)
        .trustAnchorCertificate(ANCHOR).keyStorePassword("kmsuser-password")).customKeyStoreId();
  }

  private CreateCustomKeyStoreRequest.Builder xks(String name) {
    return CreateCustomKeyStoreRequest.builder().customKeyStoreName(name)
        .customKeyStoreType(CustomKeyStoreType.EXTERNAL_KEY_STORE)
        .xksProxyUriEndpoint(proxy.endpoint()).xksProxyUriPath(TestXksProxy.PATH)
        .xksProxyConnectivity(XksProxyConnectivityType.PUBLIC_ENDPOINT)
        .xksProxyAuthenticationCredential(c -> c.accessKeyId(TestXksProxy.ACCESS_KEY_ID)
            .rawSecretAccessKey(TestXksProxy.SECRET));
  }

  private String xksStore(String name) {
    return kms.createCustomKeyStore(xks(name).build()).customKeyStoreId();
  }

  private static CustomKeyStoresListEntry describe(String id) {
    List<CustomKeyStoresListEntry> stores = kms.describeCustomKeyStores(r -> r.customKeyStoreId(id)).customKeyStores();
    assertThat(stores).hasSize(1);
    return stores.get(0);
  }

  /** Waits out CONNECTING, as a caller of AWS polls DescribeCustomKeyStores. */
  private static CustomKeyStoresListEntry settled(String id) throws InterruptedException {
    Instant deadline = Instant.now().plusSeconds(10);
    CustomKeyStoresListEntry store = describe(id);
    while (store.connectionState() == ConnectionStateType.CONNECTING && Instant.now().isBefore(deadline)) {
      Thread.sleep(20);
      store = describe(id);
    }
    return store;
  }

  @Test
  void aCloudHsmKeyStoreIsDescribedButFailsToConnectForWantOfACluster() throws Exception {
    Instant before = Instant.now().minusSeconds(1);
    String id = cloudHsmStore("hsm-store", "cluster-abcdefghijk");
    assertThat(id).matches("cks-[0-9a-f]{17}");
    CustomKeyStoresListEntry store = describe(id);
    assertThat(store.customKeyStoreName()).isEqualTo("hsm-store");
    assertThat(store.customKeyStoreType()).isEqualTo(CustomKeyStoreType.AWS_CLOUDHSM);
    assertThat(store.cloudHsmClusterId()).isEqualTo("cluster-abcdefghijk");
    assertThat(store.trustAnchorCertificate()).isEqualTo(ANCHOR);
    assertThat(store.connectionState()).isEqualTo(ConnectionStateType.DISCONNECTED);
    assertThat(store.connectionErrorCode()).isNull();
    assertThat(store.xksProxyConfiguration()).isNull();
    assertThat(store.creationDate()).isBetween(before, Instant.now().plusSeconds(1));

    kms.connectCustomKeyStore(r -> r.customKeyStoreId(id));
    store = settled(id);
    assertThat(store.connectionState()).isEqualTo(ConnectionStateType.FAILED);
    assertThat(store.connectionErrorCode()).isEqualTo(ConnectionErrorCodeType.CLUSTER_NOT_FOUND);

    // A FAILED store must be disconnected before it is connected, updated or deleted again.
    expectError("CustomKeyStoreInvalidStateException", () -> kms.connectCustomKeyStore(r -> r.customKeyStoreId(id)));
    expectError("CustomKeyStoreInvalidStateException", () -> kms.updateCustomKeyStore(r -> r.customKeyStoreId(id)
        .newCustomKeyStoreName("renamed")));
    expectError("CustomKeyStoreInvalidStateException", () -> kms.deleteCustomKeyStore(r -> r.customKeyStoreId(id)));
    kms.disconnectCustomKeyStore(r -> r.customKeyStoreId(id));
    assertThat(describe(id).connectionState()).isEqualTo(ConnectionStateType.DISCONNECTED);
    assertThat(describe(id).connectionErrorCode()).isNull();
    expectError("CustomKeyStoreInvalidStateException", () -> kms.disconnectCustomKeyStore(r -> r
        .customKeyStoreId(id)));

    kms.updateCustomKeyStore(r -> r.customKeyStoreId(id).newCustomKeyStoreName("renamed")
        .keyStorePassword("another-password"));
    assertThat(describe(id).customKeyStoreName()).isEqualTo("renamed");
    kms.deleteCustomKeyStore(r -> r.customKeyStoreId(id));
    expectError("CustomKeyStoreNotFoundException", () -> kms.describeCustomKeyStores(r -> r.customKeyStoreId(id)));
    expectError("CustomKeyStoreNotFoundException", () -> kms.deleteCustomKeyStore(r -> r.customKeyStoreId(id)));
    expectError("CustomKeyStoreNotFoundException", () -> kms.connectCustomKeyStore(r -> r.customKeyStoreId(id)));
    expectError("CustomKeyStoreNotFoundException", () -> kms.disconnectCustomKeyStore(r -> r.customKeyStoreId(id)));
    expectError("CustomKeyStoreNotFoundException", () -> kms.updateCustomKeyStore(r -> r.customKeyStoreId(id)
        .newCustomKeyStoreName("x")));
  }

  @Test
  void createCustomKeyStoreRefusesWhatAwsRefuses() {
    cloudHsmStore("taken", "cluster-abcdefghijk");
    expectError("CustomKeyStoreNameInUseException", () -> cloudHsmStore("taken", "cluster-bcdefghijkl"));
    expectError("CloudHsmClusterInUseException", () -> cloudHsmStore("other", "cluster-abcdefghijk"));
    expectError("IncorrectTrustAnchorException", () -> kms.createCustomKeyStore(r -> r.customKeyStoreName("bad")
        .cloudHsmClusterId("cluster-cdefghijklm").trustAnchorCertificate("not a certificate")
        .keyStorePassword("kmsuser-password")));
    expectError("ValidationException", () -> kms.createCustomKeyStore(r -> r.customKeyStoreName("no-password")
        .cloudHsmClusterId("cluster-cdefghijklm").trustAnchorCertificate(ANCHOR)));
    expectError("ValidationException", () -> kms.createCustomKeyStore(r -> r.customKeyStoreName("mixed")
        .cloudHsmClusterId("cluster-cdefghijklm").trustAnchorCertificate(ANCHOR).keyStorePassword("kmsuser-password")
        .xksProxyUriPath(TestXksProxy.PATH)));
    // The name taken in us-east-1 is free in another Region: stores are per account and Region.
    try (KmsClient ireland = shunt.kms("AKIDTEST", Region.EU_WEST_1)) {
      ireland.createCustomKeyStore(r -> r.customKeyStoreName("taken").cloudHsmClusterId("cluster-abcdefghijk")
          .trustAnchorCertificate(ANCHOR).keyStorePassword("kmsuser-password"));
      assertThat(ireland.describeCustomKeyStores(r -> { }).customKeyStores()).hasSize(1);
    }
    assertThat(kms.describeCustomKeyStores(r -> { }).customKeyStores()).hasSize(1);
  }

  @Test
  void anAccountHoldsTenCustomKeyStoresPerRegion() {
    for (int i = 0; i < CustomKeyStores.MAX_STORES_PER_REGION; i++) {
      cloudHsmStore("store-" + i, "cluster-abcdefghij" + (char) ('a' + i));
    }
    expectError("LimitExceededException", () -> cloudHsmStore("one-too-many", "cluster-zzzzzzzzzzz"));
  }

  @Test
  void describeCustomKeyStoresPagesAndFindsByName() {
    List<String> ids = new ArrayList<>();
    for (int i = 0; i < 5; i++) {
      ids.add(cloudHsmStore("page-" + i, "cluster-abcdefghij" + (char) ('a' + i)));
    }
    List<String> seen = new ArrayList<>();
    String marker = null;
    do {
      String from = marker;
      DescribeCustomKeyStoresResponse page = kms.describeCustomKeyStores(r -> r.limit(2).marker(from));
      assertThat(page.customKeyStores()).hasSizeLessThanOrEqualTo(2);
      page.customKeyStores().forEach(s -> seen.add(s.customKeyStoreId()));
      marker = page.nextMarker();
      assertThat(page.truncated()).isEqualTo(marker != null);
    } while (marker != null);
    assertThat(seen).containsExactlyInAnyOrderElementsOf(ids).doesNotHaveDuplicates();

    assertThat(kms.describeCustomKeyStores(r -> r.customKeyStoreName("page-3")).customKeyStores())
        .extracting(CustomKeyStoresListEntry::customKeyStoreId).containsExactly(ids.get(3));
    expectError("CustomKeyStoreNotFoundException", () -> kms.describeCustomKeyStores(r -> r
        .customKeyStoreName("nothing")));
    expectError("ValidationException", () -> kms.describeCustomKeyStores(r -> r.customKeyStoreName("page-3")
        .customKeyStoreId(ids.get(3))));
    expectError("InvalidMarkerException", () -> kms.describeCustomKeyStores(r -> r.marker("garbage")));
  }

  @Test
  void anExternalKeyStoreConnectsWhenItsProxyAnswers() throws Exception {
    String id = xksStore("xks-store");
    // KMS checks a public proxy when the store is created: signed, and naming the operation.
    assertThat(proxy.healthRequests).isEqualTo(1);
    assertThat(proxy.lastBody.at("/requestMetadata/kmsOperation").asText()).isEqualTo("CreateCustomKeyStore");
    CustomKeyStoresListEntry store = describe(id);
    assertThat(store.customKeyStoreType()).isEqualTo(CustomKeyStoreType.EXTERNAL_KEY_STORE);
    assertThat(store.connectionState()).isEqualTo(ConnectionStateType.DISCONNECTED);
    assertThat(store.cloudHsmClusterId()).isNull();
    assertThat(store.xksProxyConfiguration().connectivity()).isEqualTo(XksProxyConnectivityType.PUBLIC_ENDPOINT);
    assertThat(store.xksProxyConfiguration().uriEndpoint()).isEqualTo(proxy.endpoint());
    assertThat(store.xksProxyConfiguration().uriPath()).isEqualTo(TestXksProxy.PATH);
    assertThat(store.xksProxyConfiguration().accessKeyId()).isEqualTo(TestXksProxy.ACCESS_KEY_ID);

    kms.connectCustomKeyStore(r -> r.customKeyStoreId(id));
    store = settled(id);
    assertThat(store.connectionState()).isEqualTo(ConnectionStateType.CONNECTED);
    assertThat(store.connectionErrorCode()).isNull();
    assertThat(proxy.lastBody.at("/requestMetadata/kmsOperation").asText()).isEqualTo("ConnectCustomKeyStore");
    // Connecting a connected store changes nothing; changing or deleting it needs it disconnected.
    kms.connectCustomKeyStore(r -> r.customKeyStoreId(id));
    assertThat(describe(id).connectionState()).isEqualTo(ConnectionStateType.CONNECTED);
    expectError("CustomKeyStoreInvalidStateException", () -> kms.deleteCustomKeyStore(r -> r.customKeyStoreId(id)));
    expectError("CustomKeyStoreInvalidStateException", () -> kms.updateCustomKeyStore(r -> r.customKeyStoreId(id)
        .newCustomKeyStoreName("renamed")));

    kms.disconnectCustomKeyStore(r -> r.customKeyStoreId(id));
    assertThat(describe(id).connectionState()).isEqualTo(ConnectionStateType.DISCONNECTED);
    kms.deleteCustomKeyStore(r -> r.customKeyStoreId(id));
  }

  @Test
  void theProxyIsSignedForTheStoresRegion() throws Exception {
    proxy.expectedRegion = "eu-west-1";
    expectError("XksProxyIncorrectAuthenticationCredentialException", () -> xksStore("wrong-region"));
    try (KmsClient ireland = shunt.kms("AKIDTEST", Region.EU_WEST_1)) {
      String id = ireland.createCustomKeyStore(xks("right-region").build()).customKeyStoreId();
      assertThat(ireland.describeCustomKeyStores(r -> r.customKeyStoreId(id)).customKeyStores()).hasSize(1);
    }
  }

  @Test
  void createRefusesAProxyThatDoesNotAnswerWell() {
    expectError("XksProxyIncorrectAuthenticationCredentialException", () -> kms.createCustomKeyStore(
        xks("bad-credential").xksProxyAuthenticationCredential(c -> c.accessKeyId("ZYXWVUTSRQPONMLKJIHG")
            .rawSecretAccessKey(TestXksProxy.SECRET)).build()));
    proxy.behaviour = TestXksProxy.Behaviour.INVALID_BODY;
    expectError("XksProxyInvalidResponseException", () -> xksStore("garbage"));
    proxy.behaviour = TestXksProxy.Behaviour.ALL_UNAVAILABLE;
    expectError("XksProxyUriUnreachableException", () -> xksStore("unavailable"));
    String closed = proxy.endpoint();
    proxy.close();
    expectError("XksProxyUriUnreachableException", () -> kms.createCustomKeyStore(xks("closed")
        .xksProxyUriEndpoint(closed).build()));
    assertThat(kms.describeCustomKeyStores(r -> { }).customKeyStores()).isEmpty();
  }

  @Test
  void onlyLoopbackProxiesAreCalledUnlessTheOperatorAllowsMore() {
    // 192.0.2.1 (TEST-NET-1) is not this machine: the backend must not call it, however it resolves.
    int before = proxy.healthRequests;
    expectError("XksProxyUriUnreachableException", () -> kms.createCustomKeyStore(xks("elsewhere")
        .xksProxyUriEndpoint("https://192.0.2.1").build()));
    assertThat(proxy.healthRequests).isEqualTo(before);
    // AWS's endpoint form is https and a host name only; Shunt adds ports and http for loopback proxies alone.
    expectError("ValidationException", () -> kms.createCustomKeyStore(xks("port-elsewhere")
        .xksProxyUriEndpoint("https://xks.example.com:8443").build()));
    expectError("ValidationException", () -> kms.createCustomKeyStore(xks("http-elsewhere")
        .xksProxyUriEndpoint("http://xks.example.com").build()));
  }

  @Test
  void connectionFailuresAreReportedAsConnectionErrorCodes() throws Exception {
    String id = xksStore("failing");
    assertThat(connectAndSettle(id, TestXksProxy.Behaviour.INVALID_BODY))
        .isEqualTo(ConnectionErrorCodeType.XKS_PROXY_INVALID_RESPONSE);
    assertThat(connectAndSettle(id, TestXksProxy.Behaviour.ALL_UNAVAILABLE))
        .isEqualTo(ConnectionErrorCodeType.XKS_PROXY_NOT_REACHABLE);
    assertThat(connectAndSettle(id, TestXksProxy.Behaviour.STALL))
        .isEqualTo(ConnectionErrorCodeType.XKS_PROXY_TIMED_OUT);

    // The proxy's credential changed on its side: the store's no longer authenticates.
    proxy.expectedRegion = "ap-south-1";
    assertThat(connectAndSettle(id, TestXksProxy.Behaviour.HEALTHY))
        .isEqualTo(ConnectionErrorCodeType.XKS_PROXY_ACCESS_DENIED);
    proxy.expectedRegion = "us-east-1";
    proxy.close();
    assertThat(connectAndSettle(id, TestXksProxy.Behaviour.HEALTHY))
        .isEqualTo(ConnectionErrorCodeType.XKS_PROXY_NOT_REACHABLE);
  }

  private ConnectionErrorCodeType connectAndSettle(String id, TestXksProxy.Behaviour behaviour) throws Exception {
    proxy.behaviour = behaviour;
    if (describe(id).connectionState() != ConnectionStateType.DISCONNECTED) {
      kms.disconnectCustomKeyStore(r -> r.customKeyStoreId(id));
    }
    kms.connectCustomKeyStore(r -> r.customKeyStoreId(id));
    CustomKeyStoresListEntry store = settled(id);
    assertThat(store.connectionState()).isEqualTo(ConnectionStateType.FAILED);
    return store.connectionErrorCode();
  }

  @Test
  void aDisconnectOvertakesAConnectionInFlight() throws Exception {
    String id = xksStore("overtaken");
    proxy.behaviour = TestXksProxy.Behaviour.STALL;
    kms.connectCustomKeyStore(r -> r.customKeyStoreId(id));
    assertThat(describe(id).connectionState()).isEqualTo(ConnectionStateType.CONNECTING);
    kms.disconnectCustomKeyStore(r -> r.customKeyStoreId(id));
    // The stalled check times out after the disconnect: it must not mark the store FAILED (or CONNECTED).
    Thread.sleep(Duration.ofMillis(2500).toMillis());
    assertThat(describe(id).connectionState()).isEqualTo(ConnectionStateType.DISCONNECTED);
  }

  @Test
  void proxyAddressesBelongToOneStore() {
    xksStore("first");
    expectError("XksProxyUriInUseException", () -> xksStore("second"));
    CreateCustomKeyStoreRequest.Builder vpc = xks("vpc-1").xksProxyUriEndpoint("https://xks.internal.example")
        .xksProxyConnectivity(XksProxyConnectivityType.VPC_ENDPOINT_SERVICE)
        .xksProxyVpcEndpointServiceName("com.amazonaws.vpce.us-east-1.vpce-svc-0123456789abcdef0");
    kms.createCustomKeyStore(vpc.build());
    expectError("XksProxyUriEndpointInUseException", () -> kms.createCustomKeyStore(vpc.customKeyStoreName("vpc-2")
        .xksProxyUriPath("/other/kms/xks/v1").build()));
    expectError("XksProxyInvalidConfigurationException", () -> kms.createCustomKeyStore(xks("vpc-3")
        .xksProxyUriEndpoint("https://xks2.internal.example")
        .xksProxyConnectivity(XksProxyConnectivityType.VPC_ENDPOINT_SERVICE).build()));
    expectError("XksProxyInvalidConfigurationException", () -> kms.createCustomKeyStore(xks("public-with-vpc")
        .xksProxyUriPath("/third/kms/xks/v1")
        .xksProxyVpcEndpointServiceName("com.amazonaws.vpce.us-east-1.vpce-svc-0123456789abcdef1").build()));
  }

  @Test
  void updateRechecksTheProxyAndKeepsNamesUnique() {
    String id = xksStore("updated");
    kms.createCustomKeyStore(xks("other-name").xksProxyUriPath("/other/kms/xks/v1").build());
    expectError("CustomKeyStoreNameInUseException", () -> kms.updateCustomKeyStore(r -> r.customKeyStoreId(id)
        .newCustomKeyStoreName("other-name")));
    expectError("XksProxyIncorrectAuthenticationCredentialException", () -> kms.updateCustomKeyStore(r -> r
        .customKeyStoreId(id).xksProxyAuthenticationCredential(c -> c.accessKeyId("ZYXWVUTSRQPONMLKJIHG")
            .rawSecretAccessKey(TestXksProxy.SECRET))));
    expectError("ValidationException", () -> kms.updateCustomKeyStore(r -> r.customKeyStoreId(id)
        .keyStorePassword("kmsuser-password")));
    kms.updateCustomKeyStore(r -> r.customKeyStoreId(id).newCustomKeyStoreName("renamed")
        .xksProxyUriPath("/renamed/kms/xks/v1"));
    CustomKeyStoresListEntry store = describe(id);
    assertThat(store.customKeyStoreName()).isEqualTo("renamed");
    assertThat(store.xksProxyConfiguration().uriPath()).isEqualTo("/renamed/kms/xks/v1");
    assertThat(store.xksProxyConfiguration().accessKeyId()).isEqualTo(TestXksProxy.ACCESS_KEY_ID);
  }

  @Test
  void createKeyInACustomKeyStoreNeedsItConnected() throws Exception {
    expectError("CustomKeyStoreNotFoundException", () -> kms.createKey(r -> r.customKeyStoreId("cks-00000000000000000")
        .origin(OriginType.AWS_CLOUDHSM)));
    String hsm = cloudHsmStore("hsm", "cluster-abcdefghijk");
    expectError("CustomKeyStoreInvalidStateException", () -> kms.createKey(r -> r.customKeyStoreId(hsm)
        .origin(OriginType.AWS_CLOUDHSM)));
    String xks = xksStore("xks");
    expectError("CustomKeyStoreInvalidStateException", () -> kms.createKey(r -> r.customKeyStoreId(xks)
        .origin(OriginType.EXTERNAL_KEY_STORE).xksKeyId("external-key-1")));
    kms.connectCustomKeyStore(r -> r.customKeyStoreId(xks));
    assertThat(settled(xks).connectionState()).isEqualTo(ConnectionStateType.CONNECTED);
    // Keys whose material an external key manager holds are not implemented by Shunt yet.
    expectError("UnsupportedOperationException", () -> kms.createKey(r -> r.customKeyStoreId(xks)
        .origin(OriginType.EXTERNAL_KEY_STORE).xksKeyId("external-key-1")));
    assertThat(kms.listKeys(r -> { }).keys()).isEmpty();
  }

  @Test
  void generateRandomInACustomKeyStoreNeedsAConnectedCloudHsmStore() {
    expectError("CustomKeyStoreNotFoundException", () -> kms.generateRandom(r -> r.numberOfBytes(8)
        .customKeyStoreId("cks-00000000000000000")));
    String hsm = cloudHsmStore("hsm", "cluster-abcdefghijk");
    expectError("CustomKeyStoreInvalidStateException", () -> kms.generateRandom(r -> r.numberOfBytes(8)
        .customKeyStoreId(hsm)));
    String xks = xksStore("xks");
    expectError("UnsupportedOperationException", () -> kms.generateRandom(r -> r.numberOfBytes(8)
        .customKeyStoreId(xks)));
  }
}
