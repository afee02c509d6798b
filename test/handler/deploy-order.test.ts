/**
 * The created-identity example (examples/created-identity-app.ts) deployed as
 * CloudFormation would, in the order its template allows, with the real
 * handlers against a local SES: the identity exists before its lookup reads
 * it, the records carry the tokens SES gave it, and the gate passes on the
 * identity's name before the user pool is created. Also shows why the order
 * matters: a lookup that ran before the identity existed would fail.
 */
import { CloudFormationStackArtifact, type CloudAssembly } from 'aws-cdk-lib/cx-api';
import { buildCreatedIdentityApp } from '../../examples/created-identity-app';
import { buildCrossAccountApp, DNS_ENV, SENDING_ENV } from '../../examples/cross-account-app';
import { FUNCTION_ACCESS_KEY_ID, useLocalAws } from '../../local/aws-environment';
import { createEvent, ResponseReceiver, type ReceivedResponse } from '../../local/cloudformation';
import { FakeSesServer, fullIdentity, type TrustPolicy } from '../../local/fake-ses-server';
import { DEPLOY_ENV, TemplateResolver, type CfnResource, type CfnTemplate } from '../../local/template-resolver';
import type { Handler } from '../../src/handler/cloudformation';
import { createGateHandler } from '../../src/handler/gate';
import { createLookupHandler } from '../../src/handler/lookup';
import { GATE_RESOURCE_TYPE, LOOKUP_RESOURCE_TYPE } from '../../src/shared/wire';
import { FAST_RETRY } from '../support/fast-retry';

let receiver: ResponseReceiver;
let fake: FakeSesServer;
let restoreEnvironment: () => void;

beforeAll(async () => {
  receiver = await ResponseReceiver.start();
  fake = await FakeSesServer.start();
  restoreEnvironment = useLocalAws(fake.endpoint);
});

afterAll(async () => {
  restoreEnvironment();
  await fake.stop();
  await receiver.stop();
});

const template = (): CfnTemplate => buildCreatedIdentityApp().synth().getStackByName('CreatedIdentity').template as CfnTemplate;

/** Logical ids a resource waits for: its DependsOn, and every Ref and Fn::GetAtt in its properties. */
function prerequisites(resource: CfnResource, ids: ReadonlySet<string>): string[] {
  const found = new Set(resource.DependsOn ?? []);
  const visit = (value: unknown): void => {
    if (Array.isArray(value)) {
      value.forEach(visit);
    } else if (typeof value === 'object' && value !== null) {
      for (const [key, inner] of Object.entries(value)) {
        if (key === 'Ref' && typeof inner === 'string' && ids.has(inner)) found.add(inner);
        if (key === 'Fn::GetAtt' && Array.isArray(inner) && ids.has(inner[0])) found.add(inner[0]);
        visit(inner);
      }
    }
  };
  visit(resource.Properties);
  return [...found];
}

/** An order CloudFormation may create the resources in: each after everything it waits for. */
function creationOrder(resources: Record<string, CfnResource>): string[] {
  const ids = new Set(Object.keys(resources));
  const order: string[] = [];
  const pending = new Map(Object.entries(resources).map(([id, resource]) => [id, prerequisites(resource, ids)]));
  while (pending.size > 0) {
    const ready = [...pending].find(([, needs]) => needs.every((need) => order.includes(need)));
    if (!ready) throw new Error(`A dependency cycle among ${[...pending.keys()].join(', ')}`);
    order.push(ready[0]);
    pending.delete(ready[0]);
  }
  return order;
}

/** Fn::Join and the lookup's Fn::GetAtt, resolved as CloudFormation would once the lookup has answered. */
function resolveWith(data: Record<string, string>, lookupId: string, value: unknown): string {
  if (typeof value === 'string') return value;
  const object = value as Record<string, unknown>;
  if ('Fn::GetAtt' in object) {
    const [id, attribute] = object['Fn::GetAtt'] as [string, string];
    expect(id).toBe(lookupId);
    return data[attribute];
  }
  const [separator, parts] = object['Fn::Join'] as [string, unknown[]];
  return parts.map((part) => resolveWith(data, lookupId, part)).join(separator);
}

async function create(handler: Handler, resource: CfnResource, logicalId: string, resolver?: TemplateResolver): Promise<ReceivedResponse> {
  const { ServiceToken: _, ...given } = resource.Properties ?? {};
  // CloudFormation hands the handler resolved values: an ARN built with AWS::Partition, for instance.
  const properties = (resolver ? resolver.resolve(given) : given) as Record<string, unknown>;
  const event = createEvent(properties, { responseUrl: receiver.url(), logicalResourceId: logicalId, resourceType: resource.Type });
  await handler(event, { getRemainingTimeInMillis: () => 300_000, invokedFunctionArn: 'arn:aws:lambda:eu-west-1:123456789012:function:gate' });
  return receiver.response(event.ResponseURL);
}

const silent = { retry: FAST_RETRY, log: () => undefined };

test('identity, then lookup and records, then the gate, then the user pool: the handlers read the created name', async () => {
  const { Resources: resources } = template();
  const idOf = (type: string) => Object.keys(resources).find((id) => resources[id].Type === type)!;
  const [identityId, lookupId, gateId, poolId] = ['AWS::SES::EmailIdentity', LOOKUP_RESOURCE_TYPE, GATE_RESOURCE_TYPE, 'AWS::Cognito::UserPool'].map(idOf);
  const recordIds = Object.keys(resources).filter((id) => resources[id].Type === 'AWS::Route53::RecordSet');
  const order = creationOrder(resources);
  const at = (id: string) => order.indexOf(id);

  expect(at(identityId)).toBeLessThan(at(lookupId));
  recordIds.forEach((id) => expect(at(lookupId)).toBeLessThan(at(id)));
  expect(at(identityId)).toBeLessThan(at(gateId));
  expect(at(gateId)).toBeLessThan(at(poolId));

  // Deploy in that order: SES knows the identity once CloudFormation has created it.
  const data: Record<string, string> = {};
  const published: string[] = [];
  for (const id of order) {
    const resource = resources[id];
    const properties = resource.Properties ?? {};
    if (resource.Type === 'AWS::SES::EmailIdentity') {
      fake.setIdentity(properties.EmailIdentity as string, fullIdentity(properties.EmailIdentity as string));
    } else if (resource.Type === LOOKUP_RESOURCE_TYPE) {
      const { body } = await create(createLookupHandler(silent), resource, id);
      expect(body.Status).toBe('SUCCESS');
      Object.assign(data, body.Data);
    } else if (resource.Type === 'AWS::Route53::RecordSet') {
      published.push(`${resolveWith(data, lookupId, properties.Name)} CNAME ${resolveWith(data, lookupId, (properties.ResourceRecords as unknown[])[0])}`);
    } else if (resource.Type === GATE_RESOURCE_TYPE) {
      const { body } = await create(createGateHandler(silent), resource, id);
      expect(body.Status).toBe('SUCCESS');
    }
  }

  const tokens = fullIdentity('example.com').DkimAttributes!.Tokens!;
  expect(published.sort()).toEqual(tokens.map((token) => `${token}._domainkey.example.com. CNAME ${token}.dkim.amazonses.com`).sort());
  expect(fake.requests).toEqual(['example.com', 'example.com']);
});

test('without the order, the lookup would have failed: SES does not know an identity before it is created', async () => {
  const { Resources: resources } = template();
  const [lookupId] = Object.keys(resources).filter((id) => resources[id].Type === LOOKUP_RESOURCE_TYPE);
  const stranger = { ...resources[lookupId], Properties: { ...resources[lookupId].Properties, EmailIdentity: 'not-created-yet.example.com' } };

  const { body } = await create(createLookupHandler(silent), stranger, lookupId);

  expect(body.Status).toBe('FAILED');
  expect(body.Reason).toMatch(/^SES email identity "not-created-yet\.example\.com" does not exist in account 123456789012, region eu-west-1\./);
});

describe('across accounts: the reader role\'s stack, then the lookup\'s', () => {
  /** The stacks in the order the CDK CLI deploys them with --all: each after the stacks it depends on. */
  function stackOrder(assembly: CloudAssembly): CloudFormationStackArtifact[] {
    const order: CloudFormationStackArtifact[] = [];
    const pending = [...assembly.stacks];
    while (pending.length > 0) {
      const ready = pending.find((stack) => stack.dependencies
        .filter((artifact) => artifact instanceof CloudFormationStackArtifact)
        .every((artifact) => order.some((done) => done.id === artifact.id)));
      if (!ready) throw new Error(`A dependency cycle among ${pending.map((stack) => stack.id).join(', ')}`);
      order.push(ready);
      pending.splice(pending.indexOf(ready), 1);
    }
    return order;
  }

  const resolverOf = (stack: CloudFormationStackArtifact) =>
    new TemplateResolver(stack.template as CfnTemplate, stack.stackName, { ...DEPLOY_ENV, account: stack.environment.account });

  test('cdk deploy --all creates the reader role first; the lookup, its records and the gate then read through it', async () => {
    const order = stackOrder(buildCrossAccountApp().synth());
    expect(order.map((stack) => stack.stackName)).toEqual(['SendingAccount', 'DnsAccount']);
    expect(order.map((stack) => stack.environment.account)).toEqual([SENDING_ENV.account, DNS_ENV.account]);

    const published: string[] = [];
    for (const stack of order) {
      const resources = (stack.template as CfnTemplate).Resources;
      const resolver = resolverOf(stack);
      const lookupId = Object.keys(resources).find((id) => resources[id].Type === LOOKUP_RESOURCE_TYPE);
      const data: Record<string, string> = {};
      for (const id of creationOrder(resources)) {
        const resource = resources[id];
        const properties = resource.Properties ?? {};
        if (resource.Type === 'AWS::IAM::Role' && stack.stackName === 'SendingAccount') {
          // IAM accepts the trust now: it names the DNS account, whose lookup role does not exist yet.
          const trustPolicy = resolver.resolve(properties.AssumeRolePolicyDocument) as TrustPolicy;
          const externalId = String(trustPolicy.Statement[0].Condition?.StringEquals?.['sts:ExternalId']);
          fake.allowAssumeRole(String(resolver.resolve({ 'Fn::GetAtt': [id, 'Arn'] })), { accessKeyId: 'ASIAREADER', externalId, trustPolicy });
        } else if (resource.Type === 'AWS::IAM::Role') {
          // The lookup functions' role: from now on, their calls are signed by it.
          fake.setCaller(FUNCTION_ACCESS_KEY_ID, String(resolver.resolve({ 'Fn::GetAtt': [id, 'Arn'] })));
        } else if (resource.Type === LOOKUP_RESOURCE_TYPE) {
          fake.setIdentity('example.com', fullIdentity('example.com'));
          const { body } = await create(createLookupHandler(silent), resource, id, resolver);
          expect(body.Status).toBe('SUCCESS');
          Object.assign(data, body.Data);
        } else if (resource.Type === 'AWS::Route53::RecordSet') {
          published.push(`${resolveWith(data, lookupId!, properties.Name)} CNAME ${resolveWith(data, lookupId!, (properties.ResourceRecords as unknown[])[0])}`);
        } else if (resource.Type === GATE_RESOURCE_TYPE) {
          const { body } = await create(createGateHandler(silent), resource, id, resolver);
          expect(body.Status).toBe('SUCCESS');
        }
      }
    }

    const tokens = fullIdentity('example.com').DkimAttributes!.Tokens!;
    expect(published.sort()).toEqual(tokens.map((token) => `${token}._domainkey.example.com. CNAME ${token}.dkim.amazonses.com`).sort());
    expect(fake.signedRequests.filter((request) => request.accessKeyId === 'ASIAREADER').map((request) => request.name)).toEqual(['example.com', 'example.com']);
  });

  test('without the order, the lookup would have failed: STS refuses a role that does not exist yet', async () => {
    const stranger = await FakeSesServer.start();
    const restore = useLocalAws(stranger.endpoint);
    try {
      const dns = buildCrossAccountApp().synth().getStackByName('DnsAccount');
      const resources = (dns.template as CfnTemplate).Resources;
      const lookupId = Object.keys(resources).find((id) => resources[id].Type === LOOKUP_RESOURCE_TYPE)!;
      stranger.setIdentity('example.com', fullIdentity('example.com'));

      const { body } = await create(createLookupHandler(silent), resources[lookupId], lookupId, resolverOf(dns));

      expect(body.Status).toBe('FAILED');
      expect(body.Reason).toMatch(/^Could not assume role arn:aws:iam::111111111111:role\/SesIdentityReader-eu-west-1-SendingAccount to read "example\.com" .*\(AccessDenied: /);
      expect(stranger.requests).toEqual([]);
    } finally {
      restore();
      await stranger.stop();
    }
  });
});
