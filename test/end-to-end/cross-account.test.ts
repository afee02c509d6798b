/**
 * The cross-account example (examples/cross-account-app.ts) as it would run:
 * the real lookup and gate bundles the DNS account's stack deploys, invoked
 * as Lambda would, against a local fake account whose STS lets in only what
 * the reader role's synthesized trust policy lets in (the lookup functions'
 * role, with the external id), and refuses the rest with AccessDenied.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { CloudFormationStackArtifact } from 'aws-cdk-lib/cx-api';
import { buildCrossAccountApp, DNS_ENV, EXTERNAL_ID, SENDING_ENV } from '../../examples/cross-account-app';
import { FUNCTION_ACCESS_KEY_ID, useLocalAws } from '../../local/aws-environment';
import { createEvent, ResponseReceiver, type ReceivedResponse } from '../../local/cloudformation';
import { FakeSesServer, fullIdentity, trustLetsIn, type TrustPolicy } from '../../local/fake-ses-server';
import { invokeBundle } from '../../local/lambda-runner';
import { asDelivered, DEPLOY_ENV, handlerAssetDir, TemplateResolver, type CfnTemplate } from '../../local/template-resolver';
import { createLookupHandler } from '../../src/handler/lookup';
import { GATE_RESOURCE_TYPE, LOOKUP_RESOURCE_TYPE } from '../../src/shared/wire';
import { FAST_RETRY } from '../support/fast-retry';

const READER_KEY = 'ASIAREADERROLE';

jest.setTimeout(60_000);

let receiver: ResponseReceiver;
let fake: FakeSesServer;
let outdir: string;
let sending: CloudFormationStackArtifact;
let dns: CloudFormationStackArtifact;
let readerArn: string;
let lookupRoleArn: string;
let trust: TrustPolicy;

const resolverOf = (stack: CloudFormationStackArtifact, account: string) =>
  new TemplateResolver(stack.template as CfnTemplate, stack.stackName, { ...DEPLOY_ENV, account });
const idOf = (stack: CloudFormationStackArtifact, type: string) =>
  Object.entries((stack.template as CfnTemplate).Resources).filter(([, resource]) => resource.Type === type).map(([id]) => id);

beforeAll(async () => {
  outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'cross-account-'));
  const assembly = buildCrossAccountApp({ outdir }).synth();
  sending = assembly.getStackByName('SendingAccount');
  dns = assembly.getStackByName('DnsAccount');

  // What IAM would hold once both stacks are deployed.
  const sendingResolver = resolverOf(sending, SENDING_ENV.account);
  const [readerId] = idOf(sending, 'AWS::IAM::Role');
  readerArn = String(sendingResolver.resolve({ 'Fn::GetAtt': [readerId, 'Arn'] }));
  trust = sendingResolver.resolve((sending.template as CfnTemplate).Resources[readerId].Properties!.AssumeRolePolicyDocument) as TrustPolicy;
  const [lookupRoleId] = idOf(dns, 'AWS::IAM::Role');
  lookupRoleArn = String(resolverOf(dns, DNS_ENV.account).resolve({ 'Fn::GetAtt': [lookupRoleId, 'Arn'] }));

  receiver = await ResponseReceiver.start();
  fake = await FakeSesServer.start();
  fake.setIdentity('example.com', fullIdentity('example.com'));
  // The functions sign with their own role's credentials.
  fake.setCaller(FUNCTION_ACCESS_KEY_ID, lookupRoleArn);
  fake.allowAssumeRole(readerArn, { accessKeyId: READER_KEY, externalId: EXTERNAL_ID, trustPolicy: trust });
});

afterAll(async () => {
  await receiver?.stop();
  await fake?.stop();
  if (outdir) fs.rmSync(outdir, { recursive: true, force: true });
});

/** Runs the function behind a custom resource of the DNS stack on a Create of it, with `change` applied to what CloudFormation delivers. */
type Change = (properties: Record<string, unknown>) => Record<string, unknown>;

async function create(type: string, change: Change = (properties) => properties): Promise<ReceivedResponse> {
  const [id] = idOf(dns, type);
  const { ServiceToken: _, ...template } = (dns.template as CfnTemplate).Resources[id].Properties!;
  const properties = change(asDelivered(template, resolverOf(dns, DNS_ENV.account)) as Record<string, unknown>);
  const event = createEvent(properties, {
    responseUrl: receiver.url(),
    logicalResourceId: id,
    resourceType: type,
    stackId: `arn:aws:cloudformation:${DNS_ENV.region}:${DNS_ENV.account}:stack/DnsAccount/00000000-0000-0000-0000-000000000000`,
  });
  const result = await invokeBundle(handlerAssetDir(dns, id), event, {
    env: { AWS_ENDPOINT_URL_SESV2: fake.endpoint, AWS_ENDPOINT_URL_STS: fake.endpoint },
  });
  expect({ exitCode: result.exitCode, stderr: result.stderr }).toMatchObject({ exitCode: 0 });
  return receiver.response(event.ResponseURL);
}

test('the names are the documented ones, and the trust lets in the DNS account\'s lookup role with the external id only', () => {
  expect(readerArn).toBe('arn:aws:iam::111111111111:role/SesIdentityReader-eu-west-1-SendingAccount');
  expect(lookupRoleArn).toBe('arn:aws:iam::222222222222:role/SesIdentityLookup-eu-west-1-DnsAccount');
  expect(trustLetsIn(trust, lookupRoleArn, EXTERNAL_ID)).toBe(true);
  expect(trustLetsIn(trust, lookupRoleArn, 'another-id')).toBe(false);
  expect(trustLetsIn(trust, lookupRoleArn, undefined)).toBe(false);
  // Another role of the trusted account, and the lookup role of an account not trusted.
  expect(trustLetsIn(trust, 'arn:aws:iam::222222222222:role/Admin', EXTERNAL_ID)).toBe(false);
  expect(trustLetsIn(trust, 'arn:aws:iam::333333333333:role/SesIdentityLookup-eu-west-1-DnsAccount', EXTERNAL_ID)).toBe(false);
});

test('the lookup bundle assumes the reader role with the external id and reads the identity with its credentials', async () => {
  const before = { assumed: fake.assumeRoleCalls.length, signed: fake.signedRequests.length };

  const { body } = await create(LOOKUP_RESOURCE_TYPE);

  expect(body.Status).toBe('SUCCESS');
  expect(body.Data).toMatchObject({ IdentityType: 'DOMAIN', DkimTokens: fullIdentity('example.com').DkimAttributes!.Tokens!.join(',') });
  expect(fake.assumeRoleCalls.slice(before.assumed)).toEqual([{ roleArn: readerArn, externalId: EXTERNAL_ID }]);
  expect(fake.signedRequests.slice(before.signed)).toEqual([{ name: 'example.com', accessKeyId: READER_KEY, region: SENDING_ENV.region }]);
});

test('the gate bundle reads through the same role, and passes on a verified identity', async () => {
  const before = fake.assumeRoleCalls.length;

  const { body } = await create(GATE_RESOURCE_TYPE);

  expect(body.Status).toBe('SUCCESS');
  expect(body.Data).toMatchObject({ VerificationStatus: 'SUCCESS' });
  expect(fake.assumeRoleCalls.slice(before)).toEqual([{ roleArn: readerArn, externalId: EXTERNAL_ID }]);
});

test('STS refuses another external id: the bundle fails the lookup with AccessDenied and a reason that names the role', async () => {
  const signed = fake.signedRequests.length;

  const { body } = await create(LOOKUP_RESOURCE_TYPE, (properties) => ({ ...properties, ExternalId: 'guessed' }));

  expect(body.Status).toBe('FAILED');
  expect(body.Reason).toMatch(new RegExp(`^Could not assume role ${readerArn} to read "example\\.com" in account 111111111111, region eu-west-1 .*\\(AccessDenied: `));
  expect(fake.signedRequests.length).toBe(signed);
});

describe('what else STS refuses (the handler in-process, with fast retries)', () => {
  let restoreEnvironment: () => void;
  beforeAll(() => {
    restoreEnvironment = useLocalAws(fake.endpoint);
  });
  afterAll(() => restoreEnvironment());

  /** The lookup's Create as the DNS stack's template delivers it, with `override`. */
  async function createInProcess(override: Record<string, unknown>): Promise<ReceivedResponse> {
    const [id] = idOf(dns, LOOKUP_RESOURCE_TYPE);
    const { ServiceToken: _, ...template } = (dns.template as CfnTemplate).Resources[id].Properties!;
    const properties = JSON.parse(JSON.stringify({ ...asDelivered(template, resolverOf(dns, DNS_ENV.account)) as object, ...override }));
    const event = createEvent(properties, { responseUrl: receiver.url(), logicalResourceId: id });
    await createLookupHandler({ retry: FAST_RETRY, log: () => undefined })(event, { getRemainingTimeInMillis: () => 300_000, invokedFunctionArn: 'arn:aws:lambda:eu-west-1:222222222222:function:lookup' });
    return receiver.response(event.ResponseURL);
  }

  test.each<[string, { readonly AssumeRoleArn?: string; readonly ExternalId?: string }]>([
    ['no external id', { ExternalId: undefined }],
    ['another role of the sending account', { AssumeRoleArn: 'arn:aws:iam::111111111111:role/SesIdentityReader-eu-west-1-Other' }],
  ])('%s: AccessDenied', async (_, override) => {
    const signed = fake.signedRequests.length;

    const { body } = await createInProcess(override);

    expect(body.Status).toBe('FAILED');
    expect(body.Reason).toContain(`Could not assume role ${override.AssumeRoleArn ?? readerArn}`);
    expect(body.Reason).toContain('(AccessDenied: ');
    expect(fake.signedRequests.length).toBe(signed);
  });

  test('a caller the trust does not let in (another role of the DNS account), with the right role and external id: AccessDenied', async () => {
    const ok = await createInProcess({});
    expect(ok.body.Status).toBe('SUCCESS');
    fake.setCaller(FUNCTION_ACCESS_KEY_ID, 'arn:aws:iam::222222222222:role/SomeOtherFunction');
    try {
      const { body } = await createInProcess({});

      expect(body.Status).toBe('FAILED');
      expect(body.Reason).toContain(`Could not assume role ${readerArn}`);
      expect(body.Reason).toContain('(AccessDenied: ');
    } finally {
      fake.setCaller(FUNCTION_ACCESS_KEY_ID, lookupRoleArn);
    }
  });
});
