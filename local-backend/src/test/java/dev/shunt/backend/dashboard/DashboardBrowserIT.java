package dev.shunt.backend.dashboard;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpServer;
import dev.shunt.backend.BackendFixture;
import dev.shunt.backend.ShuntBackend;
import dev.shunt.backend.auth.AuthMode;
import dev.shunt.backend.quota.RedisServer;
import java.io.File;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;
import org.openqa.selenium.By;
import org.openqa.selenium.Dimension;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.TakesScreenshot;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.chromium.ChromiumDriverLogLevel;
import org.openqa.selenium.support.ui.Select;
import org.openqa.selenium.support.ui.WebDriverWait;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.awscore.exception.AwsServiceException;
import software.amazon.awssdk.awscore.retry.AwsRetryStrategy;
import software.amazon.awssdk.core.SdkBytes;
import software.amazon.awssdk.core.client.config.ClientOverrideConfiguration;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.kms.KmsClient;
import software.amazon.awssdk.services.kms.model.DataKeySpec;
import software.amazon.awssdk.services.secretsmanager.SecretsManagerClient;
import software.amazon.awssdk.services.ssm.SsmClient;

/**
 * The dashboard in a real browser: Debian's headless Chromium, driven through Debian's chromedriver
 * by Selenium (both named by path: nothing is downloaded, Selenium Manager never runs), while the
 * real SDK puts load on a backend under {@code --auth sigv4} with a small KMS quota, injected faults,
 * injected latency and the data-key cache. The page must show the load (the numbers it exposes as
 * {@code data-*} attributes), refuse to show anything without the admin token, and its data must stay
 * unreadable to a page of another origin. Writes {@code target/dashboard.png}. Skipped without
 * Chromium, unless {@code SHUNT_REQUIRE_CHROMIUM=1}, which fails instead.
 */
class DashboardBrowserIT {
  private static final Path CHROMIUM = Path.of("/usr/bin/chromium");
  private static final Path CHROMEDRIVER = Path.of("/usr/bin/chromedriver");
  private static final String ACCESS_KEY = "AKIADASHBOARD";
  private static final String SECRET = "dashboard-secret";
  private static final Duration PATIENCE = Duration.ofSeconds(30);

  private WebDriver browser;
  private BackendFixture shunt;
  private final AtomicBoolean loading = new AtomicBoolean(true);
  private final List<Thread> load = new ArrayList<>();

  @BeforeAll
  static void findChromium() throws Exception {
    boolean present = Files.isExecutable(CHROMIUM) && Files.isExecutable(CHROMEDRIVER);
    if (!present && "1".equals(System.getenv("SHUNT_REQUIRE_CHROMIUM"))) {
      throw new AssertionError("No " + CHROMIUM + " and " + CHROMEDRIVER
          + " (Debian's chromium and chromium-driver), and SHUNT_REQUIRE_CHROMIUM=1");
    }
    Assumptions.assumeTrue(present, "No Chromium: install Debian's chromium and chromium-driver");
  }

  private WebDriver browser() {
    ChromeOptions options = new ChromeOptions();
    options.setBinary(CHROMIUM.toFile());
    options.addArguments("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
        "--window-size=1440,1000", "--no-first-run", "--disable-extensions", "--disable-background-networking",
        "--disable-component-update", "--disable-sync", "--metrics-recording-only", "--force-color-profile=srgb",
        "--hide-scrollbars", "--lang=en-US");
    // The driver named by path: Selenium looks for none (Selenium Manager does not run). Quitting stops it.
    ChromeDriverService service = new ChromeDriverService.Builder().usingDriverExecutable(CHROMEDRIVER.toFile())
        .usingAnyFreePort().withLogFile(new File("target/chromedriver.log"))
        .withLogLevel(ChromiumDriverLogLevel.WARNING).build();
    browser = new ChromeDriver(service, options);
    return browser;
  }

  @AfterEach
  void stop() throws InterruptedException {
    loading.set(false);
    for (Thread thread : load) {
      thread.join(10_000);
    }
    if (browser != null) {
      browser.quit();
    }
    if (shunt != null) {
      shunt.close();
    }
  }

  private BackendFixture startBackend() throws Exception {
    shunt = BackendFixture.start(ShuntBackend.builder().auth(AuthMode.SIGV4).credentials(ACCESS_KEY + ":" + SECRET)
        .option("quotas", "aws").option("data-key-cache", "on"));
    String token = token();
    admin("/_shunt/quotas", "{\"rates\": {\"kms:symmetric\": 40}}", token);
    admin("/_shunt/faults", "[{\"operations\": \"ssm:GetParameter\", \"error\": {\"code\": \"InternalServerError\","
        + " \"status\": 500, \"rate\": 0.2}}, {\"operations\": \"secretsmanager:GetSecretValue\", \"latency\":"
        + " {\"distribution\": \"normal\", \"meanMs\": 12, \"stddevMs\": 4}}]", token);
    return shunt;
  }

  private String token() {
    return shunt.backend().generatedAdminToken().orElseThrow();
  }

  private void admin(String path, String json, String token) throws Exception {
    HttpResponse<String> response = HttpClient.newHttpClient().send(HttpRequest.newBuilder(shunt.uri().resolve(path))
        .header("Authorization", "Bearer " + token).header("Content-Type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofString(json)).build(), HttpResponse.BodyHandlers.ofString());
    assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
  }

  private static ClientOverrideConfiguration noRetries() {
    return ClientOverrideConfiguration.builder().retryStrategy(AwsRetryStrategy.doNotRetry()).build();
  }

  private static StaticCredentialsProvider credentials() {
    return StaticCredentialsProvider.create(AwsBasicCredentials.create(ACCESS_KEY, SECRET));
  }

  /**
   * Load, until the test ends: an envelope-encryption service's calls (Encrypt and Decrypt faster than
   * the KMS quota of 40/s, so many are throttled; GenerateDataKey, mostly from the cache), a secret read
   * under injected latency, and parameters with a fifth of them failing.
   */
  private void startLoad() {
    KmsClient kms = KmsClient.builder().endpointOverride(shunt.uri()).region(Region.US_EAST_1)
        .credentialsProvider(credentials()).httpClient(UrlConnectionHttpClient.create())
        .overrideConfiguration(noRetries()).build();
    SecretsManagerClient secrets = SecretsManagerClient.builder().endpointOverride(shunt.uri())
        .region(Region.US_EAST_1).credentialsProvider(credentials()).httpClient(UrlConnectionHttpClient.create())
        .overrideConfiguration(noRetries()).build();
    SsmClient ssm = SsmClient.builder().endpointOverride(shunt.uri()).region(Region.US_EAST_1)
        .credentialsProvider(credentials()).httpClient(UrlConnectionHttpClient.create())
        .overrideConfiguration(noRetries()).build();
    String key = kms.createKey(r -> r.description("orders")).keyMetadata().arn();
    kms.createAlias(r -> r.aliasName("alias/orders").targetKeyId(key));
    secrets.createSecret(r -> r.name("orders/db").secretString("{\"password\":\"s3cr3t\"}").kmsKeyId(key));
    ssm.putParameter(r -> r.name("/orders/batch-size").value("25").type("String"));
    SdkBytes sealed = kms.encrypt(r -> r.keyId(key).plaintext(SdkBytes.fromUtf8String("order 1"))).ciphertextBlob();
    AtomicInteger n = new AtomicInteger();
    loop(() -> {
      kms.encrypt(r -> r.keyId("alias/orders").plaintext(SdkBytes.fromUtf8String("order " + n.incrementAndGet())));
      kms.decrypt(r -> r.ciphertextBlob(sealed));
    }, 12);
    loop(() -> kms.generateDataKey(r -> r.keyId(key).keySpec(DataKeySpec.AES_256)
        .encryptionContext(Map.of("tenant", "t" + n.get() % 4))), 40);
    loop(() -> secrets.getSecretValue(r -> r.secretId("orders/db")), 60);
    loop(() -> ssm.getParameter(r -> r.name("/orders/batch-size")), 50);
  }

  private void loop(Runnable call, long pauseMillis) {
    Thread thread = new Thread(() -> {
      while (loading.get()) {
        try {
          call.run();
        } catch (AwsServiceException e) {
          // throttled or faulted: the dashboard shows it
        }
        try {
          Thread.sleep(pauseMillis);
        } catch (InterruptedException e) {
          return;
        }
      }
    }, "dashboard-load");
    thread.setDaemon(true);
    thread.start();
    load.add(thread);
  }

  /**
   * An attribute of the first element a selector finds, or null: read in one script, since the page
   * redraws its tables and charts every second (an element found first and read after may be gone).
   */
  private String attribute(String selector, String name) {
    return (String) ((JavascriptExecutor) browser).executeScript(
        "const e = document.querySelector(arguments[0]); return e ? e.getAttribute(arguments[1]) : null;",
        selector, name);
  }

  /** A number the page exposes in a data-* attribute; -1 when the element or attribute is absent or "none". */
  private long number(String selector, String name) {
    String value = attribute(selector, name);
    return value == null || value.equals("none") ? -1 : (long) Double.parseDouble(value);
  }

  /** The same attributes of every element a selector finds, in order. */
  @SuppressWarnings("unchecked")
  private List<Map<String, String>> rows(String selector, String... names) {
    return (List<Map<String, String>>) ((JavascriptExecutor) browser).executeScript(
        "return Array.from(document.querySelectorAll(arguments[0])).map(e => {"
            + " const m = {text: e.textContent}; for (const n of arguments[1]) m[n] = e.getAttribute(n); return m; });",
        selector, List.of(names));
  }

  private static String row(String operation) {
    return "#operations tr[data-operation='" + operation + "']";
  }

  private static String rateChart(String operation) {
    return "svg.rate-chart[data-operation='" + operation + "']";
  }

  private void screenshot(String name) throws Exception {
    long height = (Long) ((JavascriptExecutor) browser).executeScript(
        "return document.documentElement.scrollHeight");
    browser.manage().window().setSize(new Dimension(1440, (int) Math.min(4000, height)));
    Thread.sleep(300);
    Path file = Path.of("target", name);
    Files.write(file, ((TakesScreenshot) browser).getScreenshotAs(OutputType.BYTES));
  }

  @Test
  void thePageShowsTheLoadLiveWithTheTokenFromItsFragment(TestInfo test) throws Exception {
    startBackend();
    startLoad();
    browser().get(shunt.uri().resolve("/_shunt/") + "#token=" + token());

    WebDriverWait wait = new WebDriverWait(browser, PATIENCE, Duration.ofMillis(250));
    wait.withMessage(() -> "the page never showed KMS throttles: " + browser.findElement(By.tagName("body"))
        .getText()).until(b -> number(row("kms:Encrypt"), "data-throttled") > 0
            && number(rateChart("kms:Encrypt"), "data-seconds-with-traffic") >= 5
            && number(rateChart("kms:Encrypt"), "data-throttled") > 0);
    assertThat(browser.findElement(By.tagName("body")).getDomAttribute("data-state")).isEqualTo("live");
    // The token left the address bar as soon as the page read it.
    assertThat(browser.getCurrentUrl()).doesNotContain("token").endsWith("/_shunt/");

    assertThat(number(row("kms:Encrypt"), "data-quota")).isEqualTo(40);
    assertThat(number(row("kms:Encrypt"), "data-accepted")).isPositive();
    wait.withMessage(() -> "no quota group shown").until(b -> "kms:symmetric".equals(
        attribute(row("kms:Encrypt"), "data-group")));
    assertThat(number(rateChart("kms:Encrypt"), "data-quota")).isEqualTo(40);
    assertThat(browser.findElements(By.cssSelector("svg.rate-chart[data-operation='kms:Encrypt'] path.area-throttled")))
        .hasSize(1);
    assertThat(browser.findElements(By.cssSelector("svg.rate-chart[data-operation='kms:Encrypt'] line.quota-line")))
        .hasSize(1);
    assertThat(number(row("kms:Decrypt"), "data-requests")).isPositive();

    wait.withMessage(() -> "no faults, cache hits or latency shown").until(b ->
        number(row("ssm:GetParameter"), "data-faults") > 0
            && number(row("kms:GenerateDataKey"), "data-cache-hits") > 0
            && number("svg.latency-chart[data-operation='secretsmanager:GetSecretValue']", "data-p99-peak") >= 8_000);
    assertThat(browser.findElement(By.id("card-cache")).isDisplayed()).isTrue();
    assertThat(browser.findElement(By.id("caches")).isDisplayed()).isTrue();
    // A node on its own (no quota-store) shows no cluster.
    assertThat(browser.findElement(By.id("cluster")).isDisplayed()).isFalse();

    // The keys most used, and by whom.
    List<Map<String, String>> keys = rows("#keys tbody tr", "data-key", "data-principal", "data-operation",
        "data-count");
    assertThat(keys).isNotEmpty();
    assertThat(keys.get(0).get("data-key")).startsWith("arn:aws:kms:us-east-1:000000000000:key/");
    assertThat(keys.get(0).get("data-principal")).isEqualTo("arn:aws:iam::000000000000:root");
    assertThat(Long.parseLong(keys.get(0).get("data-count"))).isPositive();
    assertThat(keys).anySatisfy(key -> assertThat(key.get("data-operation")).isEqualTo("kms:Decrypt"));

    // The audit stream's tail, newest first.
    List<Map<String, String>> audit = rows("#audit tbody tr", "data-request-id", "data-event-name");
    assertThat(audit).isNotEmpty();
    assertThat(audit.get(0).get("data-request-id")).isNotBlank();
    assertThat(audit.get(0).get("text")).containsPattern("(kms|secretsmanager|ssm):[A-Z]");

    // The cards sum the last 5 seconds of every operation.
    assertThat(Double.parseDouble(attribute("#card-rate .value", "data-value"))).isPositive();
    assertThat(Double.parseDouble(attribute("#card-throttled .value", "data-value"))).isPositive();

    // The last minute, once it holds a quarter minute of load: the picture the README shows.
    new Select(browser.findElement(By.id("window"))).selectByValue("60");
    wait.withMessage(() -> "the one-minute window never filled").until(b ->
        number(rateChart("kms:Encrypt"), "data-seconds-with-traffic") >= 15);
    screenshot("dashboard.png");

    // A reset empties the page within a poll or two.
    loading.set(false);
    for (Thread thread : load) {
      thread.join(10_000);
    }
    admin("/_shunt/reset", "{}", token());
    wait.withMessage(() -> "the page kept its data after a reset").until(b -> attribute(row("kms:Encrypt"),
        "data-operation") == null && rows("#keys tbody tr").isEmpty());
  }

  @Test
  void withAQuotaStoreThePageShowsTheNodesAndTheirTotals() throws Exception {
    try (RedisServer redis = RedisServer.start()) {
      Path quotas = Files.createTempFile("shunt-dashboard-quotas-", ".yaml");
      quotas.toFile().deleteOnExit();
      Files.writeString(quotas, "rates: {\"kms:GenerateRandom\": 5}\n");
      shunt = BackendFixture.start(ShuntBackend.builder().option("quota-store", redis.url()).option("node-id", "east-1")
          .option("quotas", quotas.toString()));
      BackendFixture other = BackendFixture.start(ShuntBackend.builder().option("quota-store", redis.url())
          .option("node-id", "east-2").option("quotas", quotas.toString()));
      try {
        for (BackendFixture node : List.of(shunt, other)) {
          KmsClient kms = KmsClient.builder().endpointOverride(node.uri()).region(Region.US_EAST_1)
              .credentialsProvider(credentials()).httpClient(UrlConnectionHttpClient.create())
              .overrideConfiguration(noRetries()).build();
          loop(() -> kms.generateRandom(r -> r.numberOfBytes(8)), 50);
        }
        browser().get(shunt.uri().resolve("/_shunt/").toString());
        WebDriverWait wait = new WebDriverWait(browser, PATIENCE, Duration.ofMillis(250));
        String cluster = "#cluster-table tr[data-operation='kms:GenerateRandom']";
        wait.withMessage(() -> "the page never showed the cluster: " + browser.findElement(By.tagName("body"))
            .getText()).until(b -> number("#cluster", "data-nodes") == 2 && number(cluster, "data-throttled") > 0);
        assertThat(browser.findElement(By.id("cluster")).isDisplayed()).isTrue();
        assertThat(attribute("#cluster", "data-shared")).isEqualTo("true");
        assertThat(rows("#cluster-nodes .node", "data-node", "class")).extracting(row -> row.get("data-node"))
            .containsExactly("east-1", "east-2");
        assertThat(attribute("#cluster-nodes .node.self", "data-node")).isEqualTo("east-1");
        assertThat(number(cluster, "data-accepted")).isPositive();
        assertThat(browser.findElement(By.id("cluster-note")).getText()).contains(redis.url());
        screenshot("dashboard-cluster.png");
      } finally {
        loading.set(false);
        for (Thread thread : load) {
          thread.join(10_000);
        }
        other.close();
      }
    }
  }

  @Test
  void withoutTheTokenThePageShowsNothingButHowToGiveIt() throws Exception {
    startBackend();
    startLoad();
    browser().get(shunt.uri().resolve("/_shunt/").toString());

    WebDriverWait wait = new WebDriverWait(browser, PATIENCE, Duration.ofMillis(250));
    wait.withMessage(() -> "the page never said it needs the token").until(b ->
        "denied".equals(b.findElement(By.tagName("body")).getDomAttribute("data-state")));
    WebElement banner = browser.findElement(By.id("denied"));
    assertThat(banner.isDisplayed()).isTrue();
    assertThat(banner.getText()).contains("needs its token").contains("#token=TOKEN")
        .contains("Shunt's admin API needs its token");
    Thread.sleep(1500);
    assertThat(browser.findElements(By.cssSelector("#operations tbody tr"))).isEmpty();
    assertThat(browser.findElements(By.cssSelector("#audit tbody tr"))).isEmpty();
    screenshot("dashboard-denied.png");

    // A wrong token is refused too; the right one, pasted, opens it.
    browser.findElement(By.id("token-input")).sendKeys("shunt-not-the-token");
    browser.findElement(By.cssSelector("#token-form button")).click();
    wait.withMessage(() -> "a wrong token was not refused").until(b ->
        b.findElement(By.id("denied-reason")).getText().contains("The token given was refused"));
    assertThat(browser.findElements(By.cssSelector("#operations tbody tr"))).isEmpty();
    browser.findElement(By.id("token-input")).sendKeys(token());
    browser.findElement(By.cssSelector("#token-form button")).click();
    wait.withMessage(() -> "the pasted token did not open the page").until(b ->
        number(row("kms:Encrypt"), "data-requests") > 0);
    assertThat(browser.findElement(By.tagName("body")).getDomAttribute("data-state")).isEqualTo("live");
    assertThat(browser.findElement(By.id("denied")).isDisplayed()).isFalse();
  }

  @Test
  void aPageOfAnotherOriginCannotReadTheDashboardsData() throws Exception {
    // No token needed here (trust, loopback): only the browser's same-origin rules and Shunt's headers stand in the way.
    shunt = BackendFixture.start();
    try (KmsClient kms = shunt.kms()) {
      kms.generateRandom(r -> r.numberOfBytes(8));
    }
    URI target = shunt.uri();
    String hostile = "<!DOCTYPE html><html><body><script>"
        + "fetch('" + target + "/_shunt/stats').then(r => r.text()).then(t => document.title = 'read:' + t.length,"
        + " e => document.title = 'blocked');"
        + "</script></body></html>";
    HttpServer other = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    other.createContext("/", exchange -> {
      byte[] body = hostile.getBytes(StandardCharsets.UTF_8);
      exchange.getResponseHeaders().set("Content-Type", "text/html; charset=utf-8");
      exchange.sendResponseHeaders(200, body.length);
      try (OutputStream out = exchange.getResponseBody()) {
        out.write(body);
      }
    });
    other.start();
    try {
      browser().get("http://localhost:" + other.getAddress().getPort() + "/");
      new WebDriverWait(browser, PATIENCE, Duration.ofMillis(100)).until(b -> !b.getTitle().isEmpty());
      assertThat(browser.getTitle()).isEqualTo("blocked");
    } finally {
      other.stop(0);
    }
  }
}
