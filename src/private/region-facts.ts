/**
 * aws-cdk-lib's region facts, as the constructs and the demo hold a literal
 * region against them. Not exported from the package.
 */
import { RegionInfo } from 'aws-cdk-lib/region-info';

/** The partition of a region aws-cdk-lib knows (`aws`, `aws-cn`, …), or undefined. */
export function partitionOf(region: string): string | undefined {
  return RegionInfo.get(region).partition;
}

/** A sentence naming a region aws-cdk-lib does not know (a typo, or a region newer than it), or undefined. */
export function unknownRegionProblem(region: string): string | undefined {
  return partitionOf(region) === undefined
    ? `region ${JSON.stringify(region)} is not a region aws-cdk-lib knows (such as "eu-west-1").`
    : undefined;
}
