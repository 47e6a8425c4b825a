package dev.shunt.backend.http;

import java.time.LocalDate;

/**
 * The {@code Date} response header (RFC 7231's IMF-fixdate, {@code Tue, 15 Nov 1994 08:12:31 GMT}),
 * formatted once a second rather than once a request. Written out by hand: the formatters that know
 * the format (Netty's, java.time's RFC 1123 one) load the JDK's locale data first, a twentieth of
 * a second of the backend's first answer, for English names that never change.
 */
final class HttpDates {
  private static final String[] DAYS = {"Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"};
  private static final String[] MONTHS = {"Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct",
      "Nov", "Dec"};

  /** The second formatted last, and its text (one object, so that a reader never pairs the wrong two). */
  private record Cached(long second, String text) {}

  private static volatile Cached cached = new Cached(-1, "");

  private HttpDates() {}

  static String now() {
    long second = System.currentTimeMillis() / 1000;
    Cached last = cached;
    if (last.second() != second) {
      last = new Cached(second, format(second));
      cached = last;
    }
    return last.text();
  }

  static String format(long epochSecond) {
    LocalDate date = LocalDate.ofEpochDay(Math.floorDiv(epochSecond, 86_400));
    int secondOfDay = (int) Math.floorMod(epochSecond, 86_400);
    StringBuilder text = new StringBuilder(29).append(DAYS[date.getDayOfWeek().ordinal()]).append(", ");
    twoDigits(text, date.getDayOfMonth()).append(' ').append(MONTHS[date.getMonthValue() - 1]).append(' ')
        .append(date.getYear()).append(' ');
    twoDigits(text, secondOfDay / 3600).append(':');
    twoDigits(text, secondOfDay / 60 % 60).append(':');
    return twoDigits(text, secondOfDay % 60).append(" GMT").toString();
  }

  private static StringBuilder twoDigits(StringBuilder text, int value) {
    return text.append((char) ('0' + value / 10)).append((char) ('0' + value % 10));
  }
}
