/**
 * What the construct tests build their stacks with: a stack with an env, a
 * hosted zone, and readers of the synthesized template.
 */
import { App, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as route53 from 'aws-cdk-lib/aws-route53';
import { DEPLOY_ENV, TemplateResolver, type CfnTemplate } from '../../local/template-resolver';

export const ENV = { account: '123456789012', region: 'eu-west-1' };

export function newStack(app = new App(), id = 'Stack', env: { account?: string; region?: string } = ENV): Stack {
  return new Stack(app, id, { env });
}

export function zoneIn(stack: Stack, zoneName = 'example.com'): route53.IHostedZone {
  return route53.HostedZone.fromHostedZoneAttributes(stack, 'Zone', { hostedZoneId: 'Z123', zoneName });
}

/** The logical id of the template's one resource of `type`. */
export function idOf(template: Template, type: string): string {
  const ids = Object.keys(template.findResources(type));
  expect(ids).toHaveLength(1);
  return ids[0];
}

/** The identity ARNs the stack's lookup role may read, as IAM sees them once deployed. */
export function grantedArns(stack: Stack, partition = 'aws'): string[] {
  const template = Template.fromStack(stack).toJSON() as CfnTemplate;
  const resolver = new TemplateResolver(template, stack.stackName, { ...DEPLOY_ENV, region: stack.region, partition });
  return Object.values(template.Resources)
    .filter((resource) => resource.Type === 'AWS::IAM::ManagedPolicy')
    .flatMap((policy) => (resolver.resolve(policy.Properties?.PolicyDocument) as { Statement: Array<{ Resource: string[] }> }).Statement[0].Resource);
}

export const att = (id: string, name: string) => ({ 'Fn::GetAtt': [id, name] });
