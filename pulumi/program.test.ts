/**
 * The README's Pulumi program (index.ts), converted by @pulumi/cdk under
 * Pulumi's unit-test mocks: no Pulumi CLI, no cloud. The mocks record every
 * resource the program asks Pulumi for, with its inputs, and answer as AWS
 * would (ids, names, ARNs; for the custom resources, what their function
 * returns); a stack transformation records each resource's dependencies.
 *
 * `node --import tsx --test program.test.ts`, after the package folder is
 * written (projenrc/pulumi.ts, task test:pulumi).
 */
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { before, test } from 'node:test';
import * as pulumi from '@pulumi/pulumi';
import './cdk-cli-stand-in';
// The library's own names for its resource types and attributes, from the package the program imports.
import { ATTRIBUTE_NAMES } from 'cdk-ses-identity-lookup/lib/shared/attributes';
import { GATE_ATTRIBUTE_NAMES, GATE_RESOURCE_TYPE, LOOKUP_RESOURCE_TYPE } from 'cdk-ses-identity-lookup/lib/shared/wire';

const ACCOUNT = '123456789012';
const REGION = 'eu-west-1';
const DOMAIN = 'example.com';
const HOSTED_ZONE_ID = 'Z0123456789PULUMI';
const EMULATOR = 'aws-native:cloudformation:CustomResourceEmulator';

interface Registered {
  readonly type: string;
  readonly name: string;
  readonly inputs: Record<string, any>;
}
const registered: Registered[] = [];
/** Each resource's dependsOn, as `type name` of each resource it names. */
const dependencies = new Map<string, string[]>();
const keyOf = new Map<pulumi.Resource, string>();

// What `pulumi config set` writes to Pulumi.dev.yaml: the providers' region, and the program's own settings.
pulumi.runtime.setAllConfig({ 'aws:region': REGION, 'aws-native:region': REGION, 'mail:domain': DOMAIN, 'mail:hostedZoneId': HOSTED_ZONE_ID });
pulumi.runtime.setMocks({
  call: ({ token }) => {
    const answers: Record<string, Record<string, string>> = {
      'aws-native:index:getAccountId': { accountId: ACCOUNT },
      'aws-native:index:getRegion': { region: REGION },
      'aws-native:index:getPartition': { partition: 'aws' },
      'aws-native:index:getUrlSuffix': { urlSuffix: 'amazonaws.com' },
      'aws:index/getCallerIdentity:getCallerIdentity': { accountId: ACCOUNT },
      'aws:index/getRegion:getRegion': { name: REGION, region: REGION },
      'aws:index/getPartition:getPartition': { partition: 'aws' },
    };
    return answers[token] ?? {};
  },
  newResource: ({ type, name, inputs }) => {
    registered.push({ type, name, inputs });
    return { id: `${name}-id`, state: { ...inputs, ...outputsOf(type, name, inputs) } };
  },
}, 'mail', 'dev', false);
function attributeNames(resourceType: string): readonly string[] {
  return resourceType === LOOKUP_RESOURCE_TYPE ? ATTRIBUTE_NAMES : GATE_ATTRIBUTE_NAMES;
}

/** What AWS would answer for a resource: ARNs, and for the custom resources what their function would return. */
function outputsOf(type: string, name: string, inputs: Record<string, any>): Record<string, unknown> {
  switch (type) {
    case 'aws-native:lambda:Function':
      return { arn: functionArn(name) };
    case EMULATOR:
      // Every attribute the function answers, each value its name in lower case: the DKIM records read dkimtoken1...
      return { physicalResourceId: `${name}-physical-id`, data: Object.fromEntries(attributeNames(inputs.resourceType).map((attribute) => [attribute, attribute.toLowerCase()])) };
    default: {
      // A name, id and ARN under the names aws-native gives them (aws-native:logs:LogGroup: logGroupName, ...).
      const [, service, kind] = type.split(':');
      const sdkName = kind.charAt(0).toLowerCase() + kind.slice(1);
      const arn = `arn:aws:${service}:${REGION}:${ACCOUNT}:${name}`;
      return { arn, [`${sdkName}Arn`]: arn, [`${sdkName}Id`]: `${name}-id`, [`${sdkName}Name`]: name };
    }
  }
}

function functionArn(name: string): string {
  return `arn:aws:lambda:${REGION}:${ACCOUNT}:function:${name}`;
}

before(async () => {
  // A conversion error surfaces as an unhandled rejection: it fails the run, with its message.
  const failed = new Promise((_, reject) => process.on('unhandledRejection', reject));
  // As `pulumi up` runs it: inside the root stack, whose outputs are the program's exports.
  const run = pulumi.runtime.runInPulumiStack(async () => {
  pulumi.runtime.registerStackTransformation(({ resource, type, name, opts }) => {
    keyOf.set(resource, `${type} ${name}`);
    const dependsOn = opts.dependsOn as pulumi.Resource | pulumi.Resource[] | undefined;
    dependencies.set(`${type} ${name}`, [dependsOn ?? []].flat().map((dependency) => keyOf.get(dependency) ?? '?'));
    return undefined;
  });
    return import('./index.js');
  });
  await Promise.race([run, failed]);
  // Every registration the program started, done: the RPC queue drained.
  await Promise.race([pulumi.runtime.disconnect(), failed]);
});

function ofType(type: string): Registered[] {
  return registered.filter((resource) => resource.type === type);
}

function named(type: string, name: string): Registered {
  const [resource, ...others] = registered.filter((candidate) => candidate.type === type && candidate.name === name);
  assert.ok(resource, `no ${type} ${name} among: ${registered.map((r) => `${r.type} ${r.name}`).join(', ')}`);
  assert.equal(others.length, 0);
  return resource;
}

test('the lookup and the gate become CustomResourceEmulators of the stack\'s functions, with their properties', () => {
  const emulators = ofType(EMULATOR);
  assert.deepEqual(emulators.map((emulator) => emulator.name).sort(), ['Identity', 'Verified']);
  const lookup = named(EMULATOR, 'Identity');
  assert.deepEqual(lookup.inputs, {
    stackId: 'MailStack',
    resourceType: LOOKUP_RESOURCE_TYPE,
    serviceToken: functionArn('SesIdentityLookupFn'),
    bucketKeyPrefix: 'deploy-time/pulumi/custom-resources/MailStack/Identity',
    customResourceProperties: {
      ServiceToken: functionArn('SesIdentityLookupFn'),
      ServiceTimeout: '960',
      EmailIdentity: DOMAIN,
      Requirements: ['EasyDkimRecords'],
    },
  });
  const gate = named(EMULATOR, 'Verified');
  assert.deepEqual(gate.inputs, {
    stackId: 'MailStack',
    resourceType: GATE_RESOURCE_TYPE,
    serviceToken: functionArn('SesIdentityLookupGateFn'),
    bucketKeyPrefix: 'deploy-time/pulumi/custom-resources/MailStack/Verified',
    customResourceProperties: {
      ServiceToken: functionArn('SesIdentityLookupGateFn'),
      ServiceTimeout: '2820',
      EmailIdentity: DOMAIN,
      Conditions: ['IdentityVerified', 'SendingEnabled'],
      PollIntervalSeconds: '30',
      TimeoutSeconds: '2700',
    },
  });
  // Both functions are the stack's: one Lambda function each.
  assert.deepEqual(ofType('aws-native:lambda:Function').map((fn) => fn.name).sort(), ['SesIdentityLookupFn', 'SesIdentityLookupGateFn']);
});

test('the DKIM records go into the zone given by attributes, named by the lookup\'s answer', () => {
  const records = ofType('aws:route53/record:Record');
  assert.deepEqual(records.map((record) => ({ name: record.name, zoneId: record.inputs.zoneId, type: record.inputs.type, recordName: record.inputs.name })), [1, 2, 3].map((n) => ({
    name: `RecordsDkim${n}`, zoneId: HOSTED_ZONE_ID, type: 'CNAME', recordName: `dkimtoken${n}._domainkey.${DOMAIN}.`,
  })));
});

/** Every policy document in `value`: objects with a Statement list, or JSON strings of them. */
function policyDocuments(value: unknown): Array<{ Statement: Array<Record<string, unknown>> }> {
  if (typeof value === 'string') {
    if (!value.trimStart().startsWith('{')) return [];
    try {
      return policyDocuments(JSON.parse(value));
    } catch {
      return [];
    }
  }
  if (Array.isArray(value)) return value.flatMap(policyDocuments);
  if (value === null || typeof value !== 'object') return [];
  const record = value as Record<string, unknown>;
  const own = Array.isArray(record.Statement) ? [record as { Statement: Array<Record<string, unknown>> }] : [];
  return [...own, ...Object.values(record).flatMap(policyDocuments)];
}

test('every IAM policy resource in the converted program is an ARN or *', () => {
  const resources = registered.flatMap((resource) => policyDocuments(resource.inputs)
    .flatMap((document) => document.Statement)
    .flatMap((statement) => [statement.Resource ?? []].flat().map((arn) => ({ resource: `${resource.type} ${resource.name}`, arn }))));
  // The functions' role policy (logs, DescribeStacks), the gate's self-invoke, the identity read, the staging bucket's policy.
  assert.ok(resources.length >= 5, JSON.stringify(resources));
  assert.deepEqual(resources.filter(({ arn }) => !(typeof arn === 'string' && (arn === '*' || /^arn:[^:]+:[^:]+:/.test(arn)))), []);
});

test('what the gate holds back depends on it', () => {
  assert.ok(dependencies.get('aws-native:cognito:UserPool Users')?.includes(`${EMULATOR} Verified`), JSON.stringify(dependencies.get('aws-native:cognito:UserPool Users')));
});

test('the README shows this program', () => {
  const readme = fs.readFileSync(path.join(__dirname, '..', 'README.md'), 'utf8');
  const section = readme.match(/^## Use from Pulumi\n([\s\S]*?)(?=^## )/m)?.[1] ?? '';
  const shown = section.match(/^`pulumi\/index\.ts`:\n\n```TypeScript\n([\s\S]*?)^```$/m)?.[1];
  assert.equal(shown, fs.readFileSync(path.join(__dirname, 'index.ts'), 'utf8'));
});
