import { CfnResource, CustomResource, type Duration } from 'aws-cdk-lib';
import type { Construct } from 'constructs';

/**
 * A custom resource with nothing CloudFormation does not need.
 *
 * A `CustomResource`, whose CloudFormation resource is its `Default` child:
 * that is how @pulumi/cdk tells a custom resource, to run it through its
 * emulator; a bare `CfnResource` of a `Custom::` type stops its conversion
 * ("Expected cfn type in format 'AWS::Service::Resource'"). The construct id
 * `Default` leaves the logical id as it was.
 *
 * Without the DeletionPolicy and UpdateReplacePolicy that `CustomResource`
 * adds: both are CloudFormation's default anyway, and a stack may hold
 * hundreds of lookups.
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
  const resource = new CustomResource(scope, 'Resource', { resourceType: type, serviceToken, serviceTimeout, properties: { ...properties } }).node.defaultChild as CfnResource;
  resource.cfnOptions.deletionPolicy = undefined;
  resource.cfnOptions.updateReplacePolicy = undefined;
  return resource;
}
