package dev.shunt.backend.config;

import java.math.BigDecimal;
import java.time.Duration;
import java.util.Locale;

/**
 * Reads an option's length of time: a number of seconds ({@code 300}, {@code 1.5}) or a number
 * with a unit ({@code 500ms}, {@code 30s}, {@code 5m}, {@code 1h}). Nothing negative, nothing
 * beyond a day (Shunt has no use for longer, and an overflowing value would wrap around).
 */
public final class Durations {
  private static final Duration LONGEST = Duration.ofDays(1);

  private Durations() {}

  /** The duration {@code text} gives, or IllegalArgumentException naming {@code option}. */
  public static Duration parse(String option, String text) {
    String value = text == null ? "" : text.trim().toLowerCase(Locale.ROOT);
    long unitMillis = 1000;
    String number = value;
    if (value.endsWith("ms")) {
      unitMillis = 1;
      number = value.substring(0, value.length() - 2);
    } else if (value.endsWith("s")) {
      number = value.substring(0, value.length() - 1);
    } else if (value.endsWith("m")) {
      unitMillis = 60_000;
      number = value.substring(0, value.length() - 1);
    } else if (value.endsWith("h")) {
      unitMillis = 3_600_000;
      number = value.substring(0, value.length() - 1);
    }
    BigDecimal amount;
    try {
      amount = new BigDecimal(number.trim());
    } catch (NumberFormatException e) {
      throw refused(option, text);
    }
    if (amount.signum() < 0 || amount.compareTo(BigDecimal.valueOf(LONGEST.toMillis() / unitMillis)) > 0) {
      throw refused(option, text);
    }
    return Duration.ofMillis(amount.multiply(BigDecimal.valueOf(unitMillis)).longValue());
  }

  private static IllegalArgumentException refused(String option, String text) {
    return new IllegalArgumentException(option + " takes a time such as 300, 30s, 500ms or 5m (0 to 24h), "
        + "not '" + text + "'");
  }
}
