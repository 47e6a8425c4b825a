package dev.shunt.loadtest;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** The HTML drawn from a report's JSON: self-contained, escaped, a chart per kind of number, nothing empty drawn. */
class HtmlReportTest {
  private static final ObjectMapper JSON = new ObjectMapper();

  /** No script, style sheet, image or font from elsewhere; not even an XML namespace URL. */
  static void assertSelfContained(String html) {
    assertThat(html).doesNotContainPattern(Pattern.compile("(?i)<script[^>]*\\ssrc="));
    assertThat(html).doesNotContainPattern(Pattern.compile("(?i)<link\\b"));
    assertThat(html).doesNotContainPattern(Pattern.compile("(?i)<img\\b"));
    assertThat(html).doesNotContainPattern(Pattern.compile("(?i)@import|url\\("));
    assertThat(html).doesNotContainPattern(Pattern.compile("(?i)(src|href)\\s*=\\s*\"?(https?:)?//"));
  }

  private static JsonNode report() throws Exception {
    return JSON.readTree("""
        {"version": "test",
         "run": {"target": "http://127.0.0.1:4566", "start": 1700000000, "end": 1700000002,
                 "operations": [{"name": "kms:Decrypt", "weight": 1}], "stages": [{"rate": 20, "durationSeconds": 3}],
                 "openLoop": true, "retryMode": "standard", "maxAttempts": 3, "maxInFlight": 256, "unfinished": 0,
                 "json": "r.json"},
         "client": {
           "totals": {"kms:Decrypt": {"offered": 60, "offeredPerSecond": 20, "attempts": 70, "accepted": 50,
                      "throttled": 20, "retries": 10, "retriesRefused": 0, "errors": 10,
                      "errorCodes": {"ThrottlingException": 10},
                      "latency": {"count": 60, "p50": 1500, "p90": 9000, "p99": 900000, "max": 1000000},
                      "backoff": {"count": 10, "p50": 400000, "max": 900000}}},
           "seconds": [
             {"t": 1700000000, "operations": {"kms:Decrypt": {"offered": 20, "attempts": 20, "accepted": 10,
               "throttled": 10, "retries": 0, "errors": 0, "p50": 1000, "p90": 2000, "p99": 3000, "max": 4000,
               "backoffMean": null, "backoffMax": null}}},
             {"t": 1700000001, "operations": {"kms:Decrypt": {"offered": 20, "attempts": 30, "accepted": 20,
               "throttled": 10, "retries": 10, "errors": 5, "p50": 1200, "p90": 500000, "p99": 900000,
               "max": 1000000, "backoffMean": 400000, "backoffMax": 900000}}},
             {"t": 1700000002, "operations": {"kms:Decrypt": {"offered": 20, "attempts": 20, "accepted": 20,
               "throttled": 0, "retries": 0, "errors": 5, "p50": 1100, "p90": 1300, "p99": 1400, "max": 1500,
               "backoffMean": null, "backoffMax": null}}}]},
         "server": {"source": "/_shunt/stats", "quotas": {"kms:Decrypt": 15},
           "totals": {"kms:Decrypt": {"requests": 70, "accepted": 50, "throttled": 20, "faults": 0, "errors": 0,
                      "cacheHits": 0}},
           "seconds": [
             {"t": 1700000000, "operations": {"kms:Decrypt": {"requests": 20, "accepted": 10, "throttled": 10,
               "p50": 300, "p90": 400, "p99": 500, "max": 600}}},
             {"t": 1700000001, "operations": {}},
             {"t": 1700000002, "operations": {"kms:Decrypt": {"requests": 20, "accepted": 20, "throttled": 0,
               "p50": 310, "p90": 410, "p99": 510, "max": 610}}}]}}
        """);
  }

  @Test
  void aReportIsOneFileWithItsCharts() throws Exception {
    String html = HtmlReport.render(report());
    assertSelfContained(html);
    assertThat(html).startsWith("<!DOCTYPE html>").endsWith("</html>\n");
    assertThat(html).contains("Offered vs accepted rate, against the quota", "Throttles, retries and errors",
        "Backoff before a retry", "Latency percentiles");
    assertThat(html).contains("quota 15").contains("ThrottlingException × 10");
    // Four charts for the one operation, each an inline SVG with no namespace URL.
    assertThat(html.split("<svg ", -1)).hasSize(5);
    // The hover text of a second gives each series' value: the server's second without requests is 0 accepted.
    assertThat(html).contains("<title>1 s\noffered (client): 20\nattempts, retries included (client): 30\n"
        + "accepted (client): 20\naccepted (server): 0\nquota: 15</title>");
  }

  @Test
  void seriesLineUpWithTheSecondsAndGapsAreGaps() throws Exception {
    JsonNode report = report();
    double[] accepted = HtmlReport.series(report.path("server").path("seconds"), "kms:Decrypt", "accepted", 3, 1);
    assertThat(accepted).containsExactly(10, 0, 20);
    double[] p50 = HtmlReport.series(report.path("server").path("seconds"), "kms:Decrypt", "p50", 3, 1000);
    assertThat(p50[0]).isEqualTo(0.3);
    assertThat(p50[1]).isNaN();
    double[] none = HtmlReport.series(report.path("server").path("seconds"), "ssm:GetParameter", "accepted", 3, 1);
    assertThat(none).containsOnly(Double.NaN);
  }

  @Test
  void textIsEscapedAndEmptyChartsAreLeftOut() throws Exception {
    com.fasterxml.jackson.databind.node.ObjectNode report = (com.fasterxml.jackson.databind.node.ObjectNode) report();
    ((com.fasterxml.jackson.databind.node.ObjectNode) report.path("run")).put("target", "http://x/<script>alert(1)</script>");
    String html = HtmlReport.render(report);
    assertThat(html).doesNotContain("<script>").contains("&lt;script&gt;");

    SvgChart empty = new SvgChart("nothing", "per second", false).add("a", "#000", new double[] {Double.NaN}, false);
    assertThat(empty.hasData()).isFalse();
    SvgChart flat = new SvgChart("far quota", "per second", false).add("a", "#000", new double[] {1, 2, 3}, false)
        .limit("quota", 100_000);
    assertThat(flat.render()).contains("(far above: off the scale)").doesNotContain("class=\"limit\" x1");
    SvgChart near = new SvgChart("near quota", "per second", false).add("a", "#000", new double[] {1, 2, 3}, false)
        .limit("quota", 4);
    assertThat(near.render()).contains("class=\"limit\" x1").doesNotContain("off the scale");
    assertThat(SvgChart.niceStep(7)).isEqualTo(10);
    assertThat(SvgChart.niceStep(0.3)).isEqualTo(0.5);
    assertThat(SvgChart.format(1234.0)).isEqualTo("1,234");
    assertThat(SvgChart.format(0.25)).isEqualTo("0.250");
  }

  @Test
  void errorCodesOfAnAttemptAreReadAsTheSdkReadsThem() {
    assertThat(AttemptRecorder.errorCode("ThrottlingException")).isEqualTo("ThrottlingException");
    assertThat(AttemptRecorder.errorCode("ThrottlingException:http://internal.amazon.com/"))
        .isEqualTo("ThrottlingException");
    assertThat(AttemptRecorder.errorCode("com.amazonaws.kms#NotFoundException")).isEqualTo("NotFoundException");
    assertThat(AttemptRecorder.errorCode(null)).isNull();
    assertThat(AttemptRecorder.classify(200, null)).isEqualTo(LoadStats.Outcome.OK);
    assertThat(AttemptRecorder.classify(400, "ThrottlingException")).isEqualTo(LoadStats.Outcome.THROTTLED);
    assertThat(AttemptRecorder.classify(429, null)).isEqualTo(LoadStats.Outcome.THROTTLED);
    assertThat(AttemptRecorder.classify(400, "LimitExceededException")).isEqualTo(LoadStats.Outcome.ERROR);
    assertThat(AttemptRecorder.classify(503, null)).isEqualTo(LoadStats.Outcome.ERROR);
  }
}
