import {
  BadRequestException,
  GetEmailIdentityCommand,
  NotFoundException,
  SESv2Client,
  SESv2ServiceException,
  TooManyRequestsException,
  type GetEmailIdentityCommandOutput,
} from '@aws-sdk/client-sesv2';
import type { CloudFormationCustomResourceEvent } from 'aws-lambda';
import { mockClient } from 'aws-sdk-client-mock';
import 'aws-sdk-client-mock-jest';
import {
  createEvent,
  deleteEvent,
  ResponseReceiver,
  TEST_ACCOUNT,
  TEST_REGION,
  updateEvent,
  type EventOptions,
  type ReceivedResponse,
} from '../../local/cloudformation';
import { createLookupHandler, type LookupHandlerOptions } from '../../src/handler/lookup';
import { lookupPhysicalId } from '../../src/handler/properties';
import { ATTRIBUTE_NAMES } from '../../src/shared/attributes';
import { GATE_RESOURCE_TYPE, LOOKUP_RESOURCE_TYPE, type Requirement } from '../../src/shared/wire';
import { FAST_RETRY } from '../support/fast-retry';

const sesMock = mockClient(SESv2Client);
const STACK_ID = `arn:aws:cloudformation:${TEST_REGION}:${TEST_ACCOUNT}:stack/demo/5e6b4a2c-1f0d-4c1e-9a57-0d3c2f1b8e90`;

/**
 * SES does not model AccessDeniedException: the SDK raises it as a generic
 * service exception carrying the name, as it does for any unmodeled error.
 */
function accessDenied(message: string, $metadata = {}) {
  return new SESv2ServiceException({ name: 'AccessDeniedException', $fault: 'client', message, $metadata });
}

let receiver: ResponseReceiver;

beforeAll(async () => {
  receiver = await ResponseReceiver.start();
});

afterAll(async () => {
  await receiver.stop();
});

beforeEach(() => {
  sesMock.reset();
});

/** A Lambda context with plenty of time left, so that no deadline interferes. */
const relaxed = { getRemainingTimeInMillis: () => 300_000 };

interface Invocation {
  readonly response: ReceivedResponse;
  readonly logLines: string[];
  readonly responseUrl: string;
}

/**
 * Runs the handler once on the event `build` makes for a fresh response URL,
 * and returns what CloudFormation received and what was logged.
 */
async function invoke(
  build: (options: EventOptions) => CloudFormationCustomResourceEvent,
  options: Omit<LookupHandlerOptions, 'client' | 'log'> = {},
  context = relaxed,
): Promise<Invocation> {
  const logLines: string[] = [];
  const handler = createLookupHandler({
    client: new SESv2Client({ region: TEST_REGION, credentials: { accessKeyId: 'x', secretAccessKey: 'y' } }),
    log: (line) => logLines.push(line),
    retry: FAST_RETRY,
    // A forward Update unless a test says otherwise; test/handler/lookup-http.test.ts asks a local DescribeStacks.
    stackStatus: async () => 'UPDATE_IN_PROGRESS',
    ...options,
  });
  const responseUrl = receiver.url();
  await handler(build({ responseUrl }), context);
  return { response: await receiver.response(responseUrl), logLines, responseUrl };
}

/** A representative BYODKIM domain identity with every kind of value SES returns. */
const BYODKIM_IDENTITY: GetEmailIdentityCommandOutput = {
  $metadata: { httpStatusCode: 200 },
  IdentityType: 'DOMAIN',
  FeedbackForwardingStatus: false,
  VerifiedForSendingStatus: true,
  VerificationStatus: 'SUCCESS',
  ConfigurationSetName: 'transactional',
  DkimAttributes: {
    SigningEnabled: true,
    Status: 'SUCCESS',
    Tokens: ['byod-selector'],
    SigningAttributesOrigin: 'EXTERNAL',
    SigningHostedZone: 'dkim.amazonses.com',
    CurrentSigningKeyLength: 'RSA_2048_BIT',
    NextSigningKeyLength: 'RSA_2048_BIT',
    LastKeyGenerationTimestamp: new Date(Date.UTC(2024, 0, 15, 10, 30, 0)),
  },
  MailFromAttributes: {
    MailFromDomain: 'bounce.example.com',
    MailFromDomainStatus: 'PENDING',
    BehaviorOnMxFailure: 'USE_DEFAULT_VALUE',
  },
  VerificationInfo: {
    LastCheckedTimestamp: new Date(Date.UTC(2024, 5, 1, 8, 0, 0, 123)),
    LastSuccessTimestamp: new Date(Date.UTC(2024, 4, 31, 23, 59, 59)),
    ErrorType: 'DNS_SERVER_ERROR',
    SOARecord: {
      PrimaryNameServer: 'ns-1.awsdns-01.org',
      AdminEmail: 'awsdns-hostmaster.amazon.com',
      SerialNumber: 2024060101,
    },
  },
  Policies: {
    'zeta-policy': '{"Version":"2012-10-17","Statement":[{"Sid":"SecretBody"}]}',
    'alpha-policy': '{"Version":"2012-10-17","Statement":[]}',
  },
  Tags: [
    { Key: 'team', Value: 'mail "ops"' },
    { Key: 'env', Value: 'prod' },
  ],
};

describe('Create', () => {
  test('answers SUCCESS with the identity in the physical id and every attribute encoded as a string', async () => {
    sesMock.on(GetEmailIdentityCommand).resolves(BYODKIM_IDENTITY);

    const { response } = await invoke((o) => createEvent({ EmailIdentity: 'example.com' }, o));

    expect(response.body.Status).toBe('SUCCESS');
    expect(response.body.PhysicalResourceId).toBe(lookupPhysicalId({ EmailIdentity: 'example.com' }));
    expect(response.body.Data).toEqual({
      IdentityType: 'DOMAIN',
      VerificationStatus: 'SUCCESS',
      VerifiedForSendingStatus: 'true',
      FeedbackForwardingEnabled: 'false',
      ConfigurationSetName: 'transactional',
      DkimSigningEnabled: 'true',
      DkimStatus: 'SUCCESS',
      DkimTokens: 'byod-selector',
      // BYODKIM has a single selector: the other two slots are empty, never missing.
      DkimToken1: 'byod-selector',
      DkimToken2: '',
      DkimToken3: '',
      DkimSigningAttributesOrigin: 'EXTERNAL',
      DkimSigningHostedZone: 'dkim.amazonses.com',
      DkimCnameDomain: 'dkim.amazonses.com',
      DkimCurrentSigningKeyLength: 'RSA_2048_BIT',
      DkimNextSigningKeyLength: 'RSA_2048_BIT',
      DkimLastKeyGenerationTimestamp: '2024-01-15T10:30:00.000Z',
      MailFromDomain: 'bounce.example.com',
      MailFromDomainStatus: 'PENDING',
      MailFromBehaviorOnMxFailure: 'USE_DEFAULT_VALUE',
      VerificationLastCheckedTimestamp: '2024-06-01T08:00:00.123Z',
      VerificationLastSuccessTimestamp: '2024-05-31T23:59:59.000Z',
      VerificationErrorType: 'DNS_SERVER_ERROR',
      SoaPrimaryNameServer: 'ns-1.awsdns-01.org',
      SoaAdminEmail: 'awsdns-hostmaster.amazon.com',
      SoaSerialNumber: '2024060101',
      PolicyCount: '2',
      PolicyNames: 'alpha-policy,zeta-policy',
      TagCount: '2',
      Tags: '{"env":"prod","team":"mail \\"ops\\""}',
    });
    // The documented response order, so that templates and docs line up.
    expect(Object.keys(response.body.Data ?? {})).toEqual([...ATTRIBUTE_NAMES]);
    // Policy bodies may hold account ids and principals: only names leave the handler.
    expect(response.raw).not.toContain('SecretBody');
    expect(sesMock).toHaveReceivedCommandTimes(GetEmailIdentityCommand, 1);
    expect(sesMock).toHaveReceivedCommandWith(GetEmailIdentityCommand, { EmailIdentity: 'example.com' });
  });

  test('answers every attribute as "" when SES leaves all fields out', async () => {
    sesMock.on(GetEmailIdentityCommand).resolves({ $metadata: {} });

    const { response } = await invoke((o) => createEvent({ EmailIdentity: 'someone@example.com' }, o));

    expect(response.body.Status).toBe('SUCCESS');
    expect(response.body.PhysicalResourceId).toBe(lookupPhysicalId({ EmailIdentity: 'someone@example.com' }));
    const expected: Record<string, string> = Object.fromEntries(ATTRIBUTE_NAMES.map((name) => [name, '']));
    // The DKIM CNAME target falls back to the region's documented DKIM domain.
    expect(response.body.Data).toEqual({ ...expected, DkimCnameDomain: 'dkim.amazonses.com', PolicyCount: '0', TagCount: '0', Tags: '{}' });
  });

  test('passes the envelope through unchanged', async () => {
    sesMock.on(GetEmailIdentityCommand).resolves(BYODKIM_IDENTITY);
    const stackId = `arn:aws:cloudformation:${TEST_REGION}:${TEST_ACCOUNT}:stack/envelope/0000`;

    const { response } = await invoke((o) => createEvent({ EmailIdentity: 'example.com' },
      { ...o, stackId, requestId: 'request-1', logicalResourceId: 'MyLookup' }));

    expect(response.body).toMatchObject({ StackId: stackId, RequestId: 'request-1', LogicalResourceId: 'MyLookup' });
    expect(response.bytes).toBeLessThanOrEqual(4096);
  });
});

describe('Update', () => {
  test('takes the id of its new properties: the identity, and a digest of the rest', async () => {
    sesMock.on(GetEmailIdentityCommand).resolves(BYODKIM_IDENTITY);
    const before = lookupPhysicalId({ EmailIdentity: 'example.com', RefreshToken: '1' });

    const { response } = await invoke((o) => updateEvent(
      { EmailIdentity: 'example.com', RefreshToken: '2' }, { EmailIdentity: 'example.com', RefreshToken: '1' }, before, o));

    expect(response.body.Status).toBe('SUCCESS');
    // A new id: CloudFormation deletes the old one, which costs nothing.
    expect(response.body.PhysicalResourceId).toBe(lookupPhysicalId({ EmailIdentity: 'example.com', RefreshToken: '2' }));
    expect(response.body.PhysicalResourceId).toMatch(/^example\.com\/[0-9a-f]{16}$/);
    expect(response.body.PhysicalResourceId).not.toBe(before);
    expect(response.body.Data?.DkimToken1).toBe('byod-selector');
    expect(sesMock).toHaveReceivedCommandWith(GetEmailIdentityCommand, { EmailIdentity: 'example.com' });
  });

  test('reads the new identity when the identity changes', async () => {
    sesMock.on(GetEmailIdentityCommand).resolves(BYODKIM_IDENTITY);

    const { response } = await invoke((o) => updateEvent(
      { EmailIdentity: 'new.example.com' }, { EmailIdentity: 'old.example.com' }, lookupPhysicalId({ EmailIdentity: 'old.example.com' }), o));

    expect(response.body.Status).toBe('SUCCESS');
    expect(response.body.PhysicalResourceId).toBe(lookupPhysicalId({ EmailIdentity: 'new.example.com' }));
    expect(sesMock).toHaveReceivedCommandWith(GetEmailIdentityCommand, { EmailIdentity: 'new.example.com' });
    expect(sesMock).not.toHaveReceivedCommandWith(GetEmailIdentityCommand, { EmailIdentity: 'old.example.com' });
  });

  test('a rollback never fails on requirements: the properties succeeded before', async () => {
    // The identity became BYODKIM since; the stack's DKIM records require Easy DKIM.
    sesMock.on(GetEmailIdentityCommand).resolves(BYODKIM_IDENTITY);
    const requirements: Requirement[] = ['EasyDkimRecords'];
    const succeeded = { EmailIdentity: 'example.com', RefreshToken: 'build-41', Requirements: requirements };
    const failedUpdate = { ...succeeded, RefreshToken: 'build-42' };

    const forward = await invoke((o) => updateEvent(failedUpdate, succeeded, lookupPhysicalId(succeeded), o));
    const rollback = await invoke((o) => updateEvent(succeeded, failedUpdate, lookupPhysicalId(succeeded), o));

    expect(forward.response.body.Status).toBe('FAILED');
    expect(forward.response.body.Reason).toMatch(/uses BYODKIM/);
    expect(rollback.response.body.Status).toBe('SUCCESS');
    expect(rollback.response.body.PhysicalResourceId).toBe(lookupPhysicalId(succeeded));
    expect(rollback.response.body.Data?.DkimToken1).toBe('byod-selector');
  });

  test('an Update that only adds a requirement the identity cannot meet fails: it is no rollback', async () => {
    sesMock.on(GetEmailIdentityCommand).resolves(BYODKIM_IDENTITY);
    const before = { EmailIdentity: 'example.com', RefreshToken: 'build-41' };
    // The id the resource got from the handler itself, not from the function under test.
    const created = await invoke((o) => createEvent(before, o));
    expect(created.response.body.Status).toBe('SUCCESS');
    const createdId = created.response.body.PhysicalResourceId;
    const requirements: Requirement[] = ['EasyDkimRecords'];

    const { response } = await invoke((o) => updateEvent({ ...before, Requirements: requirements }, before, createdId, o));

    expect(response.body.Status).toBe('FAILED');
    expect(response.body.Reason).toMatch(/uses BYODKIM/);
    expect(response.body.PhysicalResourceId).toBe(createdId);
  });

  test("a rollback whose id is another Update's never fails on requirements either: the stack's status says it rolls back", async () => {
    sesMock.on(GetEmailIdentityCommand).resolves(BYODKIM_IDENTITY);
    const requirements: Requirement[] = ['EasyDkimRecords'];
    const succeeded = { EmailIdentity: 'example.com', RefreshToken: 'build-41', Requirements: requirements };
    // A second Update that succeeded for this resource, with a new id, before another resource failed.
    const replaced = { ...succeeded, RefreshToken: 'build-42' };
    const asked: string[] = [];
    const stackStatus = async (stackId: string) => {
      asked.push(stackId);
      return 'UPDATE_ROLLBACK_IN_PROGRESS';
    };

    const rollback = await invoke((o) => updateEvent(succeeded, replaced, lookupPhysicalId(replaced), { ...o, stackId: STACK_ID }), { stackStatus });

    expect(rollback.response.body.Status).toBe('SUCCESS');
    expect(rollback.response.body.PhysicalResourceId).toBe(lookupPhysicalId(succeeded));
    expect(asked).toEqual([STACK_ID]);
    expect(rollback.logLines).toContain('{"stackStatus":"UPDATE_ROLLBACK_IN_PROGRESS"}');
  });
});

describe("the stack's status, for an Update whose properties do not match its id", () => {
  const requirements: Requirement[] = ['EasyDkimRecords'];
  const succeeded = { EmailIdentity: 'example.com', RefreshToken: 'build-41', Requirements: requirements };
  const replaced = { ...succeeded, RefreshToken: 'build-42' };
  const backFromReplaced = (o: EventOptions) => updateEvent(succeeded, replaced, lookupPhysicalId(replaced), { ...o, stackId: STACK_ID });

  beforeEach(() => {
    sesMock.on(GetEmailIdentityCommand).resolves(BYODKIM_IDENTITY);
  });

  test.each(['UPDATE_ROLLBACK_IN_PROGRESS', 'IMPORT_ROLLBACK_IN_PROGRESS', 'ROLLBACK_IN_PROGRESS'])('%s: a rollback, requirements skipped', async (status) => {
    const { response, logLines } = await invoke(backFromReplaced, { stackStatus: async () => status });

    expect(response.body.Status).toBe('SUCCESS');
    expect(logLines).toContain(JSON.stringify({ stackStatus: status }));
  });

  test.each(['UPDATE_IN_PROGRESS', 'UPDATE_COMPLETE_CLEANUP_IN_PROGRESS', 'UPDATE_ROLLBACK_COMPLETE', 'IMPORT_IN_PROGRESS'])(
    '%s: a forward Update, the requirement fails it', async (status) => {
      const { response } = await invoke(backFromReplaced, { stackStatus: async () => status });

      expect(response.body.Status).toBe('FAILED');
      expect(response.body.Reason).toMatch(/uses BYODKIM/);
    });

  test.each<[string, unknown, string]>([
    ['an error: its name and first line', Object.assign(new Error('User is not authorized\nto perform: cloudformation:DescribeStacks'), { name: 'AccessDenied' }),
      'AccessDenied: User is not authorized'],
    ['anything else: as a string', 'no stacks', 'no stacks'],
  ])('a status that cannot be read is logged, %s, and the id decides', async (_, thrown, logged) => {
    const { response, logLines } = await invoke(backFromReplaced, { stackStatus: async () => { throw thrown; } });

    expect(response.body.Status).toBe('FAILED');
    expect(logLines).toContain(JSON.stringify({ stackStatusUnknown: logged }));
  });
});

describe('Delete', () => {
  test('succeeds with the same physical id and never calls SES', async () => {
    sesMock.on(GetEmailIdentityCommand).rejects(new Error('SES must not be called on Delete'));

    const { response } = await invoke((o) => deleteEvent({ EmailIdentity: 'example.com' }, 'example.com', o));

    expect(response.body.Status).toBe('SUCCESS');
    expect(response.body.PhysicalResourceId).toBe('example.com');
    expect(response.body.Data).toBeUndefined();
    expect(sesMock).not.toHaveReceivedCommand(GetEmailIdentityCommand);
  });

  test.each<[string, Record<string, unknown>]>([
    ['a number identity', { EmailIdentity: 42 }],
    ['an invalid identity', { EmailIdentity: ' not/valid ' }],
    ['no identity and a non-string token', { RefreshToken: { nested: true } }],
  ])('succeeds with garbage properties (%s), so a stack can always be deleted', async (_, properties) => {
    const { response } = await invoke((o) => deleteEvent(properties, 'physical-id-from-create', o));

    expect(response.body.Status).toBe('SUCCESS');
    expect(response.body.PhysicalResourceId).toBe('physical-id-from-create');
    expect(sesMock).not.toHaveReceivedCommand(GetEmailIdentityCommand);
  });

  test('succeeds even without any resource properties', async () => {
    const { response } = await invoke((o) => {
      const event = deleteEvent({}, 'example.com', o);
      return { ...event, ResourceProperties: undefined } as unknown as CloudFormationCustomResourceEvent;
    });

    expect(response.body.Status).toBe('SUCCESS');
    expect(response.body.PhysicalResourceId).toBe('example.com');
  });
});

describe('SES errors become FAILED with an actionable reason', () => {
  const metadata = { httpStatusCode: 400, requestId: 'ses-request', attempts: 1, totalRetryDelay: 0 };

  test.each<[string, unknown, RegExp[]]>([
    [
      'NotFoundException',
      new NotFoundException({ message: 'Email identity example.com does not exist.', $metadata: metadata }),
      [/"example\.com" does not exist/, /account 123456789012, region eu-west-1/, /Create it in SES/, /NotFoundException/],
    ],
    [
      'TooManyRequestsException after retries',
      new TooManyRequestsException({ message: 'Too many requests.', $metadata: { ...metadata, httpStatusCode: 429, attempts: 12 } }),
      [/throttling GetEmailIdentity for "example\.com"/, /after 3 attempts/, /TooManyRequestsException/, /Deploy again/],
    ],
    [
      'BadRequestException',
      new BadRequestException({ message: 'Invalid identity name.', $metadata: metadata }),
      [/SES rejected "example\.com"/, /BadRequestException: Invalid identity name\./, /Pass a domain or email address/],
    ],
    [
      'AccessDeniedException',
      accessDenied('User is not authorized to perform ses:GetEmailIdentity', { ...metadata, httpStatusCode: 403 }),
      [/may not call ses:GetEmailIdentity on "example\.com"/, /not authorized/, /permission boundaries and SCPs/],
    ],
    [
      'an unknown error',
      Object.assign(new Error('socket hang up'), { name: 'ECONNRESET' }),
      [/GetEmailIdentity for "example\.com" in account 123456789012, region eu-west-1 failed/, /\(ECONNRESET: socket hang up\)/],
    ],
    [
      'a non-Error throw',
      'plain string thrown',
      [/GetEmailIdentity for "example\.com" .* failed/, /plain string thrown/],
    ],
  ])('%s', async (_, error, reasonPatterns) => {
    // callsFake so that non-Error values are rejected as they are, not wrapped.
    sesMock.on(GetEmailIdentityCommand).callsFake(() => Promise.reject(error));

    const { response } = await invoke((o) => createEvent({ EmailIdentity: 'example.com' }, { ...o, requestId: 'create-request' }));

    expect(response.body.Status).toBe('FAILED');
    for (const pattern of reasonPatterns) {
      expect(response.body.Reason).toMatch(pattern);
    }
    expect(response.body.Data).toBeUndefined();
  });

  test('a response too large for CloudFormation fails with a reason instead of an oversized body', async () => {
    // Only an unexpected SES response gets here: no attribute that is never cut can be this long.
    sesMock.on(GetEmailIdentityCommand).resolves({ ...BYODKIM_IDENTITY, ConfigurationSetName: 'c'.repeat(5000) });

    const { response } = await invoke((o) => createEvent({ EmailIdentity: 'example.com' }, { ...o, requestId: 'req-big' }));

    expect(response.body.Status).toBe('FAILED');
    expect(response.body.PhysicalResourceId).toBe('req-big');
    expect(response.body.Reason).toMatch(/"example\.com" with values too long to return within CloudFormation's 4096-byte response limit/);
    expect(response.bytes).toBeLessThanOrEqual(4096);
  });

  test('a failed Create uses the RequestId as physical id: there is no resource yet', async () => {
    sesMock.on(GetEmailIdentityCommand).rejects(new NotFoundException({ message: 'nope', $metadata: {} }));

    const { response } = await invoke((o) => createEvent({ EmailIdentity: 'example.com' }, { ...o, requestId: 'req-123' }));

    expect(response.body.Status).toBe('FAILED');
    expect(response.body.PhysicalResourceId).toBe('req-123');
  });

  test('a failed Update keeps the old physical id, so rollback has nothing to replace', async () => {
    sesMock.on(GetEmailIdentityCommand).rejects(new NotFoundException({ message: 'nope', $metadata: {} }));

    const { response } = await invoke((o) => updateEvent(
      { EmailIdentity: 'missing.example.com' }, { EmailIdentity: 'example.com' }, 'example.com', o));

    expect(response.body.Status).toBe('FAILED');
    expect(response.body.PhysicalResourceId).toBe('example.com');
    expect(response.body.Reason).toMatch(/"missing\.example\.com" does not exist/);
  });
});

describe('a bug in the handler', () => {
  test('still answers: FAILED with what went wrong, never a CloudFormation left waiting', async () => {
    const brokenClock = { now: (): number => { throw new Error('the clock broke'); }, sleep: async () => {} };

    const { response } = await invoke((o) => updateEvent({ EmailIdentity: 'example.com' }, { EmailIdentity: 'example.com' }, 'example.com', o), { clock: brokenClock });

    expect(response.body.Status).toBe('FAILED');
    expect(response.body.Reason).toBe('The handler failed unexpectedly (Error: the clock broke).');
    expect(response.body.PhysicalResourceId).toBe('example.com');
  });
});

describe('bad properties fail without calling SES', () => {
  test.each<[string, Record<string, unknown>, RegExp]>([
    ['EmailIdentity missing', {}, /Property EmailIdentity must be a string, got nothing/],
    ['EmailIdentity a number', { EmailIdentity: 42 }, /Property EmailIdentity must be a string, got number/],
    ['EmailIdentity empty', { EmailIdentity: '' }, /Invalid properties: emailIdentity .*it is empty/],
    ['EmailIdentity whitespace', { EmailIdentity: '   ' }, /Invalid properties: emailIdentity .*whitespace/],
    ['EmailIdentity too long', { EmailIdentity: 'a'.repeat(321) }, /Invalid properties: emailIdentity .*321 characters long, over the 320/],
    ['RefreshToken not a string', { EmailIdentity: 'example.com', RefreshToken: 7 }, /Property RefreshToken must be a string, got number/],
  ])('%s', async (_, properties, reason) => {
    sesMock.on(GetEmailIdentityCommand).resolves(BYODKIM_IDENTITY);

    const { response } = await invoke((o) => createEvent(properties, { ...o, requestId: 'req-bad' }));

    expect(response.body.Status).toBe('FAILED');
    expect(response.body.Reason).toMatch(reason);
    expect(response.body.PhysicalResourceId).toBe('req-bad');
    expect(sesMock).not.toHaveReceivedCommand(GetEmailIdentityCommand);
  });

  test('a gate\'s event: the lookup function serves lookups only, and says so', async () => {
    const { response } = await invoke((o) => createEvent({ EmailIdentity: 'example.com', Conditions: ['IdentityVerified'] }, { ...o, resourceType: GATE_RESOURCE_TYPE }));

    expect(response.body.Status).toBe('FAILED');
    expect(response.body.Reason).toBe(`This function serves ${LOOKUP_RESOURCE_TYPE} resources, not ${GATE_RESOURCE_TYPE}.`);
    expect(sesMock).not.toHaveReceivedCommand(GetEmailIdentityCommand);
  });

  test('no resource properties at all', async () => {
    const { response } = await invoke((o) => {
      const event = createEvent({}, { ...o, requestId: 'req-none' });
      return { ...event, ResourceProperties: undefined } as unknown as CloudFormationCustomResourceEvent;
    });

    expect(response.body.Status).toBe('FAILED');
    expect(response.body.Reason).toMatch(/received no properties; it needs EmailIdentity/);
    expect(response.body.PhysicalResourceId).toBe('req-none');
    expect(sesMock).not.toHaveReceivedCommand(GetEmailIdentityCommand);
  });

  test('a bad Update keeps the old physical id', async () => {
    const { response } = await invoke((o) => updateEvent({ EmailIdentity: 'a..b' }, { EmailIdentity: 'example.com' }, 'example.com', o));

    expect(response.body.Status).toBe('FAILED');
    expect(response.body.PhysicalResourceId).toBe('example.com');
    expect(response.body.Reason).toMatch(/Invalid properties: emailIdentity .*empty label/);
    expect(sesMock).not.toHaveReceivedCommand(GetEmailIdentityCommand);
  });
});

describe('logging', () => {
  // The response URL is a pre-signed credential: anyone holding it can answer for the stack.
  function expectNoUrl(lines: readonly string[], responseUrl: string) {
    const secret = new URL(responseUrl).pathname.slice(1);
    for (const line of lines) {
      expect(line).not.toContain(responseUrl);
      expect(line).not.toContain(secret);
    }
  }

  test('log lines describe the outcome and never contain the response URL', async () => {
    sesMock.on(GetEmailIdentityCommand)
      .resolvesOnce(BYODKIM_IDENTITY)
      .rejectsOnce(accessDenied('denied'));

    const runs = [
      await invoke((o) => createEvent({ EmailIdentity: 'example.com' }, o)),
      await invoke((o) => createEvent({ EmailIdentity: 'example.com' }, o)),
      await invoke((o) => createEvent({ EmailIdentity: '' }, o)),
      await invoke((o) => deleteEvent({ EmailIdentity: 'example.com' }, 'example.com', o)),
    ];

    const outcomes = runs.map(({ logLines, responseUrl }) => {
      expect(logLines).toHaveLength(1);
      expectNoUrl(logLines, responseUrl);
      return JSON.parse(logLines[0]);
    });
    expect(outcomes.map((o) => [o.requestType, o.status])).toEqual([
      ['Create', 'SUCCESS'], ['Create', 'FAILED'], ['Create', 'FAILED'], ['Delete', 'SUCCESS'],
    ]);
    expect(outcomes[1]).toMatchObject({ emailIdentity: 'example.com', logicalResourceId: 'IdentityLookup' });
    expect(outcomes[1].reason).toMatch(/AccessDeniedException/);
  });

  test('by default logs to console.log, without the response URL', async () => {
    sesMock.on(GetEmailIdentityCommand).resolves(BYODKIM_IDENTITY);
    const consoleLog = jest.spyOn(console, 'log').mockImplementation(() => {});
    try {
      const handler = createLookupHandler({
        client: new SESv2Client({ region: TEST_REGION, credentials: { accessKeyId: 'x', secretAccessKey: 'y' } }),
      });
      const responseUrl = receiver.url();
      await handler(createEvent({ EmailIdentity: 'example.com' }, { responseUrl }), relaxed);
      await receiver.response(responseUrl);

      expect(consoleLog).toHaveBeenCalledTimes(1);
      const lines = consoleLog.mock.calls.map((args) => args.map(String).join(' '));
      expectNoUrl(lines, responseUrl);
      expect(JSON.parse(lines[0])).toMatchObject({ requestType: 'Create', status: 'SUCCESS' });
    } finally {
      consoleLog.mockRestore();
    }
  });
});

describe('deadline', () => {
  test('answers FAILED before the Lambda times out when SES never answers', async () => {
    sesMock.on(GetEmailIdentityCommand).callsFake(() => new Promise(() => {}));
    const started = Date.now();

    // 1500 ms left, 500 ms reserved: the handler may wait about 1000 ms for SES.
    const { response } = await invoke(
      (o) => createEvent({ EmailIdentity: 'example.com' }, { ...o, requestId: 'slow-request' }),
      { reserveMs: 500 },
      { getRemainingTimeInMillis: () => 1500 },
    );
    const elapsed = Date.now() - started;

    expect(response.body.Status).toBe('FAILED');
    expect(response.body.PhysicalResourceId).toBe('slow-request');
    expect(response.body.Reason).toMatch(/SES did not answer GetEmailIdentity for "example\.com" .* in time/);
    expect(elapsed).toBeGreaterThanOrEqual(900);
    expect(elapsed).toBeLessThan(1500);
    // The pending request is cancelled rather than left running.
    // send(command, options): the mock's typings only declare the command.
    const [, sendOptions] = sesMock.call(0).args as unknown as [unknown, { abortSignal?: AbortSignal } | undefined];
    expect(sendOptions?.abortSignal?.aborted).toBe(true);
  });
});
