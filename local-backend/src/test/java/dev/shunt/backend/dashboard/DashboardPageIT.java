package dev.shunt.backend.dashboard;

import static org.assertj.core.api.Assertions.assertThat;

import dev.shunt.backend.BackendFixture;
import dev.shunt.backend.ShuntBackend;
import dev.shunt.backend.auth.AuthMode;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The dashboard's page and assets over plain HTTP: where they are, what they are, and the headers
 * that keep other web origins from framing, embedding or reading them and their data. The browser
 * test ({@link DashboardBrowserIT}) drives the page itself.
 */
class DashboardPageIT {
  private final HttpClient http = HttpClient.newBuilder().followRedirects(HttpClient.Redirect.NEVER).build();
  private BackendFixture shunt;

  @AfterEach
  void stop() {
    if (shunt != null) {
      shunt.close();
    }
  }

  private HttpResponse<String> get(String path, String... headers) throws Exception {
    HttpRequest.Builder request = HttpRequest.newBuilder(shunt.uri().resolve(path)).GET();
    for (int i = 0; i < headers.length; i += 2) {
      request.header(headers[i], headers[i + 1]);
    }
    return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
  }

  private static void assertLockedDown(HttpResponse<String> response) {
    assertThat(response.headers().firstValue("Content-Security-Policy")).hasValue(
        "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; connect-src 'self';"
            + " base-uri 'none'; form-action 'none'; frame-ancestors 'none'");
    assertThat(response.headers().firstValue("X-Content-Type-Options")).hasValue("nosniff");
    assertThat(response.headers().firstValue("X-Frame-Options")).hasValue("DENY");
    assertThat(response.headers().firstValue("Cross-Origin-Resource-Policy")).hasValue("same-origin");
    assertThat(response.headers().firstValue("Referrer-Policy")).hasValue("no-referrer");
    assertThat(response.headers().firstValue("Access-Control-Allow-Origin")).isEmpty();
  }

  @Test
  void thePageAndItsAssetsAreServedFromTheJarLockedDown() throws Exception {
    shunt = BackendFixture.start();

    HttpResponse<String> page = get("/_shunt/");
    assertThat(page.statusCode()).isEqualTo(200);
    assertThat(page.headers().firstValue("Content-Type")).hasValue("text/html; charset=utf-8");
    assertThat(page.body()).contains("<title>Shunt · live</title>").contains("dashboard/dashboard.js")
        .doesNotContain("http://").doesNotContain("https://");
    assertLockedDown(page);

    HttpResponse<String> script = get("/_shunt/dashboard/dashboard.js");
    assertThat(script.statusCode()).isEqualTo(200);
    assertThat(script.headers().firstValue("Content-Type")).hasValue("text/javascript; charset=utf-8");
    assertThat(script.body()).contains("/_shunt/stats?seconds=").doesNotContain("innerHTML")
        .doesNotContain("eval(").doesNotContain("https://");
    assertLockedDown(script);
    HttpResponse<String> css = get("/_shunt/dashboard/dashboard.css");
    assertThat(css.headers().firstValue("Content-Type")).hasValue("text/css; charset=utf-8");
    assertThat(get("/_shunt/dashboard/icon.svg").headers().firstValue("Content-Type")).hasValue("image/svg+xml");
    assertThat(get("/_shunt/?from=bookmark").statusCode()).isEqualTo(200);

    HttpResponse<String> bare = get("/_shunt");
    assertThat(bare.statusCode()).isEqualTo(308);
    assertThat(bare.headers().firstValue("Location")).hasValue("/_shunt/");
    assertThat(get("/_shunt/dashboard/missing.js").statusCode()).isEqualTo(404);
    HttpResponse<String> head = http.send(HttpRequest.newBuilder(shunt.uri().resolve("/_shunt/"))
        .method("HEAD", HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofString());
    assertThat(head.statusCode()).isEqualTo(200);
    assertThat(head.body()).isEmpty();
  }

  @Test
  void anotherOriginGetsNeitherThePageNorItsData() throws Exception {
    shunt = BackendFixture.start();
    for (String path : new String[] {"/_shunt/", "/_shunt/stats", "/_shunt/audit"}) {
      HttpResponse<String> foreign = get(path, "Origin", "http://evil.example");
      assertThat(foreign.statusCode()).as(path).isEqualTo(403);
      assertThat(foreign.headers().firstValue("Access-Control-Allow-Origin")).isEmpty();
    }
    // The data answers carry the same guards as the page.
    HttpResponse<String> stats = get("/_shunt/stats");
    assertThat(stats.statusCode()).isEqualTo(200);
    assertThat(stats.headers().firstValue("Cross-Origin-Resource-Policy")).hasValue("same-origin");
    assertThat(stats.headers().firstValue("X-Content-Type-Options")).hasValue("nosniff");
    assertThat(stats.headers().firstValue("Cache-Control")).hasValue("no-store");
    // Its own origin is welcome.
    String origin = "http://" + shunt.uri().getHost() + ":" + shunt.uri().getPort();
    assertThat(get("/_shunt/stats", "Origin", origin).statusCode()).isEqualTo(200);
  }

  @Test
  void underSigV4ThePageIsServedButItsDataNeedsTheToken() throws Exception {
    shunt = BackendFixture.start(ShuntBackend.builder().auth(AuthMode.SIGV4).credentials("AKIAPAGE:secret"));
    String token = shunt.backend().generatedAdminToken().orElseThrow();

    assertThat(get("/_shunt/").statusCode()).isEqualTo(200);
    assertThat(get("/_shunt/dashboard/dashboard.js").statusCode()).isEqualTo(200);
    for (String path : new String[] {"/_shunt/stats", "/_shunt/audit", "/_shunt/quotas"}) {
      assertThat(get(path).statusCode()).as(path).isEqualTo(403);
      assertThat(get(path, "Authorization", "Bearer " + token).statusCode()).as(path).isEqualTo(200);
    }
  }
}
