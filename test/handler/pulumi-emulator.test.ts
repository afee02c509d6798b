/**
 * The real lookup and gate handlers driven as Pulumi's CustomResourceEmulator
 * (pulumi-aws-native, cfn_custom_resource.go) drives them under @pulumi/cdk:
 * its events are aws-lambda-go's cfn.Event (no top-level ServiceToken), with
 * the stack's construct id as StackId (`MailStack`, not an ARN), the
 * properties as strings, and a pre-signed S3 PUT URL as ResponseURL, here
 * served on 127.0.0.1; a replacing Update (a new physical id) is followed by
 * its Delete of the old id. The real SES client talks to the fake SES.
 *
 * Each answers as under CloudFormation (the same event with a stack ARN is
 * the reference), asks CloudFormation nothing (there is no stack to ask),
 * and logs nothing that would alarm a Pulumi user.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { createEvent, deleteEvent, TEST_ACCOUNT, TEST_REGION, updateEvent, type ReceivedResponse } from '../../local/cloudformation';
import { fullIdentity, pendingIdentity, verifiedIdentity } from '../../local/fake-ses-server';
import type { Clock, HandlerEvent } from '../../src/handler/cloudformation';
import { createGateHandler } from '../../src/handler/gate';
import { createLookupHandler } from '../../src/handler/lookup';
import { gatePhysicalId, lookupPhysicalId, parseGateProperties, parseLookupProperties } from '../../src/handler/properties';
import { GATE_RESOURCE_TYPE, LOOKUP_RESOURCE_TYPE } from '../../src/shared/wire';
import { FAST_RETRY } from '../support/fast-retry';
import { localAwsForEachTest } from '../support/local-aws';

const DOMAIN = 'example.com';
/** What the emulator sends as StackId: @pulumi/cdk's `stackId: stack.node.id`. */
const PULUMI_STACK_ID = 'MailStack';
const CLOUDFORMATION_STACK_ID = `arn:aws:cloudformation:${TEST_REGION}:${TEST_ACCOUNT}:stack/MailStack/5e6b4a2c-1f0d-4c1e-9a57-0d3c2f1b8e90`;
const LOOKUP_FUNCTION = `arn:aws:lambda:${TEST_REGION}:${TEST_ACCOUNT}:function:SesIdentityLookupFn`;
const GATE_FUNCTION = `arn:aws:lambda:${TEST_REGION}:${TEST_ACCOUNT}:function:SesIdentityLookupGateFn`;

// A Lambda in eu-west-1 whose SES endpoint, and CloudFormation's, is the fake.
const local = localAwsForEachTest((endpoint) => ({ AWS_ENDPOINT_URL: endpoint }));

/**
 * An S3 pre-signed PUT URL as the emulator makes one (bucket, key prefix,
 * request id, SigV4 query), on the local receiver; the signature is the credential.
 */
function presignedUrl(logicalId: string, requestId: string): { url: string; signature: string } {
  const signature = randomBytes(32).toString('hex');
  const query = new URLSearchParams({
    'X-Amz-Algorithm': 'AWS4-HMAC-SHA256',
    'X-Amz-Credential': `ASIALOCALTEST/20261208/${TEST_REGION}/s3/aws4_request`,
    'X-Amz-Date': '20261208T020000Z',
    'X-Amz-Expires': '960',
    'X-Amz-SignedHeaders': 'host',
    'X-Amz-Signature': signature,
  });
  const key = `pulumi-cdk-mail-dev-staging/deploy-time/pulumi/custom-resources/${PULUMI_STACK_ID}/${logicalId}/${requestId}.json`;
  return { url: `http://127.0.0.1:${local.receiver.port}/${key}?${query}`, signature };
}

/** The event as the emulator sends it: cfn.Event's fields only, through JSON, as Lambda delivers it. */
function emulated(event: HandlerEvent, stackId = PULUMI_STACK_ID): { event: HandlerEvent; signature: string } {
  const { url, signature } = presignedUrl(event.LogicalResourceId, event.RequestId);
  const delivered: HandlerEvent = JSON.parse(JSON.stringify({ ...event, ServiceToken: undefined, StackId: stackId, ResponseURL: url }));
  return { event: delivered, signature };
}

/** The properties @pulumi/cdk passes (customResourceProperties: ServiceToken and ServiceTimeout among them, as strings). */
function lookupProperties(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return { ServiceToken: LOOKUP_FUNCTION, ServiceTimeout: '960', EmailIdentity: DOMAIN, Requirements: ['EasyDkimRecords'], ...overrides };
}

function gateProperties(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  const conditions = ['IdentityVerified', 'SendingEnabled'];
  return { ServiceToken: GATE_FUNCTION, ServiceTimeout: '2820', EmailIdentity: DOMAIN, Conditions: conditions, PollIntervalSeconds: '30', TimeoutSeconds: '2700', ...overrides };
}

const eventOptions = (logicalResourceId: string, resourceType: string) => ({ responseUrl: 'https://replaced.invalid/', logicalResourceId, resourceType });
const lookupOptions = eventOptions('Identity', LOOKUP_RESOURCE_TYPE);
const gateOptions = eventOptions('Verified', GATE_RESOURCE_TYPE);

function lookupId(properties: Record<string, unknown>): string {
  const parsed = parseLookupProperties(properties);
  if (typeof parsed === 'string') throw new Error(parsed);
  return lookupPhysicalId(parsed);
}

function gateId(properties: Record<string, unknown>): string {
  const parsed = parseGateProperties(properties);
  if (typeof parsed === 'string') throw new Error(parsed);
  return gatePhysicalId(parsed);
}

/** Time that passes only when a handler sleeps between polls. */
function fakeClock(): Clock {
  let now = Date.parse('2026-12-08T02:00:00.000Z');
  return { now: () => now, sleep: async (ms) => { now += ms; } };
}

interface Served {
  readonly response: ReceivedResponse;
  readonly logs: string[];
}

/**
 * One invocation as Lambda runs it (a fresh handler, the function's ARN in
 * its context), then what the emulator found at its URL. A gate that hands
 * over invokes itself again, as Lambda's asynchronous Invoke would.
 */
interface ServeOptions {
  readonly remainingMs?: number;
  readonly clock?: Clock;
  readonly onHandOver?: () => void;
}

async function serve(kind: 'lookup' | 'gate', sent: { event: HandlerEvent; signature: string }, options: ServeOptions = {}): Promise<Served> {
  const logs: string[] = [];
  const clock = options.clock ?? fakeClock();
  const log = (line: string) => logs.push(line);
  const invoke = async (event: HandlerEvent, remainingMs: number): Promise<void> => {
    const handler = kind === 'lookup'
      ? createLookupHandler({ retry: FAST_RETRY, log, clock })
      : createGateHandler({
        retry: FAST_RETRY,
        log,
        clock,
        resolver: { resolveCname: async () => [], resolveMx: async () => [], resolveTxt: async () => [] },
        continueLater: async (functionArn, next) => {
          expect(functionArn).toBe(GATE_FUNCTION);
          options.onHandOver?.();
          await invoke(JSON.parse(JSON.stringify(next)), 15 * 60_000);
        },
      });
    const end = clock.now() + remainingMs;
    await handler(event, { invokedFunctionArn: kind === 'lookup' ? LOOKUP_FUNCTION : GATE_FUNCTION, getRemainingTimeInMillis: () => end - clock.now() });
  };
  await invoke(sent.event, options.remainingMs ?? 15 * 60_000);
  const response = await local.receiver.response(sent.event.ResponseURL, 5_000);
  // What the emulator reads back: the envelope of its own request.
  const { StackId, RequestId, LogicalResourceId } = sent.event;
  expect(response.body).toMatchObject({ StackId, RequestId, LogicalResourceId });
  // The pre-signed URL is a credential.
  expect(logs.join('\n')).not.toContain(sent.signature);
  if (sent.event.StackId === PULUMI_STACK_ID) {
    // A Pulumi user sees no rollback check, and an answer that succeeded logs no error.
    expect(logs.filter((line) => /stackStatus/.test(line) || (response.body.Status === 'SUCCESS' && /rror|xception/.test(line)))).toEqual([]);
  }
  return { response, logs };
}

describe('a lookup under the emulator', () => {
  beforeEach(() => local.fake.setIdentity(DOMAIN, fullIdentity(DOMAIN)));

  test('Create: SUCCESS with the attributes, under the id CloudFormation would get', async () => {
    const { response } = await serve('lookup', emulated(createEvent(lookupProperties(), lookupOptions)));

    expect(response.body.Status).toBe('SUCCESS');
    expect(response.body.PhysicalResourceId).toBe(lookupId(lookupProperties()));
    expect(response.body.Data).toMatchObject({ VerificationStatus: 'SUCCESS', DkimToken1: expect.any(String) });
    expect(local.fake.describeStacksCalls).toEqual([]);
  });

  test('an Update that changes only ServiceTimeout keeps the id: the emulator sends no Delete', async () => {
    const old = lookupProperties();
    const { response } = await serve('lookup', emulated(updateEvent(lookupProperties({ ServiceTimeout: '900' }), old, lookupId(old), lookupOptions)));

    expect(response.body).toMatchObject({ Status: 'SUCCESS', PhysicalResourceId: lookupId(old) });
    expect(local.fake.describeStacksCalls).toEqual([]);
  });

  test('an Update that replaces: a new id, then the emulator\'s Delete of the old one succeeds', async () => {
    const old = lookupProperties();
    const changed = lookupProperties({ RefreshToken: 'build-2' });
    const update = await serve('lookup', emulated(updateEvent(changed, old, lookupId(old), lookupOptions)));
    expect(update.response.body).toMatchObject({ Status: 'SUCCESS', PhysicalResourceId: lookupId(changed) });
    expect(lookupId(changed)).not.toBe(lookupId(old));

    // cfn_custom_resource.go: the old id, the old properties, the StackId kept in its state.
    const cleanUp = await serve('lookup', emulated(deleteEvent(old, lookupId(old), lookupOptions)));
    expect(cleanUp.response.body).toMatchObject({ Status: 'SUCCESS', PhysicalResourceId: lookupId(old) });
    expect(local.fake.requests).toEqual([DOMAIN]);
    expect(local.fake.describeStacksCalls).toEqual([]);
  });

  test('an Update whose requirement SES cannot meet fails with CloudFormation\'s reason, asking no stack for its status', async () => {
    // Without a MAIL FROM domain, which the changed lookup requires.
    const withoutMailFrom = verifiedIdentity(DOMAIN);
    delete withoutMailFrom.MailFromAttributes;
    local.fake.setIdentity(DOMAIN, withoutMailFrom);
    const old = lookupProperties();
    const changed = lookupProperties({ Requirements: ['EasyDkimRecords', 'MailFromRecords'] });
    const build = () => updateEvent(changed, old, lookupId(old), lookupOptions);
    local.fake.setStackStatus(CLOUDFORMATION_STACK_ID, 'UPDATE_IN_PROGRESS');
    const underCloudFormation = await serve('lookup', emulated(build(), CLOUDFORMATION_STACK_ID));
    expect(local.fake.describeStacksCalls).toEqual([CLOUDFORMATION_STACK_ID]);

    const { response } = await serve('lookup', emulated(build()));

    expect(response.body.Status).toBe('FAILED');
    expect(response.body.Reason).toBe(underCloudFormation.response.body.Reason);
    expect(response.body.PhysicalResourceId).toBe(lookupId(old));
    expect(local.fake.describeStacksCalls).toEqual([CLOUDFORMATION_STACK_ID]);
  });

  test('a Create of an identity SES does not have fails with CloudFormation\'s reason, naming the account', async () => {
    const missing = lookupProperties({ EmailIdentity: 'missing.example.com', Requirements: undefined });
    const underCloudFormation = await serve('lookup', emulated(createEvent(missing, lookupOptions), CLOUDFORMATION_STACK_ID));

    const { response } = await serve('lookup', emulated(createEvent(missing, lookupOptions)));

    expect(response.body.Status).toBe('FAILED');
    expect(response.body.Reason).toBe(underCloudFormation.response.body.Reason);
    expect(response.body.Reason).toContain(`account ${TEST_ACCOUNT}`);
  });

  test('Delete: SUCCESS, without calling SES', async () => {
    const { response } = await serve('lookup', emulated(deleteEvent(lookupProperties(), lookupId(lookupProperties()), lookupOptions)));

    expect(response.body).toMatchObject({ Status: 'SUCCESS', PhysicalResourceId: lookupId(lookupProperties()) });
    expect(local.fake.requests).toEqual([]);
  });
});

describe('a gate under the emulator', () => {
  test('Create of a verified identity: SUCCESS at once', async () => {
    local.fake.setIdentity(DOMAIN, verifiedIdentity(DOMAIN));
    const { response } = await serve('gate', emulated(createEvent(gateProperties(), gateOptions)));

    expect(response.body).toMatchObject({ Status: 'SUCCESS', PhysicalResourceId: gateId(gateProperties()), Data: { VerificationStatus: 'SUCCESS', WaitedSeconds: '0' } });
    expect(local.fake.describeStacksCalls).toEqual([]);
  });

  test('a replacing Update that waits hands over to itself, whose next invocation answers the emulator\'s URL; then the old id\'s Delete', async () => {
    const old = gateProperties();
    const changed = gateProperties({ TimeoutSeconds: '3000' });
    local.fake.setIdentity(DOMAIN, pendingIdentity(DOMAIN));
    const clock = fakeClock();
    let handOvers = 0;
    // An invocation with too little time left for the next poll hands over; the identity verifies meanwhile.
    const { response, logs } = await serve('gate', emulated(updateEvent(changed, old, gateId(old), gateOptions)), {
      clock,
      remainingMs: 40_000,
      onHandOver: () => {
        handOvers++;
        local.fake.setIdentity(DOMAIN, verifiedIdentity(DOMAIN));
      },
    });

    expect(handOvers).toBe(1);
    expect(logs.map((line) => JSON.parse(line).status)).toEqual(['SUCCESS', 'WAITING']);
    expect(response.body).toMatchObject({ Status: 'SUCCESS', PhysicalResourceId: gateId(changed), Data: { VerificationStatus: 'SUCCESS' } });
    expect(local.fake.requests).toEqual([DOMAIN, DOMAIN]);
    expect(local.fake.describeStacksCalls).toEqual([]);

    const cleanUp = await serve('gate', emulated(deleteEvent(old, gateId(old), gateOptions)));
    expect(cleanUp.response.body).toMatchObject({ Status: 'SUCCESS', PhysicalResourceId: gateId(old) });
  });

  test('an Update that times out fails with CloudFormation\'s reason, asking no stack for its status', async () => {
    local.fake.setIdentity(DOMAIN, pendingIdentity(DOMAIN));
    const old = gateProperties();
    const changed = gateProperties({ TimeoutSeconds: '60' });
    const build = () => updateEvent(changed, old, gateId(old), { ...gateOptions, requestId: randomUUID() });
    local.fake.setStackStatus(CLOUDFORMATION_STACK_ID, 'UPDATE_IN_PROGRESS');
    const underCloudFormation = await serve('gate', emulated(build(), CLOUDFORMATION_STACK_ID));
    expect(local.fake.describeStacksCalls).toEqual([CLOUDFORMATION_STACK_ID]);

    const { response } = await serve('gate', emulated(build()));

    expect(response.body.Status).toBe('FAILED');
    expect(response.body.Reason).toMatch(/^Gate on "example\.com" timed out after 60 s/);
    expect(response.body.Reason).toBe(underCloudFormation.response.body.Reason);
    expect(local.fake.describeStacksCalls).toEqual([CLOUDFORMATION_STACK_ID]);
  });
});
