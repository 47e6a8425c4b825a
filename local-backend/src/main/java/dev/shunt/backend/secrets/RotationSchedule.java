package dev.shunt.backend.secrets;

import com.cronutils.model.CronType;
import com.cronutils.model.definition.CronDefinitionBuilder;
import com.cronutils.model.time.ExecutionTime;
import com.cronutils.parser.CronParser;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.util.Optional;

/**
 * When a secret rotates next: {@code AutomaticallyAfterDays}, {@code rate(N days|hours)}, or
 * {@code cron(minutes hours day-of-month month day-of-week year)} (AWS's six-field cron, read by
 * cron-utils as Quartz with the seconds fixed at 0), all in UTC.
 */
final class RotationSchedule {
  private static final CronParser CRON = new CronParser(CronDefinitionBuilder.instanceDefinitionFor(CronType.QUARTZ));

  private RotationSchedule() {}

  static void check(Secret.RotationRules rules) {
    if (rules.automaticallyAfterDays() != null && rules.scheduleExpression() != null) {
      throw SecretsErrors.invalidParameter(
          "You can't specify both AutomaticallyAfterDays and ScheduleExpression in RotationRules.");
    }
    if (rules.automaticallyAfterDays() != null
        && (rules.automaticallyAfterDays() < 1 || rules.automaticallyAfterDays() > 1000)) {
      throw SecretsErrors.invalidParameter("RotationRules.AutomaticallyAfterDays must be within 1-1000.");
    }
    if (rules.scheduleExpression() != null) {
      interval(rules.scheduleExpression());
    }
    if (rules.duration() != null && !validDuration(rules.duration())) {
      throw SecretsErrors.invalidParameter("Invalid Duration: must be between 1h and 24h, e.g. \"3h\".");
    }
  }

  /** A rotation window: {@code 1h} to {@code 24h}. */
  private static boolean validDuration(String duration) {
    if (duration.length() < 2 || duration.length() > 3 || !duration.endsWith("h")) {
      return false;
    }
    try {
      int hours = Integer.parseInt(duration.substring(0, duration.length() - 1));
      return hours >= 1 && hours <= 24;
    } catch (NumberFormatException e) {
      return false;
    }
  }

  /** The next rotation after {@code since} (the last rotation, or when rotation was set up). */
  static Instant next(Secret.RotationRules rules, Instant since, Instant now) {
    if (rules.automaticallyAfterDays() != null) {
      return since.plus(Duration.ofDays(rules.automaticallyAfterDays()));
    }
    if (rules.scheduleExpression() == null) {
      return null;
    }
    Object interval = interval(rules.scheduleExpression());
    if (interval instanceof Duration rate) {
      return since.plus(rate);
    }
    Optional<ZonedDateTime> next = ((ExecutionTime) interval).nextExecution(ZonedDateTime.ofInstant(now, ZoneOffset.UTC));
    return next.map(ZonedDateTime::toInstant).orElse(null);
  }

  /** A rate as a Duration, or a cron expression as its ExecutionTime. */
  private static Object interval(String expression) {
    String text = expression.trim();
    try {
      if (text.startsWith("rate(") && text.endsWith(")")) {
        String[] parts = text.substring(5, text.length() - 1).trim().split("\\s+");
        long amount = Long.parseLong(parts[0]);
        if (parts.length == 2 && amount > 0) {
          switch (parts[1]) {
            case "day", "days" -> {
              if (amount <= 1000) {
                return Duration.ofDays(amount);
              }
            }
            case "hour", "hours" -> {
              if (amount >= 4 && amount <= 23) {
                return Duration.ofHours(amount);
              }
            }
            default -> { }
          }
        }
      } else if (text.startsWith("cron(") && text.endsWith(")")) {
        return ExecutionTime.forCron(CRON.parse("0 " + text.substring(5, text.length() - 1).trim()));
      }
    } catch (RuntimeException e) {
      // falls through to the error below
    }
    throw SecretsErrors.invalidParameter("Invalid ScheduleExpression: " + expression
        + ". Use rate(N days), rate(N hours) with N from 4 to 23, or cron(minutes hours day-of-month month "
        + "day-of-week year).");
  }
}
