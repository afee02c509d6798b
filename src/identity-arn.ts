import { Stack, Token } from 'aws-cdk-lib';
import { identitySpellings } from './shared/identity-name';

/**
 * An identity's ARN, and the ARNs as IAM must read them: one per spelling
 * of the name (`identitySpellings`: a mixed-case domain also in lower case),
 * with `$`, `*` and `?` escaped, since IAM takes them for variables and
 * wildcards and an address such as `*@example.com` must not grant every address.
 */
export function identityArns(stack: Stack, name: string, region: string, account: string): { arn: string; iamArns: string[] } {
  const arnOf = (resourceName: string) => stack.formatArn({ service: 'ses', region, account, resource: 'identity', resourceName });
  const arn = arnOf(name);
  if (Token.isUnresolved(name)) {
    return { arn, iamArns: [arn] };
  }
  return { arn, iamArns: identitySpellings(name).map((spelling) => arnOf(spelling.replace(/[$*?]/g, (char) => `\${${char}}`))) };
}
