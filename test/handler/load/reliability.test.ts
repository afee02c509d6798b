/**
 * What docs/behaviour.md's "Reliability and security" section promises, tested:
 * load against a throttling SES, answers of the wrong shape, arbitrary
 * responses, and secrets kept out of the logs.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { GetEmailIdentityCommand, SESv2Client } from '@aws-sdk/client-sesv2';
import { mockClient } from 'aws-sdk-client-mock';
import * as fc from 'fast-check';
import { useLocalAws, FUNCTION_SECRET_ACCESS_KEY } from '../../../local/aws-environment';
import { createEvent, ResponseReceiver, type ReceivedResponse } from '../../../local/cloudformation';
import { FakeSesServer, fullIdentity } from '../../../local/fake-ses-server';
import { invokeBundle, LOOKUP_BUNDLE_DIR } from '../../../local/lambda-runner';
import { MAX_RESPONSE_BYTES } from '../../../src/handler/cloudformation';
import { createLookupHandler } from '../../../src/handler/lookup';
import { lookupPhysicalId } from '../../../src/handler/properties';
import { DEFAULT_RETRY, type RetryOptions } from '../../../src/handler/retry';
import { ATTRIBUTE_NAMES } from '../../../src/shared/attributes';
import { scaledRetry } from '../../support/fast-retry';

let receiver: ResponseReceiver;
let fake: FakeSesServer;
let restoreEnvironment: () => void;

beforeAll(async () => {
  receiver = await ResponseReceiver.start();
});

afterAll(async () => {
  await receiver.stop();
});

afterEach(async () => {
  restoreEnvironment?.();
  await fake?.stop();
});

async function startSes(options: { maxRequestsPerSecond?: number } = {}): Promise<FakeSesServer> {
  fake = await FakeSesServer.start(options);
  restoreEnvironment = useLocalAws(fake.endpoint);
  return fake;
}

/** One lookup in a fresh handler, as in its own Lambda container. */
async function lookUp(emailIdentity: string, retry: RetryOptions): Promise<ReceivedResponse> {
  const handler = createLookupHandler({ retry, log: () => {} });
  const event = createEvent({ EmailIdentity: emailIdentity }, { responseUrl: receiver.url() });
  await handler(event, { getRemainingTimeInMillis: () => 300_000 });
  const response = await receiver.response(event.ResponseURL);
  expect(response.bytes).toBeLessThanOrEqual(MAX_RESPONSE_BYTES);
  return response;
}

describe('load', () => {
  test('100 lookups at once against an SES that throttles: every one succeeds', async () => {
    // SES allows about 1 call a second and the handler backs off from 0.5 s up
    // to 20 s. The same race, ten times faster: 10 calls a second, delays / 10.
    const ses = await startSes({ maxRequestsPerSecond: 10 });
    const scaled = scaledRetry(10);
    const names = Array.from({ length: 100 }, (_, i) => `domain-${i}.example.com`);
    names.forEach((name) => ses.setIdentity(name, fullIdentity(name)));

    const responses = await Promise.all(names.map((name) => lookUp(name, scaled)));

    expect(responses.map((response) => response.body.Status)).toEqual(names.map(() => 'SUCCESS'));
    expect(responses.map((response) => response.body.PhysicalResourceId)).toEqual(names.map((name) => lookupPhysicalId({ EmailIdentity: name })));
    // SES did throttle: far more calls than lookups.
    expect(ses.requests.length).toBeGreaterThan(150);
  }, 60_000);
});

describe('answers of the wrong shape fail with the field named', () => {
  test.each([
    ['DkimAttributes.Tokens', { DkimAttributes: { Tokens: 'abc' } }, /DkimAttributes\.Tokens is a string, not a list of strings/],
    ['Tags', { Tags: [{ Key: 'team' }] }, /Tags is a list, not a list of \{Key, Value\} strings/],
    ['Policies', { Policies: ['p'] }, /Policies is a list, not a map of policy documents/],
    ['VerifiedForSendingStatus', { VerifiedForSendingStatus: 'yes' }, /VerifiedForSendingStatus is a string, not a boolean/],
    ['MailFromAttributes.MailFromDomain', { MailFromAttributes: { MailFromDomain: 7 } }, /MailFromAttributes\.MailFromDomain is a number, not a string/],
  ])('%s', async (_, body, reason) => {
    (await startSes()).setMisshapenIdentity('example.com', { ...fullIdentity('example.com'), ...body });

    const response = await lookUp('example.com', DEFAULT_RETRY);

    expect(response.body.Status).toBe('FAILED');
    expect(response.body.Reason).toMatch(/^SES answered GetEmailIdentity for "example.com" in account 123456789012, region eu-west-1 with a response of unexpected shape: /);
    expect(response.body.Reason).toMatch(reason);
  });

  test('a timestamp that is not one fails as an unreadable answer', async () => {
    (await startSes()).setMisshapenIdentity('example.com', { VerificationInfo: { LastCheckedTimestamp: 'yesterday' } });

    const response = await lookUp('example.com', DEFAULT_RETRY);

    expect(response.body.Status).toBe('FAILED');
    expect(response.body.Reason).toMatch(/"example.com" .*(could not be read|unexpected shape)/);
  });
});

describe('any response at all', () => {
  // Mocks every SESv2Client while it lasts: only inside this block.
  let sesMock: ReturnType<typeof mockClient>;
  beforeAll(() => {
    sesMock = mockClient(SESv2Client);
  });
  afterAll(() => sesMock.restore());

  test('a valid answer within 4096 bytes: every attribute a string, or FAILED with a reason', async () => {
    // Any value in any field the handler reads, including the wrong types.
    const anyValue = fc.oneof(
      fc.anything(),
      fc.date(),
      fc.array(fc.string()),
      fc.string({ maxLength: 300 }),
    );
    const anyResponse = fc.record({
      IdentityType: anyValue,
      VerifiedForSendingStatus: anyValue,
      DkimAttributes: fc.oneof(
        anyValue,
        fc.record({ Tokens: anyValue, Status: anyValue, LastKeyGenerationTimestamp: anyValue }, { requiredKeys: [] }),
      ),
      MailFromAttributes: fc.oneof(anyValue, fc.record({ MailFromDomain: anyValue }, { requiredKeys: [] })),
      VerificationInfo: fc.oneof(anyValue, fc.record({ SOARecord: anyValue, LastCheckedTimestamp: anyValue }, { requiredKeys: [] })),
      Policies: anyValue,
      Tags: anyValue,
    }, { requiredKeys: [] });
    const handler = createLookupHandler({ client: new SESv2Client({ region: 'eu-west-1', credentials: { accessKeyId: 'x', secretAccessKey: 'y' } }), log: () => {} });

    await fc.assert(fc.asyncProperty(anyResponse, async (answer) => {
      sesMock.reset();
      sesMock.on(GetEmailIdentityCommand).resolves({ $metadata: {}, ...(answer as object) });
      const event = createEvent({ EmailIdentity: 'example.com' }, { responseUrl: receiver.url() });
      await handler(event, { getRemainingTimeInMillis: () => 60_000 });
      const { body, bytes } = await receiver.response(event.ResponseURL);

      expect(bytes).toBeLessThanOrEqual(MAX_RESPONSE_BYTES);
      if (body.Status === 'SUCCESS') {
        expect(Object.keys(body.Data ?? {}).sort()).toEqual([...ATTRIBUTE_NAMES].sort());
        expect(Object.values(body.Data ?? {}).every((value) => typeof value === 'string')).toBe(true);
      } else {
        expect(body.Reason).toMatch(/"example.com"/);
      }
    }), { numRuns: 150, seed: 20261129 });
  });
});

describe('secrets stay out of the logs', () => {
  test('the bundled function logs neither its credentials nor the response URL', async () => {
    const ses = await startSes();
    ses.setIdentity('example.com', fullIdentity('example.com'));
    ses.allowAssumeRole('arn:aws:iam::210987654321:role/SesLookup', { accessKeyId: 'ASIAASSUMEDLOOKUP' });
    // A copy outside the repository, so that it can only use what it bundles.
    const bundleDir = fs.mkdtempSync(path.join(os.tmpdir(), 'lookup-bundle-'));
    fs.copyFileSync(path.join(LOOKUP_BUNDLE_DIR, 'index.js'), path.join(bundleDir, 'index.js'));

    for (const properties of [
      { EmailIdentity: 'example.com' },
      { EmailIdentity: 'example.com', AssumeRoleArn: 'arn:aws:iam::210987654321:role/SesLookup' },
      { EmailIdentity: 'missing.example.com' },
    ]) {
      const event = createEvent(properties, { responseUrl: receiver.url() });
      const run = await invokeBundle(bundleDir, event, {
        env: { AWS_ENDPOINT_URL_SESV2: ses.endpoint, AWS_ENDPOINT_URL_STS: ses.endpoint, AWS_SESSION_TOKEN: 'function-session-token' },
      });
      const response = await receiver.response(event.ResponseURL);
      expect(response.body.Status).toBe(properties.EmailIdentity === 'example.com' ? 'SUCCESS' : 'FAILED');

      const output = run.stdout + run.stderr;
      expect(output).toContain('"requestType":"Create"');
      for (const secret of [FUNCTION_SECRET_ACCESS_KEY, 'function-session-token', 'assumed-secret', 'assumed-session-token', new URL(event.ResponseURL).pathname]) {
        expect(output).not.toContain(secret);
      }
    }
  });
});
