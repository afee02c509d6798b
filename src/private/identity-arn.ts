import { Fn, Stack, Token } from 'aws-cdk-lib';
import { identitySpellings } from '../shared/identity-name';
import { ARN_FIELD, type IdentityLocation } from '../shared/wire';

/** An identity's ARN, and the region and account in it. */
export interface IdentityArn {
  /** The location's region, or the stack's. */
  readonly region: string;
  /** The account of the location's role, or the stack's. */
  readonly account: string;
  readonly arn: string;
  /**
   * The ARN as IAM must read it, once per spelling of the name
   * (`identitySpellings`: a mixed-case domain also in lower case): IAM takes
   * `$`, `*` and `?` in a resource for variables and wildcards, so an address
   * such as `*@example.com` must not grant every address.
   */
  readonly iamArns: string[];
}

/** The ARN of the identity at `location`, as seen from `stack`. */
export function identityArn(stack: Stack, location: IdentityLocation): IdentityArn {
  const name = location.EmailIdentity;
  const region = location.Region ?? stack.region;
  const account = location.AssumeRoleArn ? accountOfRole(location.AssumeRoleArn) : stack.account;
  const arnOf = (resourceName: string) => stack.formatArn({ service: 'ses', region, account, resource: 'identity', resourceName });
  const arn = arnOf(name);
  const iamArns = Token.isUnresolved(name) ? [arn] : identitySpellings(name).map((spelling) => arnOf(iamResourceName(spelling)));
  return { region, account, arn, iamArns };
}

/** A name as IAM must read it in a resource: `$`, `*` and `?` escaped as `${$}`, `${*}`, `${?}`, not variables and wildcards. */
export function iamResourceName(name: string): string {
  return name.replace(/[$*?]/g, (char) => `\${${char}}`);
}

/** The account of a role ARN, literal or token. */
function accountOfRole(roleArn: string): string {
  return Token.isUnresolved(roleArn) ? Fn.select(ARN_FIELD.account, Fn.split(':', roleArn)) : roleArn.split(':')[ARN_FIELD.account];
}
