package dev.shunt.backend.ssm;

import dev.shunt.backend.core.AwsException;
import dev.shunt.backend.core.CommonErrors;
import dev.shunt.backend.core.RequestContext;
import java.util.Set;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/**
 * The rules a parameter's version follows, for PutParameter and for seeds alike: its tier (and
 * the account's tier limits), its type's constant, its DataType and its AllowedPattern.
 */
final class ParameterRules {
  private static final Set<String> DATA_TYPES = Set.of("text", "aws:ec2:image", "aws:ssm:integration");

  private ParameterRules() {}

  /**
   * The tier a write asks for; {@code intelligent} when Intelligent-Tiering chose Standard, which
   * becomes Advanced if the account's Standard parameters are at their limit.
   */
  record TierChoice(String tier, boolean intelligent) {}

  /**
   * The tier a write gets: the one asked for, else the parameter's own (an overwrite) or the
   * account's default (a new parameter); Intelligent-Tiering picks Standard when the value and
   * policies allow it (and the Standard limit, see {@link #reserve}). Advanced never goes back to Standard.
   */
  static TierChoice tier(RequestContext ctx, SsmRegion region, String requested, String current, int valueBytes,
      boolean hasPolicies) {
    String fallback = SsmBackend.setting(ctx, region, ServiceSettings.DEFAULT_TIER).value();
    String tier = requested != null ? requested
        : current != null && !fallback.equals(SsmBackend.INTELLIGENT) ? current : fallback;
    boolean intelligent = tier.equals(SsmBackend.INTELLIGENT);
    if (intelligent) {
      tier = SsmBackend.ADVANCED.equals(current) || valueBytes > SsmBackend.STANDARD_VALUE_BYTES || hasPolicies ? SsmBackend.ADVANCED : SsmBackend.STANDARD;
    }
    // The constants, not the request's strings: one copy, however many parameters.
    tier = tier.equals(SsmBackend.ADVANCED) ? SsmBackend.ADVANCED : SsmBackend.STANDARD;
    if (SsmBackend.ADVANCED.equals(current) && tier.equals(SsmBackend.STANDARD)) {
      throw CommonErrors.validation("This parameter uses the advanced-parameter tier. You can't downgrade a parameter "
          + "from the advanced-parameter tier to the standard-parameter tier. If necessary, you can delete the "
          + "advanced parameter and recreate it as a standard parameter.");
    }
    if (tier.equals(SsmBackend.STANDARD) && valueBytes > SsmBackend.STANDARD_VALUE_BYTES) {
      throw CommonErrors.validation("Standard tier parameters support a maximum parameter value of 4096 characters. "
          + "To create a larger parameter value, upgrade the parameter to use the advanced-parameter tier. For more "
          + "information, see https://docs.aws.amazon.com/systems-manager/latest/userguide/"
          + "parameter-store-advanced-parameters.html");
    }
    if (tier.equals(SsmBackend.ADVANCED) && valueBytes > SsmBackend.ADVANCED_VALUE_BYTES) {
      throw CommonErrors.validation("Advanced tier parameters support a maximum parameter value of 8192 characters.");
    }
    if (tier.equals(SsmBackend.STANDARD) && hasPolicies) {
      throw CommonErrors.validation("Parameter policies are supported only for advanced-parameter tier parameters. "
          + "Set Tier to Advanced or Intelligent-Tiering.");
    }
    return new TierChoice(tier, intelligent && tier.equals(SsmBackend.STANDARD));
  }

  /**
   * Counts a parameter into its tier (moving it out of the old one), within the account's limits
   * (10,000 Standard, 100,000 Advanced per Region), and returns the tier it got: Intelligent-Tiering
   * goes to Advanced when Standard is full, as AWS does.
   */
  static String reserve(SsmRegion region, TierChoice choice, String previousTier) {
    String tier = choice.tier();
    if (!tryReserve(region, tier)) {
      if (!choice.intelligent()) {
        throw tierFull(tier);
      }
      tier = SsmBackend.ADVANCED;
      if (!tryReserve(region, tier)) {
        throw tierFull(tier);
      }
    }
    if (previousTier != null) {
      region.counter(previousTier).decrementAndGet();
    }
    return tier;
  }

  private static boolean tryReserve(SsmRegion region, String tier) {
    int limit = tier.equals(SsmBackend.ADVANCED) ? SsmBackend.ADVANCED_LIMIT : SsmBackend.STANDARD_LIMIT;
    if (region.counter(tier).incrementAndGet() > limit) {
      region.counter(tier).decrementAndGet();
      return false;
    }
    return true;
  }

  private static AwsException tierFull(String tier) {
    int limit = tier.equals(SsmBackend.ADVANCED) ? SsmBackend.ADVANCED_LIMIT : SsmBackend.STANDARD_LIMIT;
    return SsmErrors.limitExceeded("You have exceeded the number of " + tier.toLowerCase(java.util.Locale.ROOT)
        + " parameters for this AWS account (" + limit + "). Delete parameters that are no longer necessary and "
        + "try again.");
  }

  /** The type's constant (one copy however many parameters), or the text as given if it is none of them. */
  static String canonicalType(String type) {
    return switch (type) {
      case "String" -> "String";
      case "StringList" -> "StringList";
      case SsmBackend.SECURE_STRING -> SsmBackend.SECURE_STRING;
      default -> type;
    };
  }

  /** Checks a DataType (and, when {@code value} is known, that the value fits it). */
  static String checkDataType(String dataType, String name, String value) {
    if (!DATA_TYPES.contains(dataType)) {
      throw CommonErrors.validation("The following data type is not supported: " + dataType
          + " (Data type names are all lowercase.)");
    }
    if (dataType.equals("aws:ec2:image") && value != null && !isImageId(value)) {
      throw CommonErrors.validation("Parameter value, " + value + ", is not in the correct format for data type "
          + "aws:ec2:image: use an AMI ID such as ami-12345678 or ami-1234567890abcdef0.");
    }
    if (dataType.equals("aws:ssm:integration")
        && !name.startsWith("/d9d01087-4a3f-49e0-b0b4-d568d7826553/ssm/integrations/webhook/")) {
      throw CommonErrors.validation("Parameters of data type aws:ssm:integration must be named "
          + "/d9d01087-4a3f-49e0-b0b4-d568d7826553/ssm/integrations/webhook/NAME.");
    }
    return dataType;
  }

  /** {@code ami-} and 8 or 17 lowercase hex digits. */
  private static boolean isImageId(String value) {
    if (!value.startsWith("ami-") || (value.length() != 12 && value.length() != 21)) {
      return false;
    }
    for (int i = 4; i < value.length(); i++) {
      char c = value.charAt(i);
      if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) {
        return false;
      }
    }
    return true;
  }

  static void checkPattern(String pattern, String value) {
    Pattern compiled;
    try {
      compiled = Pattern.compile(pattern);
    } catch (PatternSyntaxException e) {
      throw SsmErrors.invalidAllowedPattern("The allowed pattern " + pattern + " is not a valid regular expression.");
    }
    if (!compiled.matcher(value).matches()) {
      throw SsmErrors.patternMismatch(pattern);
    }
  }
}
