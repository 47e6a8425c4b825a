package dev.shunt.loadtest;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * A line chart over the run's seconds as inline SVG: no script, no font or style from elsewhere,
 * so the report is one file that opens anywhere, offline. Series are lines (a missing value, NaN,
 * breaks the line); a limit (the quota) is a dashed horizontal line, left off the scale when it is
 * far above the data (and said so in the legend). Each second has an invisible column whose
 * {@code <title>} the browser shows on hover: every series' value in that second.
 */
final class SvgChart {
  /** One line: its name in the legend, its colour, its values (one a second, NaN for none), dashed or not. */
  record Series(String name, String color, double[] values, boolean dashed) {}

  /** A vertical line at a second, e.g. where a stage starts. */
  record Mark(int second, String label) {}

  private static final int WIDTH = 960;
  private static final int HEIGHT = 280;
  private static final int LEFT = 64;
  private static final int RIGHT = 16;
  private static final int TOP = 16;
  private static final int BOTTOM = 40;

  private final String title;
  private final String unit;
  private final boolean logScale;
  private final List<Series> series = new ArrayList<>();
  private final List<Mark> marks = new ArrayList<>();
  private String limitName;
  private double limit = Double.NaN;

  SvgChart(String title, String unit, boolean logScale) {
    this.title = title;
    this.unit = unit;
    this.logScale = logScale;
  }

  SvgChart add(String name, String color, double[] values, boolean dashed) {
    series.add(new Series(name, color, values, dashed));
    return this;
  }

  /** Vertical lines, e.g. where each stage after the first starts. */
  SvgChart marks(List<Mark> marks) {
    this.marks.addAll(marks);
    return this;
  }

  /** A horizontal line at {@code value} (NaN: none), e.g. the quota. */
  SvgChart limit(String name, double value) {
    this.limitName = name;
    this.limit = value;
    return this;
  }

  /** Whether any series has a value: a chart of nothing is left out of the report. */
  boolean hasData() {
    return series.stream().anyMatch(SvgChart::hasData);
  }

  private static boolean hasData(Series s) {
    for (double v : s.values()) {
      if (!Double.isNaN(v)) {
        return true;
      }
    }
    return false;
  }

  String render() {
    int points = series.stream().mapToInt(s -> s.values().length).max().orElse(0);
    double dataMax = 0;
    double dataMin = Double.MAX_VALUE;
    for (Series s : series) {
      for (double v : s.values()) {
        if (!Double.isNaN(v)) {
          dataMax = Math.max(dataMax, v);
          if (v > 0) {
            dataMin = Math.min(dataMin, v);
          }
        }
      }
    }
    // A quota far above the data would flatten it: then the legend gives the quota and the scale leaves it out.
    boolean limitShown = !Double.isNaN(limit) && (dataMax == 0 || limit <= dataMax * 3);
    double top = Math.max(dataMax, limitShown ? limit : 0);
    double[] ticks;
    double low;
    double high;
    if (logScale) {
      if (dataMin == Double.MAX_VALUE) {
        dataMin = 1;
      }
      low = Math.pow(10, Math.floor(Math.log10(dataMin)));
      high = Math.pow(10, Math.ceil(Math.log10(Math.max(top, low * 10))));
      List<Double> list = new ArrayList<>();
      for (double t = low; t <= high * 1.0001; t *= 10) {
        list.add(t);
      }
      ticks = list.stream().mapToDouble(Double::doubleValue).toArray();
    } else {
      low = 0;
      double step = niceStep(top <= 0 ? 1 : top / 5);
      high = Math.max(step, Math.ceil(top / step) * step);
      int count = (int) Math.round(high / step);
      ticks = new double[count + 1];
      for (int i = 0; i <= count; i++) {
        ticks[i] = i * step;
      }
    }
    int plotWidth = WIDTH - LEFT - RIGHT;
    int plotHeight = HEIGHT - TOP - BOTTOM;
    double xStep = points <= 1 ? plotWidth : (double) plotWidth / (points - 1);
    StringBuilder svg = new StringBuilder(4096);
    svg.append("<figure class=\"chart\"><figcaption>").append(escape(title)).append("</figcaption>");
    svg.append("<svg viewBox=\"0 0 ").append(WIDTH).append(' ').append(HEIGHT)
        .append("\" role=\"img\" aria-label=\"").append(escape(title)).append("\">");
    // Grid and y axis labels.
    for (double tick : ticks) {
      double y = TOP + plotHeight - scale(tick, low, high) * plotHeight;
      svg.append(String.format(Locale.ROOT, "<line class=\"grid\" x1=\"%d\" y1=\"%.1f\" x2=\"%d\" y2=\"%.1f\"/>",
          LEFT, y, WIDTH - RIGHT, y));
      svg.append(String.format(Locale.ROOT, "<text class=\"tick\" x=\"%d\" y=\"%.1f\" text-anchor=\"end\">%s</text>",
          LEFT - 6, y + 4, escape(format(tick))));
    }
    svg.append(String.format(Locale.ROOT,
        "<text class=\"unit\" x=\"12\" y=\"%d\" transform=\"rotate(-90 12 %d)\" text-anchor=\"middle\">%s</text>",
        TOP + plotHeight / 2, TOP + plotHeight / 2, escape(unit)));
    // X axis: seconds since the start, at most 11 labels, on whole steps.
    int xStepSeconds = (int) Math.max(1, niceStep(Math.max(1, points - 1) / 10.0));
    for (int second = 0; second < points; second += xStepSeconds) {
      double x = LEFT + second * xStep;
      svg.append(String.format(Locale.ROOT, "<text class=\"tick\" x=\"%.1f\" y=\"%d\" text-anchor=\"middle\">%ds</text>",
          x, HEIGHT - BOTTOM + 16, second));
    }
    svg.append(String.format(Locale.ROOT, "<line class=\"axis\" x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\"/>",
        LEFT, TOP + plotHeight, WIDTH - RIGHT, TOP + plotHeight));
    for (Mark mark : marks) {
      if (mark.second() > 0 && mark.second() < points) {
        double x = LEFT + mark.second() * xStep;
        svg.append(String.format(Locale.ROOT,
            "<line class=\"mark\" x1=\"%.1f\" y1=\"%d\" x2=\"%.1f\" y2=\"%d\"><title>%s</title></line>",
            x, TOP, x, TOP + plotHeight, escape(mark.label())));
      }
    }
    if (limitShown) {
      double y = TOP + plotHeight - scale(limit, low, high) * plotHeight;
      svg.append(String.format(Locale.ROOT,
          "<line class=\"limit\" x1=\"%d\" y1=\"%.1f\" x2=\"%d\" y2=\"%.1f\"><title>%s</title></line>",
          LEFT, y, WIDTH - RIGHT, y, escape(limitName + ": " + format(limit))));
    }
    for (Series s : series) {
      StringBuilder path = new StringBuilder();
      boolean pen = false;
      int drawn = 0;
      for (int i = 0; i < s.values().length; i++) {
        double v = s.values()[i];
        if (Double.isNaN(v) || logScale && v <= 0) {
          pen = false;
          continue;
        }
        double x = LEFT + i * xStep;
        double y = TOP + plotHeight - scale(v, low, high) * plotHeight;
        path.append(pen ? " L" : " M").append(String.format(Locale.ROOT, "%.1f %.1f", x, y));
        pen = true;
        drawn++;
      }
      if (drawn == 0) {
        continue;
      }
      svg.append("<path class=\"series\" d=\"").append(path.toString().trim()).append("\" stroke=\"")
          .append(s.color()).append('"').append(s.dashed() ? " stroke-dasharray=\"6 4\"" : "").append("/>");
      if (drawn == 1 || points <= 60) {
        // Short runs: a dot on every value, so a single second is visible.
        for (int i = 0; i < s.values().length; i++) {
          double v = s.values()[i];
          if (!Double.isNaN(v) && !(logScale && v <= 0)) {
            svg.append(String.format(Locale.ROOT, "<circle cx=\"%.1f\" cy=\"%.1f\" r=\"2.5\" fill=\"%s\"/>",
                LEFT + i * xStep, TOP + plotHeight - scale(v, low, high) * plotHeight, s.color()));
          }
        }
      }
    }
    // Hover columns: every series' value in that second.
    double columnWidth = points <= 1 ? plotWidth : xStep;
    for (int i = 0; i < points; i++) {
      StringBuilder tip = new StringBuilder().append(i).append(" s");
      for (Series s : series) {
        if (!hasData(s)) {
          continue;
        }
        double v = i < s.values().length ? s.values()[i] : Double.NaN;
        tip.append('\n').append(s.name()).append(": ").append(Double.isNaN(v) ? "–" : format(v));
      }
      if (!Double.isNaN(limit)) {
        tip.append('\n').append(limitName).append(": ").append(format(limit));
      }
      svg.append(String.format(Locale.ROOT,
          "<rect class=\"hover\" x=\"%.1f\" y=\"%d\" width=\"%.1f\" height=\"%d\"><title>%s</title></rect>",
          LEFT + i * xStep - columnWidth / 2, TOP, columnWidth, plotHeight, escape(tip.toString())));
    }
    svg.append("</svg><div class=\"legend\">");
    for (Series s : series) {
      if (!hasData(s)) {
        continue;
      }
      svg.append("<span><i style=\"border-color:").append(s.color()).append(s.dashed() ? ";border-top-style:dashed" : "")
          .append("\"></i>").append(escape(s.name())).append("</span>");
    }
    if (!Double.isNaN(limit)) {
      svg.append("<span><i class=\"limit\"></i>").append(escape(limitName)).append(' ').append(escape(format(limit)))
          .append(limitShown ? "" : " (far above: off the scale)").append("</span>");
    }
    return svg.append("</div></figure>").toString();
  }

  private double scale(double value, double low, double high) {
    if (logScale) {
      double v = Math.max(value, low);
      return (Math.log10(v) - Math.log10(low)) / (Math.log10(high) - Math.log10(low));
    }
    return high == low ? 0 : (value - low) / (high - low);
  }

  /** 1, 2, 2.5 or 5 times a power of ten, at least {@code rough}. */
  static double niceStep(double rough) {
    double power = Math.pow(10, Math.floor(Math.log10(rough)));
    for (double m : new double[] {1, 2, 2.5, 5, 10}) {
      if (m * power >= rough) {
        return m * power;
      }
    }
    return 10 * power;
  }

  /** A number as a chart shows it: whole when it is, else three significant digits. */
  static String format(double value) {
    if (value == Math.rint(value) && Math.abs(value) < 1e12) {
      return String.format(Locale.ROOT, "%,d", (long) value);
    }
    if (Math.abs(value) >= 100) {
      return String.format(Locale.ROOT, "%,.0f", value);
    }
    if (Math.abs(value) >= 10) {
      return String.format(Locale.ROOT, "%.1f", value);
    }
    if (Math.abs(value) >= 1) {
      return String.format(Locale.ROOT, "%.2f", value);
    }
    return String.format(Locale.ROOT, "%.3f", value);
  }

  static String escape(String text) {
    StringBuilder out = new StringBuilder(text.length() + 16);
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
      switch (c) {
        case '<' -> out.append("&lt;");
        case '>' -> out.append("&gt;");
        case '&' -> out.append("&amp;");
        case '"' -> out.append("&quot;");
        case '\'' -> out.append("&#39;");
        default -> out.append(c);
      }
    }
    return out.toString();
  }
}
