/**
 * Checks of an identity's location beyond its name. Like
 * `emailIdentityProblem`, each returns a sentence naming the problem, or
 * undefined; the construct runs them on literals at synth time and the handler
 * on resolved values at deploy time, so both give the same message.
 */
import { emailIdentityProblem, quoted } from './identity-name';
import type { IdentityLocation } from './wire';

/**
 * The shape of region names: `eu-west-1`, `us-gov-west-1`, `cn-north-1`,
 * `us-isob-east-1`, `eusc-de-east-1`. Whether the region exists is the
 * construct's question (aws-cdk-lib's region facts); the handler has only this.
 */
export function regionProblem(region: string): string | undefined {
  return /^[a-z]{2,4}(-[a-z]+)+-\d{1,2}$/.test(region)
    ? undefined
    : `region ${JSON.stringify(region)} is not an AWS region name (such as "eu-west-1").`;
}

/** IAM role ARNs, in any partition. */
function roleArnProblem(roleArn: string): string | undefined {
  return /^arn:aws[a-z-]*:iam::\d{12}:role\/[\w+=,.@/-]{1,512}$/.test(roleArn)
    ? undefined
    : `assumeRoleArn ${JSON.stringify(roleArn)} is not an IAM role ARN: arn:<partition>:iam::<account>:role/<name>, where the account is 12 digits (arn:aws:iam::123456789012:role/SesReader).`;
}

/** STS external ids: 2 to 1224 characters of letters, digits and +=,.@:/-. */
export function externalIdProblem(externalId: string): string | undefined {
  return /^[\w+=,.@:/-]{2,1224}$/.test(externalId)
    ? undefined
    : `externalId ${quoted(externalId)} is not an external id STS accepts: it must be 2 to 1224 characters of letters, digits and +=,.@:/- .`;
}

/**
 * The first problem with an identity's location, or undefined. Messages name
 * the construct's props (`emailIdentity`, `assumeRoleArn`): the user wrote those.
 *
 * @param unknown values it is true for are only known later (the construct's tokens) and not checked
 */
export function locationProblem(location: IdentityLocation, unknown: (value: string) => boolean = () => false): string | undefined {
  if (location.ExternalId !== undefined && location.AssumeRoleArn === undefined) {
    return `externalId ${quoted(location.ExternalId)} is only used with assumeRoleArn; set both or neither.`;
  }
  const checks: Array<[string | undefined, (value: string) => string | undefined]> = [
    [location.EmailIdentity, emailIdentityProblem],
    [location.Region, regionProblem],
    [location.AssumeRoleArn, roleArnProblem],
    [location.ExternalId, externalIdProblem],
  ];
  for (const [value, check] of checks) {
    const problem = value === undefined || unknown(value) ? undefined : check(value);
    if (problem) {
      return problem;
    }
  }
  return undefined;
}
