import { CfnResource, type Duration } from 'aws-cdk-lib';
import type { Construct } from 'constructs';

/**
 * A custom resource with nothing CloudFormation does not need. A stack may
 * hold hundreds of lookups: `CustomResource` would add a DeletionPolicy and an
 * UpdateReplacePolicy to each, both CloudFormation's default anyway.
 *
 * @param serviceTimeout how long CloudFormation waits for an answer: a
 * backstop for a function that cannot even start, instead of an hour
 */
export function customResource(
  scope: Construct,
  type: string,
  serviceToken: string,
  serviceTimeout: Duration,
  properties: object,
): CfnResource {
  return new CfnResource(scope, 'Resource', {
    type,
    properties: { ServiceToken: serviceToken, ServiceTimeout: String(serviceTimeout.toSeconds()), ...properties },
  });
}
