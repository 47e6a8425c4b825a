package dev.shunt.loadtest;

import static dev.shunt.loadtest.SvgChart.escape;
import static dev.shunt.loadtest.SvgChart.format;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * The report as one HTML file: styles inline, charts inline SVG ({@link SvgChart}), no script and
 * nothing fetched, so it can be mailed, archived as a CI artefact and opened offline. It is drawn
 * from the report's JSON alone (the numbers written beside it), so the two never disagree.
 */
final class HtmlReport {
  private static final String OFFERED = "#7f7f7f";
  private static final String ATTEMPTS = "#9467bd";
  private static final String ACCEPTED = "#2ca02c";
  private static final String SERVER = "#1f77b4";
  private static final String THROTTLED = "#d62728";
  private static final String RETRIES = "#ff7f0e";
  private static final String ERRORS = "#8c564b";
  private static final String P50 = "#2ca02c";
  private static final String P90 = "#ff7f0e";
  private static final String P99 = "#d62728";

  private static final String STYLE = """
      body{font:14px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;margin:24px auto;max-width:1100px;
        color:#222;padding:0 16px}
      h1{font-size:22px;margin:0 0 4px}h3{font-size:15px;margin:16px 0 4px}h2{font-size:18px;margin:32px 0 8px;border-bottom:1px solid #ddd;padding-bottom:4px}
      .meta{color:#555;margin:0 0 16px}.meta b{color:#222;font-weight:600}
      table{border-collapse:collapse;margin:8px 0 16px;font-variant-numeric:tabular-nums;font-size:13px}
      th,td{border:1px solid #ddd;padding:4px 8px;text-align:right}th{background:#f5f5f5}
      td:first-child,th:first-child{text-align:left}
      .wide{overflow-x:auto}.note{background:#fff8e1;border-left:4px solid #f0b400;padding:6px 10px;margin:8px 0}
      figure.chart{margin:12px 0 20px}figcaption{font-weight:600;margin-bottom:4px}
      svg{width:100%;height:auto;display:block}
      svg .grid{stroke:#eee}svg .axis{stroke:#999}svg .tick,svg .unit{font-size:11px;fill:#666}
      svg .series{fill:none;stroke-width:2}svg .limit{stroke:#000;stroke-width:1.5;stroke-dasharray:2 3}
      svg .mark{stroke:#888;stroke-dasharray:4 4}svg .hover{fill:transparent}svg .hover:hover{fill:rgba(0,0,0,.06)}
      .legend{font-size:12px;color:#444}.legend span{margin-right:16px;white-space:nowrap}
      .legend i{display:inline-block;width:18px;border-top:2px solid;vertical-align:middle;margin-right:4px}
      .legend i.limit{border-top:2px dotted #000}
      footer{color:#777;font-size:12px;margin-top:32px}
      """;

  private HtmlReport() {}

  static String render(JsonNode report) {
    JsonNode run = report.path("run");
    JsonNode client = report.path("client");
    JsonNode server = report.path("server");
    StringBuilder html = new StringBuilder(64 * 1024);
    html.append("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">")
        .append("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">")
        .append("<title>Shunt load test: ").append(escape(String.join(", ", names(run.path("operations")))))
        .append("</title><style>").append(STYLE).append("</style></head><body>\n");
    html.append("<h1>Shunt load test</h1><p class=\"meta\">");
    html.append("<b>").append(escape(String.join(", ", describedOperations(run.path("operations"))))).append("</b>")
        .append(" against <b>").append(escape(run.path("target").asText())).append("</b><br>");
    html.append("started ").append(escape(Instant.ofEpochSecond(run.path("start").asLong()).toString()))
        .append(", ").append(escape(stages(run.path("stages")))).append("<br>");
    if (run.path("retryMode").isTextual()) {
      html.append("AWS SDK for Java v2, ").append(escape(run.path("retryMode").asText())).append(" retry mode, at most ")
          .append(run.path("maxAttempts").asInt()).append(" attempts per call; ");
    }
    html.append("client latency counts from each call's ")
        .append(run.path("openLoop").asBoolean() ? "scheduled start (open loop)" : "start (closed loop)")
        .append("</p>\n");

    List<String> notes = new ArrayList<>();
    if (server.path("note").isTextual()) {
      notes.add("Server: " + server.path("note").asText());
    }
    if (run.path("unfinished").asInt() > 0) {
      notes.add(run.path("unfinished").asInt() + " calls had not ended when the report was written");
    }
    Iterator<String> clientOps = client.path("totals").fieldNames();
    while (clientOps.hasNext()) {
      String op = clientOps.next();
      long skipped = client.path("totals").path(op).path("skipped").asLong();
      if (skipped > 0) {
        notes.add(op + ": " + skipped + " calls were skipped: the client had " + run.path("maxInFlight").asInt()
            + " calls in flight and a full queue (raise --max-in-flight, or the target is slower than the rate)");
      }
    }
    for (String note : notes) {
      html.append("<p class=\"note\">").append(escape(note)).append("</p>\n");
    }

    html.append("<h2>Summary</h2>").append(summary(report));

    Set<String> sections = new LinkedHashSet<>(names(run.path("operations")));
    server.path("totals").fieldNames().forEachRemaining(sections::add);
    for (String op : sections) {
      html.append("<h2>").append(escape(op)).append("</h2>\n");
      html.append(charts(op, report));
    }
    html.append("<footer>The numbers behind this page are in ").append(escape(run.path("json").asText()))
        .append(" beside it. The server's are Shunt's own, from GET /_shunt/stats (")
        .append(escape(server.path("source").asText("none")))
        .append("): the numbers its dashboard shows. Client numbers are counted in the second an attempt was sent, ")
        .append("a call offered or ended; latencies in milliseconds. From second to second the client's and the ")
        .append("server's counts can differ by the requests that crossed a second's end between being sent and being ")
        .append("counted; over the run they are the same requests. Shunt ").append(escape(report.path("version").asText()))
        .append(".</footer>\n</body></html>\n");
    return html.toString();
  }

  private static String summary(JsonNode report) {
    JsonNode clientTotals = report.path("client").path("totals");
    JsonNode serverTotals = report.path("server").path("totals");
    JsonNode quotas = report.path("server").path("quotas");
    Set<String> ops = new LinkedHashSet<>();
    clientTotals.fieldNames().forEachRemaining(ops::add);
    StringBuilder table = new StringBuilder("<h3>What the client saw</h3><div class=\"wide\"><table><thead><tr><th>operation</th>")
        .append("<th>offered</th><th>attempts</th><th>accepted</th>")
        .append("<th>throttled</th><th>retries</th><th>retries refused</th><th>errors</th><th>p50 ms</th>")
        .append("<th>p90 ms</th><th>p99 ms</th><th>max ms</th><th>backoff p50 ms</th><th>backoff max ms</th>")
        .append("</tr></thead><tbody>");
    for (String op : ops) {
      JsonNode c = clientTotals.path(op);
      table.append("<tr><td>").append(escape(op)).append("</td>");
      withRate(table, c.path("offered"), c.path("offeredPerSecond"));
      cell(table, c.path("attempts"));
      withRate(table, c.path("accepted"), c.path("acceptedPerSecond"));
      for (String field : List.of("throttled", "retries", "retriesRefused", "errors")) {
        cell(table, c.path(field));
      }
      for (String field : List.of("p50", "p90", "p99", "max")) {
        millis(table, c.path("latency").path(field));
      }
      millis(table, c.path("backoff").path("p50"));
      millis(table, c.path("backoff").path("max"));
      table.append("</tr>");
    }
    table.append("</tbody></table></div>");
    StringBuilder codes = new StringBuilder();
    for (String op : ops) {
      JsonNode errorCodes = clientTotals.path(op).path("errorCodes");
      if (errorCodes.size() > 0) {
        List<String> parts = new ArrayList<>();
        errorCodes.fields().forEachRemaining(e -> parts.add(e.getKey() + " × " + e.getValue().asLong()));
        codes.append("<li>").append(escape(op)).append(": ").append(escape(String.join(", ", parts))).append("</li>");
      }
    }
    if (codes.length() > 0) {
      table.append("<p>Calls that failed after their last attempt, by error:</p><ul>").append(codes).append("</ul>");
    }
    table.append("<p class=\"meta\">offered: calls started (open loop: scheduled); attempts: HTTP requests sent, ")
        .append("retries included; accepted: attempts answered 2xx; throttled: attempts answered with the throttling ")
        .append("error; retries refused: failed calls the SDK did not retry though attempts were left (its retry ")
        .append("quota was used up); errors: calls that failed in the end.</p>");
    Set<String> serverOps = new LinkedHashSet<>();
    serverTotals.fieldNames().forEachRemaining(serverOps::add);
    quotas.fieldNames().forEachRemaining(serverOps::add);
    if (!serverOps.isEmpty()) {
      table.append("<h3>What Shunt counted</h3><table><thead><tr><th>operation</th><th>quota/s</th>")
          .append("<th>requests</th><th>accepted</th><th>throttled</th><th>faults</th><th>errors</th>")
          .append("<th>cache hits</th></tr></thead><tbody>");
      for (String op : serverOps) {
        JsonNode s = serverTotals.path(op);
        table.append("<tr><td>").append(escape(op)).append("</td>");
        cell(table, quotas.path(op));
        for (String field : List.of("requests", "accepted", "throttled", "faults", "errors", "cacheHits")) {
          cell(table, s.path(field));
        }
        table.append("</tr>");
      }
      table.append("</tbody></table><p class=\"meta\">A quota shared by several operations (kms:symmetric: Decrypt, ")
          .append("Encrypt, GenerateDataKey...) is the group's rate, which they use up together.</p>");
    }
    return table.toString();
  }

  /** A count and its rate over the stages: {@code 600 (60/s)}. */
  private static void withRate(StringBuilder table, JsonNode count, JsonNode rate) {
    table.append("<td>").append(count.isNumber() ? escape(format(count.asDouble())) : "–");
    if (rate.isNumber()) {
      table.append(" <small>(").append(escape(format(rate.asDouble()))).append("/s)</small>");
    }
    table.append("</td>");
  }

  private static void cell(StringBuilder table, JsonNode value) {
    table.append("<td>").append(value.isNumber() ? escape(format(value.asDouble())) : "–").append("</td>");
  }

  private static void millis(StringBuilder table, JsonNode micros) {
    table.append("<td>").append(micros.isNumber() ? escape(format(micros.asDouble() / 1000)) : "–").append("</td>");
  }

  private static String charts(String op, JsonNode report) {
    JsonNode clientSeconds = report.path("client").path("seconds");
    JsonNode serverSeconds = report.path("server").path("seconds");
    JsonNode quota = report.path("server").path("quotas").path(op);
    int n = Math.max(clientSeconds.size(), serverSeconds.size());
    List<SvgChart.Mark> marks = stageMarks(report.path("run").path("stages"));
    StringBuilder out = new StringBuilder();
    SvgChart rate = new SvgChart("Offered vs accepted rate, against the quota", "per second", false)
        .add("offered (client)", OFFERED, series(clientSeconds, op, "offered", n, 1), false)
        .add("attempts, retries included (client)", ATTEMPTS, series(clientSeconds, op, "attempts", n, 1), false)
        .add("accepted (client)", ACCEPTED, series(clientSeconds, op, "accepted", n, 1), false)
        .add("accepted (server)", SERVER, series(serverSeconds, op, "accepted", n, 1), true);
    if (quota.isNumber()) {
      rate.limit("quota", quota.asDouble());
    }
    SvgChart throttles = new SvgChart("Throttles, retries and errors", "per second", false)
        .add("throttled attempts (client)", THROTTLED, series(clientSeconds, op, "throttled", n, 1), false)
        .add("throttled (server)", SERVER, series(serverSeconds, op, "throttled", n, 1), true)
        .add("retries (client)", RETRIES, series(clientSeconds, op, "retries", n, 1), false)
        .add("retries refused (client)", ATTEMPTS, series(clientSeconds, op, "retriesRefused", n, 1), false)
        .add("calls failed in the end (client)", ERRORS, series(clientSeconds, op, "errors", n, 1), false);
    SvgChart backoff = new SvgChart("Backoff before a retry, as the client waited it", "milliseconds", false)
        .add("mean", RETRIES, series(clientSeconds, op, "backoffMean", n, 1000), false)
        .add("max", THROTTLED, series(clientSeconds, op, "backoffMax", n, 1000), false);
    SvgChart latency = new SvgChart("Latency percentiles (log scale)", "milliseconds", true)
        .add("p50 (client)", P50, series(clientSeconds, op, "p50", n, 1000), false)
        .add("p90 (client)", P90, series(clientSeconds, op, "p90", n, 1000), false)
        .add("p99 (client)", P99, series(clientSeconds, op, "p99", n, 1000), false)
        .add("p50 (server)", P50, series(serverSeconds, op, "p50", n, 1000), true)
        .add("p90 (server)", P90, series(serverSeconds, op, "p90", n, 1000), true)
        .add("p99 (server)", P99, series(serverSeconds, op, "p99", n, 1000), true);
    for (SvgChart chart : List.of(rate, throttles, backoff, latency)) {
      chart.marks(marks);
      if (chart.hasData()) {
        out.append(chart.render()).append('\n');
      }
    }
    return out.toString();
  }

  /**
   * One number of an operation for every second (NaN where that second has no value), divided by
   * {@code divisor}. A counter missing from a second that has the operation is 0; an operation
   * missing from a second is 0 for counters too, as the server leaves out seconds without requests.
   */
  static double[] series(JsonNode seconds, String op, String field, int length, double divisor) {
    double[] values = new double[length];
    boolean counter = !field.startsWith("p") && !field.equals("max") && !field.startsWith("backoff");
    boolean any = false;
    for (int i = 0; i < length; i++) {
      JsonNode value = i < seconds.size() ? seconds.get(i).path("operations").path(op).path(field) : null;
      if (value != null && value.isNumber()) {
        values[i] = value.asDouble() / divisor;
        any = true;
      } else {
        values[i] = counter && i < seconds.size() ? 0 : Double.NaN;
      }
    }
    if (!any) {
      java.util.Arrays.fill(values, Double.NaN);
    }
    return values;
  }

  /** Where each stage after the first starts, in seconds since the start. */
  static List<SvgChart.Mark> stageMarks(JsonNode stages) {
    List<SvgChart.Mark> marks = new ArrayList<>();
    double at = 0;
    int number = 0;
    for (JsonNode stage : stages) {
      number++;
      if (number > 1) {
        String load = stage.path("rate").isNumber() ? format(stage.path("rate").asDouble()) + " calls/s"
            : stage.path("concurrency").asInt() + " concurrent";
        marks.add(new SvgChart.Mark((int) Math.round(at), "stage " + number + ": " + load));
      }
      at += stage.path("durationSeconds").asDouble();
    }
    return marks;
  }

  private static List<String> names(JsonNode operations) {
    List<String> names = new ArrayList<>();
    operations.forEach(o -> names.add(o.path("name").asText()));
    return names;
  }

  private static List<String> describedOperations(JsonNode operations) {
    List<String> names = new ArrayList<>();
    boolean weighted = false;
    for (JsonNode o : operations) {
      weighted |= o.path("weight").asInt(1) != 1;
    }
    for (JsonNode o : operations) {
      names.add(o.path("name").asText() + (weighted ? " ×" + o.path("weight").asInt(1) : ""));
    }
    return names;
  }

  private static String stages(JsonNode stages) {
    List<String> parts = new ArrayList<>();
    for (JsonNode stage : stages) {
      String load = stage.path("rate").isNumber() ? format(stage.path("rate").asDouble()) + " calls/s"
          : stage.path("concurrency").asInt() + " concurrent";
      parts.add(load + " for " + format(stage.path("durationSeconds").asDouble()) + " s");
    }
    return String.join(", then ", parts).toLowerCase(Locale.ROOT);
  }
}
