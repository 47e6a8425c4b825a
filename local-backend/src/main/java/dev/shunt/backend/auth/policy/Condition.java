package dev.shunt.backend.auth.policy;

import java.time.DateTimeException;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.Arrays;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * One key of one operator of a Condition block, compiled: {@code "StringLike": {"aws:username": ["a*", "b*"]}}
 * is one Condition whose values are OR-ed. Typed values (numbers, dates, CIDRs, base64) are parsed
 * when the policy is, so a malformed one refuses the policy; request values are parsed when
 * evaluated, and one that cannot be read satisfies no operator (neither a positive nor a negated one).
 *
 * <p>Semantics: an absent key (or an empty set) makes an {@code IfExists} condition hold, a
 * {@code ForAllValues:} one hold and a {@code ForAnyValue:} one fail; otherwise a negated operator
 * ({@code StringNotEquals}, {@code ArnNotLike}, {@code NotIpAddress}...) holds and a positive one fails.
 * A present key without a set prefix: a positive operator holds when any request value matches any
 * policy value; a negated one holds when no request value matches any policy value (the negation of
 * the positive operator). {@code ForAnyValue:Op}: some request value satisfies Op;
 * {@code ForAllValues:Op}: every request value satisfies Op (for a negated Op, "satisfies" means
 * matches none of the policy values).
 */
final class Condition {
  enum Type { STRING, STRING_IGNORE_CASE, STRING_LIKE, NUMERIC, DATE, BOOL, BINARY, IP, ARN, NULL }

  enum Compare { EQ, NE, LT, LE, GT, GE }

  private record Operator(Type type, Compare compare) {}

  private static final Map<String, Operator> OPERATORS = new HashMap<>();

  static {
    op("StringEquals", Type.STRING, Compare.EQ);
    op("StringNotEquals", Type.STRING, Compare.NE);
    op("StringEqualsIgnoreCase", Type.STRING_IGNORE_CASE, Compare.EQ);
    op("StringNotEqualsIgnoreCase", Type.STRING_IGNORE_CASE, Compare.NE);
    op("StringLike", Type.STRING_LIKE, Compare.EQ);
    op("StringNotLike", Type.STRING_LIKE, Compare.NE);
    op("NumericEquals", Type.NUMERIC, Compare.EQ);
    op("NumericNotEquals", Type.NUMERIC, Compare.NE);
    op("NumericLessThan", Type.NUMERIC, Compare.LT);
    op("NumericLessThanEquals", Type.NUMERIC, Compare.LE);
    op("NumericGreaterThan", Type.NUMERIC, Compare.GT);
    op("NumericGreaterThanEquals", Type.NUMERIC, Compare.GE);
    op("DateEquals", Type.DATE, Compare.EQ);
    op("DateNotEquals", Type.DATE, Compare.NE);
    op("DateLessThan", Type.DATE, Compare.LT);
    op("DateLessThanEquals", Type.DATE, Compare.LE);
    op("DateGreaterThan", Type.DATE, Compare.GT);
    op("DateGreaterThanEquals", Type.DATE, Compare.GE);
    op("Bool", Type.BOOL, Compare.EQ);
    op("BinaryEquals", Type.BINARY, Compare.EQ);
    op("IpAddress", Type.IP, Compare.EQ);
    op("NotIpAddress", Type.IP, Compare.NE);
    op("ArnEquals", Type.ARN, Compare.EQ);
    op("ArnLike", Type.ARN, Compare.EQ);
    op("ArnNotEquals", Type.ARN, Compare.NE);
    op("ArnNotLike", Type.ARN, Compare.NE);
    op("Null", Type.NULL, Compare.EQ);
  }

  private static void op(String name, Type type, Compare compare) {
    OPERATORS.put(name, new Operator(type, compare));
  }

  private static final int NO_SET = 0;
  private static final int ANY_VALUE = 1;
  private static final int ALL_VALUES = 2;

  private final String operatorName;
  private final String key;
  private final Type type;
  private final Compare compare;
  private final boolean negated;
  private final boolean ifExists;
  private final int set;
  private final Glob[] globs;
  /** ARN patterns split into their six components; a value that is not a full ARN is one whole-string pattern. */
  private final Glob[][] arns;
  private final double[] numbers;
  private final long[] dates;
  private final byte[][] bytes;
  private final int[] prefixes;
  private final boolean[] booleans;

  private Condition(String operatorName, String key, Operator op, boolean ifExists, int set, Glob[] globs,
      Glob[][] arns, double[] numbers, long[] dates, byte[][] bytes, int[] prefixes, boolean[] booleans) {
    this.operatorName = operatorName;
    this.key = key;
    this.type = op.type;
    this.compare = op.compare;
    this.negated = op.compare == Compare.NE;
    this.ifExists = ifExists;
    this.set = set;
    this.globs = globs;
    this.arns = arns;
    this.numbers = numbers;
    this.dates = dates;
    this.bytes = bytes;
    this.prefixes = prefixes;
    this.booleans = booleans;
  }

  /** Thrown by {@link #compile} with a message the policy parser prefixes with the statement. */
  static final class Invalid extends Exception {
    Invalid(String message) {
      super(message, null, false, false);
    }
  }

  /**
   * Compiles one key of an operator. {@code values} are the JSON scalars as text; {@code variables}
   * whether policy variables are substituted (Version 2012-10-17).
   */
  /** Whether {@code operatorName} is a known operator, with its set prefix and IfExists suffix if any. */
  static boolean isOperator(String operatorName) {
    try {
      compile(operatorName, "a:b", List.of(), false);
      return true;
    } catch (Invalid e) {
      return !e.getMessage().startsWith(UNKNOWN);
    }
  }

  private static final String UNKNOWN = "has an unknown condition operator: ";

  static Condition compile(String operatorName, String key, List<String> values, boolean variables) throws Invalid {
    String name = operatorName;
    int set = NO_SET;
    if (name.startsWith("ForAnyValue:")) {
      set = ANY_VALUE;
      name = name.substring("ForAnyValue:".length());
    } else if (name.startsWith("ForAllValues:")) {
      set = ALL_VALUES;
      name = name.substring("ForAllValues:".length());
    }
    boolean ifExists = false;
    Operator op = OPERATORS.get(name);
    if (op == null && name.endsWith("IfExists")) {
      ifExists = true;
      op = OPERATORS.get(name.substring(0, name.length() - "IfExists".length()));
    }
    if (op == null || op.type == Type.NULL && (ifExists || set != NO_SET)) {
      throw new Invalid(UNKNOWN + operatorName);
    }
    if (key.indexOf(':') <= 0) {
      throw new Invalid("has a condition key without a vendor prefix: '" + key + "' (operator " + operatorName + ")");
    }
    if (values.isEmpty()) {
      throw new Invalid("has no value for condition key " + key + " of operator " + operatorName);
    }
    int n = values.size();
    Glob[] globs = null;
    Glob[][] arns = null;
    double[] numbers = null;
    long[] dates = null;
    byte[][] bytes = null;
    int[] prefixes = null;
    boolean[] booleans = null;
    switch (op.type) {
      case STRING, STRING_IGNORE_CASE, STRING_LIKE -> {
        globs = new Glob[n];
        for (int i = 0; i < n; i++) {
          globs[i] = Glob.compile(values.get(i), op.type == Type.STRING_LIKE, variables,
              op.type == Type.STRING_IGNORE_CASE);
        }
      }
      case ARN -> {
        arns = new Glob[n][];
        for (int i = 0; i < n; i++) {
          arns[i] = arnPattern(values.get(i), variables);
        }
      }
      case NUMERIC -> {
        numbers = new double[n];
        for (int i = 0; i < n; i++) {
          numbers[i] = number(values.get(i));
          if (Double.isNaN(numbers[i])) {
            throw invalidValue(operatorName, key, values.get(i), "a number");
          }
        }
      }
      case DATE -> {
        dates = new long[n];
        for (int i = 0; i < n; i++) {
          dates[i] = date(values.get(i));
          if (dates[i] == Long.MIN_VALUE) {
            throw invalidValue(operatorName, key, values.get(i), "an ISO 8601 date or epoch seconds");
          }
        }
      }
      case BOOL, NULL -> {
        booleans = new boolean[n];
        for (int i = 0; i < n; i++) {
          String v = values.get(i);
          if (!v.equalsIgnoreCase("true") && !v.equalsIgnoreCase("false")) {
            throw invalidValue(operatorName, key, v, "true or false");
          }
          booleans[i] = v.equalsIgnoreCase("true");
        }
      }
      case BINARY -> {
        bytes = new byte[n][];
        for (int i = 0; i < n; i++) {
          try {
            bytes[i] = Base64.getDecoder().decode(values.get(i));
          } catch (IllegalArgumentException e) {
            throw invalidValue(operatorName, key, values.get(i), "base64");
          }
        }
      }
      case IP -> {
        bytes = new byte[n][];
        prefixes = new int[n];
        for (int i = 0; i < n; i++) {
          String v = values.get(i);
          int slash = v.indexOf('/');
          byte[] address = IpAddresses.parse(slash < 0 ? v : v.substring(0, slash));
          int prefix = address == null ? -1 : slash < 0 ? address.length * 8 : prefix(v.substring(slash + 1));
          if (address == null || prefix < 0 || prefix > address.length * 8) {
            throw invalidValue(operatorName, key, v, "an IPv4 or IPv6 address or CIDR block");
          }
          bytes[i] = address;
          prefixes[i] = prefix;
        }
      }
      default -> throw new AssertionError(op.type);
    }
    return new Condition(operatorName, key.toLowerCase(Locale.ROOT), op, ifExists, set, globs, arns, numbers, dates,
        bytes, prefixes, booleans);
  }

  private static Invalid invalidValue(String operator, String key, String value, String expected) {
    return new Invalid("has an invalid value for condition operator " + operator + " on key " + key + ": '" + value
        + "' is not " + expected);
  }

  private static int prefix(String s) {
    if (s.isEmpty() || s.length() > 3) {
      return -1;
    }
    int n = 0;
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c < '0' || c > '9') {
        return -1;
      }
      n = n * 10 + (c - '0');
    }
    return n;
  }

  private static Glob[] arnPattern(String value, boolean variables) {
    int[] colons = new int[5];
    int from = 0;
    for (int i = 0; i < 5; i++) {
      colons[i] = value.indexOf(':', from);
      if (colons[i] < 0) {
        return new Glob[] {Glob.compile(value, true, variables, false)};
      }
      from = colons[i] + 1;
    }
    Glob[] parts = new Glob[6];
    int start = 0;
    for (int i = 0; i < 6; i++) {
      int end = i < 5 ? colons[i] : value.length();
      parts[i] = Glob.compile(value.substring(start, end), true, variables, false);
      start = end + 1;
    }
    return parts;
  }

  String operatorName() {
    return operatorName;
  }

  String key() {
    return key;
  }

  /** Whether the condition holds for the request. */
  boolean holds(AccessRequest request) {
    List<String> values = request.valuesLower(key);
    boolean absent = values == null || values.isEmpty();
    if (type == Type.NULL) {
      for (boolean b : booleans) {
        if (b == absent) {
          return true;
        }
      }
      return false;
    }
    if (absent) {
      if (ifExists || set == ALL_VALUES) {
        return true;
      }
      return set == NO_SET && negated;
    }
    int n = values.size();
    if (set == ALL_VALUES || set == NO_SET && negated) {
      for (int i = 0; i < n; i++) {
        if (!satisfies(values.get(i), request)) {
          return false;
        }
      }
      return true;
    }
    for (int i = 0; i < n; i++) {
      if (satisfies(values.get(i), request)) {
        return true;
      }
    }
    return false;
  }

  /** Whether one request value satisfies the operator against the policy's values. */
  private boolean satisfies(String value, AccessRequest request) {
    switch (type) {
      case STRING, STRING_IGNORE_CASE, STRING_LIKE -> {
        boolean any = false;
        for (Glob glob : globs) {
          if (glob.matches(value, request)) {
            any = true;
            break;
          }
        }
        return any != negated;
      }
      case ARN -> {
        boolean any = false;
        for (Glob[] arn : arns) {
          if (arnMatches(arn, value, request)) {
            any = true;
            break;
          }
        }
        return any != negated;
      }
      case NUMERIC -> {
        double v = number(value);
        if (Double.isNaN(v)) {
          return false;
        }
        return compare(numbers, v);
      }
      case DATE -> {
        long v = date(value);
        if (v == Long.MIN_VALUE) {
          return false;
        }
        return compareDates(v);
      }
      case BOOL -> {
        boolean t = value.equalsIgnoreCase("true");
        if (!t && !value.equalsIgnoreCase("false")) {
          return false;
        }
        for (boolean b : booleans) {
          if (b == t) {
            return true;
          }
        }
        return false;
      }
      case BINARY -> {
        byte[] v;
        try {
          v = Base64.getDecoder().decode(value);
        } catch (IllegalArgumentException e) {
          return false;
        }
        for (byte[] b : bytes) {
          if (Arrays.equals(b, v)) {
            return true;
          }
        }
        return false;
      }
      case IP -> {
        byte[] v = IpAddresses.parse(value);
        if (v == null) {
          return false;
        }
        boolean any = false;
        for (int i = 0; i < bytes.length; i++) {
          if (IpAddresses.inBlock(v, bytes[i], prefixes[i])) {
            any = true;
            break;
          }
        }
        return any != negated;
      }
      default -> throw new AssertionError(type);
    }
  }

  private boolean compare(double[] policy, double v) {
    return meets(policy.length, i -> Double.compare(v, policy[i]));
  }

  private boolean compareDates(long v) {
    return meets(dates.length, i -> Long.compare(v, dates[i]));
  }

  /**
   * Whether the request's value, ordered against each of the policy's {@code count} values
   * ({@code order}: negative, zero or positive), meets the operator for one of them; a negated
   * operator (NE) holds only when it equals none.
   */
  private boolean meets(int count, java.util.function.IntUnaryOperator order) {
    for (int i = 0; i < count; i++) {
      int c = order.applyAsInt(i);
      boolean ok = switch (compare) {
        case EQ -> c == 0;
        case NE -> c == 0;
        case LT -> c < 0;
        case LE -> c <= 0;
        case GT -> c > 0;
        case GE -> c >= 0;
      };
      if (ok) {
        return compare != Compare.NE;
      }
    }
    return compare == Compare.NE;
  }

  /** ArnLike: each of the six colon-separated components matched by itself (a wildcard never spans a colon). */
  private static boolean arnMatches(Glob[] pattern, String arn, AccessRequest request) {
    if (pattern.length == 1) {
      return pattern[0].matches(arn, request);
    }
    int start = 0;
    for (int i = 0; i < 5; i++) {
      int colon = arn.indexOf(':', start);
      if (colon < 0 || !pattern[i].matches(arn, start, colon, request)) {
        return false;
      }
      start = colon + 1;
    }
    return pattern[5].matches(arn, start, arn.length(), request);
  }

  /** A decimal number (sign, digits, fraction, exponent), or NaN when {@code s} is not one. */
  static double number(String s) {
    int n = s.length();
    if (n == 0 || n > 64) {
      return Double.NaN;
    }
    boolean digit = false;
    for (int i = 0; i < n; i++) {
      char c = s.charAt(i);
      if (c >= '0' && c <= '9') {
        digit = true;
      } else if (!(c == '.' || c == 'e' || c == 'E' || ((c == '-' || c == '+')
          && (i == 0 || s.charAt(i - 1) == 'e' || s.charAt(i - 1) == 'E')))) {
        return Double.NaN;
      }
    }
    if (!digit) {
      return Double.NaN;
    }
    try {
      double d = Double.parseDouble(s);
      return Double.isInfinite(d) ? Double.NaN : d;
    } catch (NumberFormatException e) {
      return Double.NaN;
    }
  }

  /**
   * A date as epoch milliseconds: epoch seconds (digits, optionally a fraction), or ISO 8601 (an
   * instant, a date-time with offset, a date-time or a date, both taken as UTC); Long.MIN_VALUE
   * when {@code s} is neither.
   */
  static long date(String s) {
    if (s.isEmpty()) {
      return Long.MIN_VALUE;
    }
    boolean epoch = true;
    for (int i = 0; i < s.length() && epoch; i++) {
      char c = s.charAt(i);
      epoch = c >= '0' && c <= '9' || c == '.' && i > 0;
    }
    if (epoch) {
      double seconds = number(s);
      return Double.isNaN(seconds) || seconds > 1e14 ? Long.MIN_VALUE : (long) (seconds * 1000);
    }
    if (s.length() < 10 || s.charAt(4) != '-') {
      return Long.MIN_VALUE;
    }
    try {
      return Instant.parse(s).toEpochMilli();
    } catch (DateTimeException e) {
      // not an instant; try the other forms
    }
    try {
      return OffsetDateTime.parse(s).toInstant().toEpochMilli();
    } catch (DateTimeException e) {
      // next
    }
    try {
      return LocalDateTime.parse(s).toInstant(ZoneOffset.UTC).toEpochMilli();
    } catch (DateTimeException e) {
      // next
    }
    try {
      return LocalDate.parse(s).atStartOfDay(ZoneOffset.UTC).toInstant().toEpochMilli();
    } catch (DateTimeException e) {
      return Long.MIN_VALUE;
    }
  }
}
