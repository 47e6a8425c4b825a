package dev.shunt.backend.auth;

import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * The Regions requests may be scoped to: AWS's published Regions of every partition, plus those
 * the {@code extra-regions} option names. Each accepted Region may hold state in every account,
 * so the set is closed: a client cannot make the backend grow by inventing Region names.
 */
public final class AwsRegions {
  /**
   * AWS's Regions, by partition, as the AWS SDK for Java v2's endpoint metadata lists them
   * ({@code AwsRegionsTest} checks this list against the SDK's). A newer Region is accepted
   * with {@code --extra-regions} until this list catches up.
   */
  static final List<String> PUBLISHED = List.of(
      // aws
      "af-south-1", "ap-east-1", "ap-east-2", "ap-northeast-1", "ap-northeast-2", "ap-northeast-3",
      "ap-south-1", "ap-south-2", "ap-southeast-1", "ap-southeast-2", "ap-southeast-3", "ap-southeast-4",
      "ap-southeast-5", "ap-southeast-6", "ap-southeast-7", "ca-central-1", "ca-west-1", "eu-central-1",
      "eu-central-2", "eu-north-1", "eu-south-1", "eu-south-2", "eu-west-1", "eu-west-2", "eu-west-3",
      "il-central-1", "me-central-1", "me-south-1", "mx-central-1", "sa-east-1", "us-east-1", "us-east-2",
      "us-west-1", "us-west-2",
      // aws-cn
      "cn-north-1", "cn-northwest-1",
      // aws-us-gov
      "us-gov-east-1", "us-gov-west-1",
      // aws-iso, aws-iso-b, aws-iso-e, aws-iso-f
      "us-iso-east-1", "us-iso-west-1", "us-isob-east-1", "us-isob-west-1", "eu-isoe-west-1",
      "us-isof-east-1", "us-isof-south-1",
      // aws-eusc
      "eusc-de-east-1");

  private final Set<String> accepted;

  private AwsRegions(Set<String> accepted) {
    this.accepted = Set.copyOf(accepted);
  }

  /** AWS's published Regions only. */
  public static AwsRegions published() {
    return new AwsRegions(new HashSet<>(PUBLISHED));
  }

  /**
   * AWS's published Regions and those in {@code extraRegions}, comma-separated (null or blank:
   * none); each must have a Region's shape ({@link Identity#isRegionName}).
   */
  public static AwsRegions withExtra(String extraRegions) {
    Set<String> accepted = new HashSet<>(PUBLISHED);
    if (extraRegions != null) {
      for (String item : extraRegions.split(",")) {
        String region = item.trim();
        if (region.isEmpty()) {
          continue;
        }
        if (!Identity.isRegionName(region)) {
          throw new IllegalArgumentException("extra-regions entries must be Region names such as xx-east-1, not '"
              + region + "'");
        }
        accepted.add(region);
      }
    }
    return new AwsRegions(accepted);
  }

  /** Whether requests may be scoped to {@code region}, and state kept there: one hash lookup. */
  public boolean accepts(String region) {
    return region != null && accepted.contains(region);
  }
}
