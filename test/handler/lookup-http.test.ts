/**
 * The real handler and the real SES v2 client, talking HTTP to a fake SES on
 * 127.0.0.1 and answering a fake CloudFormation response URL. What the mocked
 * handler tests cannot show: identity names survive the SDK's URL encoding,
 * the SDK maps SES's wire errors as the handler expects, retries and the
 * deadline work on real sockets, and timestamps arrive as SES sends them.
 */
import type { CloudFormationCustomResourceEvent } from 'aws-lambda';
import { useLocalAws } from '../../local/aws-environment';
import {
  createEvent,
  deleteEvent,
  ResponseReceiver,
  TEST_ACCOUNT,
  TEST_REGION,
  updateEvent,
  type ReceivedResponse,
} from '../../local/cloudformation';
import { emptyIdentity, FakeSesServer, fullIdentity, type ErrorStep, type FaultStep } from '../../local/fake-ses-server';
import { MAX_RESPONSE_BYTES } from '../../src/handler/cloudformation';
import { createLookupHandler } from '../../src/handler/lookup';
import { lookupPhysicalId } from '../../src/handler/properties';
import type { RetryOptions } from '../../src/handler/retry';
import { ATTRIBUTE_NAMES } from '../../src/shared/attributes';
import type { Requirement } from '../../src/shared/wire';
import { FAST_RETRY } from '../support/fast-retry';


let receiver: ResponseReceiver;
let fake: FakeSesServer;
let restoreEnvironment: (() => void) | undefined;

beforeAll(async () => {
  receiver = await ResponseReceiver.start();
});

afterAll(async () => {
  await receiver.stop();
});

beforeEach(async () => {
  useFake(await FakeSesServer.start());
});

afterEach(async () => {
  restoreEnvironment?.();
  restoreEnvironment = undefined;
  await fake.stop();
});

/** Points every client created from now on at `server`, as a Lambda's environment would. */
function useFake(server: FakeSesServer): void {
  restoreEnvironment?.();
  fake = server;
  // CloudFormation (DescribeStacks, for rollbacks) too, through the global endpoint.
  restoreEnvironment = useLocalAws(server.endpoint, { AWS_ENDPOINT_URL: server.endpoint });
}

interface RunOptions {
  readonly retry?: RetryOptions;
  readonly reserveMs?: number;
  /** What the Lambda context reports as time left when the handler starts. */
  readonly remainingMs?: number;
}

/**
 * Runs a fresh handler (so a fresh client from SesClients, as in a new
 * Lambda container) on one event; returns what CloudFormation received.
 * Checks what must hold for every response.
 */
/** What the handler logged in the last run(). */
let logLines: string[] = [];

async function run(event: CloudFormationCustomResourceEvent, options: RunOptions = {}): Promise<ReceivedResponse> {
  logLines = [];
  const handler = createLookupHandler({ retry: options.retry ?? FAST_RETRY, reserveMs: options.reserveMs, log: (line) => logLines.push(line) });
  const end = Date.now() + (options.remainingMs ?? 300_000);
  await handler(event, { getRemainingTimeInMillis: () => end - Date.now() });

  const response = await receiver.response(event.ResponseURL);
  expect(response.bytes).toBeLessThanOrEqual(MAX_RESPONSE_BYTES);
  expect(response.body).toMatchObject({ StackId: event.StackId, RequestId: event.RequestId, LogicalResourceId: event.LogicalResourceId });
  // The response URL is a credential.
  expect(logLines.join('\n')).not.toContain(new URL(event.ResponseURL).pathname);
  return response;
}

function create(emailIdentity: string) {
  return createEvent({ EmailIdentity: emailIdentity }, { responseUrl: receiver.url() });
}

/** An Update from a lookup of `from`, which named the resource after it. */
function update(emailIdentity: string, from: string) {
  return updateEvent({ EmailIdentity: emailIdentity }, { EmailIdentity: from }, from, { responseUrl: receiver.url() });
}

const where = new RegExp(`account ${TEST_ACCOUNT}, region ${TEST_REGION}`);

describe('identity names reach SES exactly as given', () => {
  test.each([
    ['an address with "+"', 'team+ses@example.com'],
    ['an address', 'ops@example.com'],
    ['a domain in mixed case', 'Example.COM'],
    ['an internationalized domain', 'bücher.example'],
    ['the same domain in punycode', 'xn--bcher-kva.example'],
    // Would break if anything decoded twice, or split the path on "/".
    ['an address with "%"', '100%real@example.com'],
    ['an address with "/"', 'a/b@example.com'],
  ])('%s: %s', async (_, name) => {
    const type = name.includes('@') ? 'EMAIL_ADDRESS' : 'DOMAIN';
    fake.setIdentity(name, { IdentityType: type, VerificationStatus: 'SUCCESS' });

    const { body } = await run(create(name));

    expect(fake.requests).toEqual([name]);
    expect(body.Status).toBe('SUCCESS');
    expect(body.PhysicalResourceId).toBe(lookupPhysicalId({ EmailIdentity: name }));
    expect(body.Data).toMatchObject({ IdentityType: type, VerificationStatus: 'SUCCESS' });
  });
});

describe('SES errors', () => {
  test('an unknown identity fails, naming the identity, account and region', async () => {
    const event = create('missing.example.com');

    const { body } = await run(event);

    expect(body.Status).toBe('FAILED');
    expect(body.Reason).toContain('"missing.example.com" does not exist');
    expect(body.Reason).toMatch(where);
    expect(body.Reason).toContain('NotFoundException');
    // A failed Create has no resource yet.
    expect(body.PhysicalResourceId).toBe(event.RequestId);
    expect(fake.requests).toEqual(['missing.example.com']);
  });

  test('throttling is retried, then the lookup succeeds', async () => {
    fake.setIdentity('example.com', fullIdentity('example.com'))
      .script('example.com', [{ status: 429, errorType: 'TooManyRequestsException' }]);

    const { body } = await run(create('example.com'));

    expect(body.Status).toBe('SUCCESS');
    expect(fake.requests).toEqual(['example.com', 'example.com']);
  });

  test('repeated server errors fail after the last attempt, saying how many', async () => {
    const internalFailure: FaultStep = { status: 500, errorType: 'InternalFailure' };
    // A fourth request would succeed: the handler must stop at maxAttempts.
    fake.setIdentity('example.com', fullIdentity('example.com'))
      .script('example.com', [internalFailure, internalFailure, internalFailure]);

    const { body } = await run(create('example.com'));

    expect(body.Status).toBe('FAILED');
    expect(body.Reason).toContain('after 3 attempts');
    expect(body.Reason).toContain('InternalFailure');
    expect(body.Reason).toMatch(where);
    expect(fake.requests).toHaveLength(3);
  });

  test.each([
    [{ status: 400, errorType: 'BadRequestException' }, /SES rejected "example.com" .* \(BadRequestException/],
    [{ status: 403, errorType: 'AccessDeniedException' }, /may not call ses:GetEmailIdentity on "example.com" .* \(AccessDeniedException/],
  ])('client error %j fails at once with an actionable reason', async (step, reason) => {
    fake.setIdentity('example.com', fullIdentity('example.com')).script('example.com', [step]);

    const { body } = await run(create('example.com'));

    expect(body.Status).toBe('FAILED');
    expect(body.Reason).toMatch(reason);
    expect(body.Reason).toMatch(where);
    expect(fake.requests).toHaveLength(1);
  });

  test('a response that is not JSON fails, saying it could not be read', async () => {
    fake.setIdentity('example.com', fullIdentity('example.com')).script('example.com', ['malformed']);

    const { body } = await run(create('example.com'));

    expect(body.Status).toBe('FAILED');
    expect(body.Reason).toMatch(
      /^SES answered GetEmailIdentity for "example.com" in account 123456789012, region eu-west-1 with a response that could not be read \(SyntaxError: [^\n]+\)\. Deploy again/,
    );
    expect(body.Reason).not.toContain('\n');
  });

  test('SES never answering fails at the deadline, before the Lambda timeout', async () => {
    fake.setIdentity('example.com', fullIdentity('example.com')).script('example.com', ['hang']);
    const started = Date.now();

    // 2 s left, 1 s kept back to answer: give up on SES after 1 s.
    const { body } = await run(create('example.com'), { remainingMs: 2_000, reserveMs: 1_000 });
    const elapsed = Date.now() - started;

    expect(body.Status).toBe('FAILED');
    expect(body.Reason).toContain('SES did not answer GetEmailIdentity for "example.com"');
    expect(body.Reason).toMatch(where);
    expect(elapsed).toBeGreaterThanOrEqual(950);
    expect(elapsed).toBeLessThan(2_000);
    expect(fake.requests).toEqual(['example.com']);
  });

  test('AccessDenied just after a permission was added is retried while IAM catches up', async () => {
    fake.setIdentity('example.com', fullIdentity('example.com'))
      .script('example.com', [{ status: 403, errorType: 'AccessDeniedException' }, { status: 403, errorType: 'AccessDeniedException' }]);

    const { body } = await run(create('example.com'), { retry: { ...FAST_RETRY, maxAttempts: 5, accessDeniedGraceMs: 10_000 } });

    expect(body.Status).toBe('SUCCESS');
    expect(fake.requests).toHaveLength(3);
  });

  test('throttling beyond the retries fails with advice', async () => {
    await fake.stop();
    useFake(await FakeSesServer.start({ maxRequestsPerSecond: 2 }));
    fake.setIdentity('example.com', fullIdentity('example.com'));
    const once: RunOptions = { retry: { ...FAST_RETRY, maxAttempts: 1 } };

    // Three lookups at once, as from parallel stacks: one is over the rate.
    const bodies = (await Promise.all([1, 2, 3].map(() => run(create('example.com'), once)))).map((response) => response.body);

    expect(bodies.map((body) => body.Status).sort()).toEqual(['FAILED', 'SUCCESS', 'SUCCESS']);
    expect(fake.requests).toHaveLength(3);
    const failed = bodies.find((body) => body.Status === 'FAILED')!;
    expect(failed.Reason).toMatch(/^SES kept throttling GetEmailIdentity for "example.com" .* \(TooManyRequestsException\)/);
  });
});

describe('attributes', () => {
  test('a full identity: every attribute, in the documented encoding', async () => {
    const identity = fullIdentity('example.com');
    fake.setIdentity('example.com', identity);
    const tokens = identity.DkimAttributes!.Tokens!;

    const { body, raw } = await run(create('example.com'));

    expect(body.Status).toBe('SUCCESS');
    expect(Object.keys(body.Data!)).toEqual([...ATTRIBUTE_NAMES]);
    expect(body.Data).toEqual({
      IdentityType: 'DOMAIN',
      VerificationStatus: 'SUCCESS',
      VerifiedForSendingStatus: 'true',
      FeedbackForwardingEnabled: 'false',
      ConfigurationSetName: 'transactional',
      DkimSigningEnabled: 'true',
      DkimStatus: 'SUCCESS',
      DkimTokens: tokens.join(','),
      DkimToken1: tokens[0],
      DkimToken2: tokens[1],
      DkimToken3: tokens[2],
      DkimSigningAttributesOrigin: 'AWS_SES',
      DkimSigningHostedZone: 'dkim.amazonses.com',
      DkimCnameDomain: 'dkim.amazonses.com',
      DkimCurrentSigningKeyLength: 'RSA_2048_BIT',
      DkimNextSigningKeyLength: 'RSA_2048_BIT',
      // SES sends epoch seconds with a fraction; milliseconds survive.
      DkimLastKeyGenerationTimestamp: '2024-03-01T09:30:00.250Z',
      MailFromDomain: 'mail.example.com',
      MailFromDomainStatus: 'SUCCESS',
      MailFromBehaviorOnMxFailure: 'USE_DEFAULT_VALUE',
      VerificationLastCheckedTimestamp: '2024-06-02T12:00:05.500Z',
      VerificationLastSuccessTimestamp: '2024-06-02T12:00:05.000Z',
      VerificationErrorType: 'DNS_SERVER_ERROR',
      SoaPrimaryNameServer: 'ns-1234.awsdns-56.org',
      SoaAdminEmail: 'awsdns-hostmaster.amazon.com',
      SoaSerialNumber: '2024060201',
      PolicyCount: '2',
      PolicyNames: 'AllowPartnerAccount,SendFromWebApp',
      TagCount: '2',
      Tags: '{"cost-center":"cc-042","team":"messaging"}',
    });
    expect(tokens).toHaveLength(3);
    tokens.forEach((token) => expect(token).toMatch(/^[a-z2-7]{32}$/));
    // Policy documents stay out of the response: only their names leave.
    expect(raw).not.toContain('ses:SendEmail');
  });

  test('an identity SES describes with no fields: every attribute present, empty', async () => {
    fake.setIdentity('example.com', emptyIdentity());

    const { body } = await run(create('example.com'));

    expect(body.Status).toBe('SUCCESS');
    expect(Object.keys(body.Data!)).toEqual([...ATTRIBUTE_NAMES]);
    expect(body.Data).toEqual({
      ...Object.fromEntries(ATTRIBUTE_NAMES.map((name) => [name, ''])),
      // Where SES names no DKIM zone, the region's documented one.
      DkimCnameDomain: 'dkim.amazonses.com',
      PolicyCount: '0',
      PolicyNames: '',
      TagCount: '0',
      Tags: '{}',
    });
  });

  const policyNames = Array.from({ length: 100 }, (_, i) => `policy-${String(i).padStart(3, '0')}-${'p'.repeat(50)}`);
  const tags = Array.from({ length: 50 }, (_, i) => ({ Key: `tag-${String(i).padStart(2, '0')}`, Value: 'v'.repeat(200) }));
  test.each([
    ['policy names', { Policies: Object.fromEntries(policyNames.map((name) => [name, '{}'])), Tags: [] }],
    ['tags', { Policies: {}, Tags: tags }],
  ])('too many %s for 4096 bytes: as many whole entries as fit, full counts', async (_, lists) => {
    fake.setIdentity('example.com', { ...fullIdentity('example.com'), ...lists });

    const { body } = await run(create('example.com'));

    expect(body.Status).toBe('SUCCESS');
    expect(body.Data).toMatchObject({
      PolicyCount: String(Object.keys(lists.Policies).length),
      TagCount: String(lists.Tags.length),
      DkimSigningHostedZone: 'dkim.amazonses.com',
    });
    const returnedNames = String(body.Data!.PolicyNames).split(',').filter(Boolean);
    const returnedTags = Object.entries(JSON.parse(String(body.Data!.Tags)) as Record<string, string>)
      .map(([Key, Value]) => ({ Key, Value }));
    const [returned, all] = lists.Tags.length > 0 ? [returnedTags, tags] : [returnedNames, policyNames];
    expect(returned.length).toBeGreaterThan(0);
    expect(returned.length).toBeLessThan(all.length);
    expect(returned).toEqual(all.slice(0, returned.length));
  });
});

describe('request types', () => {
  test.each([
    ['a lookup that succeeded', 'example.com', { EmailIdentity: 'example.com' }],
    // After a failed Create, CloudFormation deletes the resource the failure named.
    ['a lookup whose Create failed', '5e6b4a2c-1f0d-4c1e-9a57-0d3c2f1b8e90', { EmailIdentity: '' }],
  ])('Delete of %s succeeds without calling SES', async (_, physicalResourceId, properties) => {
    const event = deleteEvent(properties, physicalResourceId, { responseUrl: receiver.url() });

    const { body } = await run(event);

    expect(body.Status).toBe('SUCCESS');
    expect(body.PhysicalResourceId).toBe(physicalResourceId);
    expect(fake.requests).toEqual([]);
  });

  test('an Update to another identity reads it and takes a new physical ID', async () => {
    fake.setIdentity('old.example.com', fullIdentity('old.example.com'));
    fake.setIdentity('new.example.com', fullIdentity('new.example.com'));
    const event = update('new.example.com', 'old.example.com');

    const { body } = await run(event);

    expect(body.Status).toBe('SUCCESS');
    expect(body.PhysicalResourceId).toBe(lookupPhysicalId({ EmailIdentity: 'new.example.com' }));
    expect(body.Data?.MailFromDomain).toBe('mail.new.example.com');
    expect(fake.requests).toEqual(['new.example.com']);
  });

  describe("rollbacks: an Update whose properties do not match its id is told by the stack's status", () => {
    // The identity became BYODKIM since; the properties require Easy DKIM records.
    const requirements: Requirement[] = ['EasyDkimRecords'];
    const succeeded = { EmailIdentity: 'example.com', RefreshToken: 'build-41', Requirements: requirements };
    const replaced = { ...succeeded, RefreshToken: 'build-42' };
    const stackId = `arn:aws:cloudformation:${TEST_REGION}:${TEST_ACCOUNT}:stack/demo/0f6e1f7a-4d1b-4c55-8d2e-3b7c9a1e5f00`;
    /** Back to `succeeded` from `replaced`, under the id `replaced` took: what a rollback may send. */
    const backFromReplaced = () => updateEvent(succeeded, replaced, lookupPhysicalId(replaced), { responseUrl: receiver.url(), stackId });

    beforeEach(() => {
      fake.setIdentity('example.com', { ...fullIdentity('example.com'), DkimAttributes: { SigningAttributesOrigin: 'EXTERNAL', Tokens: ['sel1'] } });
    });

    test.each(['UPDATE_ROLLBACK_IN_PROGRESS', 'IMPORT_ROLLBACK_IN_PROGRESS'])('stack %s: requirements skipped, SUCCESS', async (status) => {
      fake.setStackStatus(stackId, status);

      const { body } = await run(backFromReplaced());

      expect(body.Status).toBe('SUCCESS');
      expect(body.PhysicalResourceId).toBe(lookupPhysicalId(succeeded));
      expect(fake.describeStacksCalls).toEqual([stackId]);
    });

    test.each(['UPDATE_IN_PROGRESS', 'UPDATE_ROLLBACK_COMPLETE_CLEANUP_IN_PROGRESS'])('stack %s: a forward Update, the requirement fails it', async (status) => {
      fake.setStackStatus(stackId, status);

      const { body } = await run(backFromReplaced());

      expect(body.Status).toBe('FAILED');
      expect(body.Reason).toMatch(/uses BYODKIM/);
      expect(body.PhysicalResourceId).toBe(lookupPhysicalId(replaced));
    });

    test.each<[string, ErrorStep]>([
      ['denied (no cloudformation:DescribeStacks)', { status: 403, errorType: 'AccessDenied', message: 'not authorized' }],
      ['failing (500)', { status: 500, errorType: 'InternalFailure' }],
      ['not knowing the stack', { status: 400, errorType: 'ValidationError' }],
    ])('DescribeStacks %s: as before, the id decides', async (_, answer) => {
      fake.setStackStatus(stackId, answer);

      const forward = await run(backFromReplaced());
      const matching = await run(updateEvent(succeeded, replaced, lookupPhysicalId(succeeded), { responseUrl: receiver.url(), stackId }));

      expect(forward.body.Status).toBe('FAILED');
      expect(matching.body.Status).toBe('SUCCESS');
      // Only the Update whose properties do not match its id asks.
      expect(fake.describeStacksCalls.length).toBeGreaterThanOrEqual(1);
      expect(new Set(fake.describeStacksCalls)).toEqual(new Set([stackId]));
    });

    test("DescribeStacks is asked in the stack's region, whatever the function's", async () => {
      const elsewhere = stackId.replace(`:${TEST_REGION}:`, ':ap-southeast-2:');
      expect(elsewhere).not.toBe(stackId);
      fake.setStackStatus(elsewhere, 'UPDATE_ROLLBACK_IN_PROGRESS');

      const { body } = await run(updateEvent(succeeded, replaced, lookupPhysicalId(replaced), { responseUrl: receiver.url(), stackId: elsewhere }));

      expect(body.Status).toBe('SUCCESS');
      expect(fake.describeStacksRegions).toEqual(['ap-southeast-2']);
    });

    test('a stack without a status: not known to roll back, and logged as unknown', async () => {
      fake.setStackStatus(stackId, '');

      const { body } = await run(backFromReplaced());

      expect(body.Status).toBe('FAILED');
      expect(logLines).toContain(JSON.stringify({ stackStatusUnknown: 'Error: DescribeStacks returned no status' }));
    });

    test('a Create, or an Update that meets its requirements, never asks', async () => {
      fake.setIdentity('example.com', fullIdentity('example.com'));

      await run(createEvent(succeeded, { responseUrl: receiver.url(), stackId }));
      await run(backFromReplaced());

      expect(fake.describeStacksCalls).toEqual([]);
    });
  });

  test('a failed Update keeps the old physical ID, so CloudFormation does not replace it', async () => {
    const event = update('missing.example.com', 'old.example.com');

    const { body } = await run(event);

    expect(body.Status).toBe('FAILED');
    expect(body.PhysicalResourceId).toBe('old.example.com');
    expect(body.Reason).toContain('"missing.example.com" does not exist');
  });
});
