import { Stack, Token } from 'aws-cdk-lib';

/**
 * An identity's ARN, and the same ARN as IAM must read it: IAM takes `$`,
 * `*` and `?` in a resource for variables and wildcards, so an address such
 * as `*@example.com` must not grant every address.
 */
export function identityArns(stack: Stack, name: string, region: string, account: string): { arn: string; iamArn: string } {
  const arnOf = (resourceName: string) => stack.formatArn({ service: 'ses', region, account, resource: 'identity', resourceName });
  const arn = arnOf(name);
  return { arn, iamArn: Token.isUnresolved(name) ? arn : arnOf(name.replace(/[$*?]/g, (char) => `\${${char}}`)) };
}
