package dev.shunt.backend.auth;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.regions.PartitionMetadata;
import software.amazon.awssdk.regions.Region;

/** Shunt's Region list keeps up with the AWS SDK's, and each Region's partition is the SDK's. */
class AwsRegionsTest {

  /** The SDK's real Regions: not its pseudo-Regions for global endpoints or FIPS endpoints. */
  private static List<String> sdkRegions() {
    return Region.regions().stream().map(Region::id)
        .filter(id -> !id.endsWith("-global") && !id.startsWith("fips-") && !id.contains("-fips"))
        .toList();
  }

  @Test
  void everyRegionOfTheSdkIsAccepted() {
    AwsRegions regions = AwsRegions.published();
    assertThat(sdkRegions()).isNotEmpty().allSatisfy(region -> assertThat(regions.accepts(region)).as(region).isTrue());
  }

  @Test
  void everyPublishedRegionHasTheShapeOfOneAndItsPartitionIsTheSdks() {
    for (String region : AwsRegions.PUBLISHED) {
      assertThat(Identity.isRegionName(region)).as(region).isTrue();
    }
    for (String region : sdkRegions()) {
      assertThat(Identity.partitionOf(region)).as(region)
          .isEqualTo(PartitionMetadata.of(Region.of(region)).id());
    }
  }

  @Test
  void aRegionShapedNameAwsDoesNotHaveIsRefusedUnlessNamedAsExtra() {
    assertThat(AwsRegions.published().accepts("xx-future-1")).isFalse();
    assertThat(AwsRegions.published().accepts(null)).isFalse();
    AwsRegions extra = AwsRegions.withExtra(" xx-future-1 , ,yy-test-2");
    assertThat(extra.accepts("xx-future-1")).isTrue();
    assertThat(extra.accepts("yy-test-2")).isTrue();
    assertThat(extra.accepts("us-east-1")).isTrue();
    assertThat(extra.accepts("zz-other-3")).isFalse();
  }

  @Test
  void anExtraRegionThatIsNotRegionShapedIsRefusedAtStart() {
    for (String spec : List.of("local", "us-east-1,US-WEST-9", "xx_east_1", "x".repeat(40) + "-1")) {
      assertThatThrownBy(() -> AwsRegions.withExtra(spec)).as(spec).isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("extra-regions");
    }
  }
}
