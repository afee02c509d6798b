/**
 * Verification gates (Custom::SesEmailIdentityGate), with the real handler:
 * the real SES v2 client over HTTP to a fake SES on 127.0.0.1, a stub DNS
 * resolver for the DNS check of failed gates, and a fake CloudFormation
 * response URL. Time is a fake clock that moves only when the
 * handler sleeps between polls, so waits of minutes take milliseconds.
 *
 * - The gate passes when every condition holds, fails at once on a FAILED
 *   status or a permanent SES error, keeps waiting on anything else, and
 *   times out; a failure explains itself with statuses and DNS records.
 * - A wait longer than one invocation is handed over to a fresh invocation,
 *   which answers instead; the timeout counts from the original start.
 * - A rollback passes at once; Delete does nothing; bad properties fail.
 */
import * as fs from 'node:fs';
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { createEvent, deleteEvent, TEST_ACCOUNT, TEST_REGION, updateEvent, type ReceivedResponse } from '../../local/cloudformation';
import { type EmailIdentityBody, type FaultStep } from '../../local/fake-ses-server';
import { invokeBundle } from '../../local/lambda-runner';
import { MAX_RESPONSE_BYTES, type Clock, type HandlerEvent } from '../../src/handler/cloudformation';
import { createGateHandler, type ContinueLater } from '../../src/handler/gate';
import type { DnsResolver } from '../../src/handler/identity-health';
import { gatePhysicalId, parseGateProperties } from '../../src/handler/properties';
import type { RetryOptions } from '../../src/handler/retry';
import { GATE_ATTRIBUTE_NAMES, GATE_RESOURCE_TYPE, GATE_STARTED_AT } from '../../src/shared/wire';
import { FAST_RETRY } from '../support/fast-retry';
import { localAwsForEachTest } from '../support/local-aws';


const DOMAIN = 'gate.example.com';
const MAIL_FROM = `mail.${DOMAIN}`;
const TOKENS = ['aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa', 'bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb', 'cccccccccccccccccccccccccccccccc'];
const FUNCTION_ARN = `arn:aws:lambda:${TEST_REGION}:${TEST_ACCOUNT}:function:gate`;
/** When every test's wait begins, on the fake clock. */
const START = Date.parse('2025-06-01T12:00:00.000Z');
/** A Lambda context with time to spare: 15 minutes, the longest a function may run. */
const LONG_MS = 15 * 60_000;
/** What the handler keeps back to answer CloudFormation, by default. */
const RESERVE_MS = 15_000;
const POLL_MS = 60_000;


/** Forwards each request to `target` after `delayMs`, like SES across a network. */
class DelayingProxy {
  public static async start(target: string, delayMs: number): Promise<DelayingProxy> {
    const proxy = new DelayingProxy(target, delayMs);
    await new Promise<void>((resolve) => proxy.server.listen(0, '127.0.0.1', resolve));
    return proxy;
  }

  private readonly server = http.createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => setTimeout(() => {
      const upstream = http.request(new URL(request.url ?? '/', this.target), { method: request.method, headers: request.headers }, (answer) => {
        response.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(response);
      });
      upstream.on('error', () => response.destroy());
      upstream.end(Buffer.concat(chunks));
    }, this.delayMs));
  });

  private constructor(private readonly target: string, private readonly delayMs: number) {}

  public get endpoint(): string {
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  public stop(): Promise<void> {
    return new Promise((resolve) => {
      this.server.close(() => resolve());
      this.server.closeAllConnections();
    });
  }
}

/**
 * DNS as the gate's check sees it: records by name (any case, with or without
 * the final dot) and type; an unknown name is ENOTFOUND, a known name without
 * the type asked is ENODATA. Every query is recorded.
 */
class StubResolver implements DnsResolver {
  public readonly queries: Array<{ name: string; type: string }> = [];
  private readonly records = new Map<string, Map<string, string[]>>();

  public setRecords(name: string, type: 'CNAME' | 'MX' | 'TXT', values: string[]): this {
    const key = normalize(name);
    const types = this.records.get(key) ?? new Map<string, string[]>();
    types.set(type, values);
    this.records.set(key, types);
    return this;
  }

  public async resolveCname(name: string): Promise<string[]> {
    return this.answer(name, 'CNAME').map((value) => value.replace(/\.$/, ''));
  }

  public async resolveMx(name: string): Promise<Array<{ priority: number; exchange: string }>> {
    return this.answer(name, 'MX').map((value) => {
      const [priority, exchange] = value.split(' ');
      return { priority: Number(priority), exchange };
    });
  }

  public async resolveTxt(name: string): Promise<string[][]> {
    return this.answer(name, 'TXT').map((value) => [value]);
  }

  private answer(name: string, type: string): string[] {
    this.queries.push({ name, type });
    const types = this.records.get(normalize(name));
    const values = types?.get(type) ?? [];
    if (values.length === 0) {
      const code = types && [...types.values()].some((list) => list.length > 0) ? 'ENODATA' : 'ENOTFOUND';
      throw Object.assign(new Error(`query${type} ${code} ${name}`), { code });
    }
    return values;
  }
}

function normalize(name: string): string {
  return name.toLowerCase().replace(/\.$/, '');
}

/**
 * Time that passes only when the handler sleeps; sleeping resolves at once.
 * `onSleep` runs inside the n-th sleep (counting from 1), between two polls.
 */
class FakeClock implements Clock {
  public time = START;
  public readonly sleeps: number[] = [];
  public onSleep: (count: number) => void = () => undefined;

  public now(): number {
    return this.time;
  }

  public async sleep(ms: number): Promise<void> {
    this.sleeps.push(ms);
    this.time += ms;
    this.onSleep(this.sleeps.length);
  }
}

// A Lambda in eu-west-1 whose SES endpoint, and CloudFormation's (for rollbacks), is the local.fake.
const local = localAwsForEachTest((endpoint) => ({ AWS_ENDPOINT_URL: endpoint }));
let dns: StubResolver;
let clock: FakeClock;

beforeEach(() => {
  clock = new FakeClock();
  dns = new StubResolver();
});

/** What each condition looks at; absent ones are SUCCESS (and verified for sending). */
interface Statuses {
  readonly verification?: string;
  readonly sending?: boolean;
  readonly dkim?: string;
  /** The MAIL FROM status; null: the identity has no custom MAIL FROM domain. */
  readonly mailFrom?: string | null;
  readonly errorType?: string;
}

/** A domain identity with Easy DKIM and a custom MAIL FROM domain, as SES sends it. */
function identity(statuses: Statuses = {}): EmailIdentityBody {
  const verification = statuses.verification ?? 'SUCCESS';
  return {
    IdentityType: 'DOMAIN',
    VerificationStatus: verification,
    VerifiedForSendingStatus: statuses.sending ?? verification === 'SUCCESS',
    DkimAttributes: {
      SigningEnabled: true,
      Status: statuses.dkim ?? 'SUCCESS',
      Tokens: TOKENS,
      SigningHostedZone: 'dkim.amazonses.com',
      SigningAttributesOrigin: 'AWS_SES',
    },
    ...(statuses.mailFrom === null ? {} : {
      MailFromAttributes: { MailFromDomain: MAIL_FROM, MailFromDomainStatus: statuses.mailFrom ?? 'SUCCESS', BehaviorOnMxFailure: 'USE_DEFAULT_VALUE' },
    }),
    VerificationInfo: {
      LastCheckedTimestamp: Date.parse('2025-06-01T11:58:30.000Z') / 1000,
      ...(statuses.errorType ? { ErrorType: statuses.errorType } : {}),
    },
  };
}

/** Gate properties as CloudFormation delivers them: every number a string. */
function gateProperties(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return { EmailIdentity: DOMAIN, Conditions: ['IdentityVerified'], PollIntervalSeconds: '60', TimeoutSeconds: '300', ...overrides };
}

function physicalIdOf(properties: Record<string, unknown>): string {
  const parsed = parseGateProperties(properties);
  if (typeof parsed === 'string') throw new Error(parsed);
  return gatePhysicalId(parsed);
}

const eventOptions = () => ({ responseUrl: local.receiver.url(), logicalResourceId: 'VerificationGate', resourceType: GATE_RESOURCE_TYPE });

function gateCreate(overrides: Record<string, unknown> = {}): HandlerEvent {
  return createEvent(gateProperties(overrides), eventOptions());
}

function gateUpdate(properties: Record<string, unknown>, oldProperties: Record<string, unknown>, physicalResourceId: string): HandlerEvent {
  return updateEvent(properties, oldProperties, physicalResourceId, eventOptions());
}

interface InvokeOptions {
  /** What the Lambda context reports as time left: a constant, or computed at each call. @default LONG_MS */
  readonly remainingMs?: number | (() => number);
  /** @default a recorder of hand-overs; null: no continueLater */
  readonly continueLater?: ContinueLater | null;
  /** @default FUNCTION_ARN; null: none in the context */
  readonly functionArn?: string | null;
  readonly retry?: RetryOptions;
}

interface Invocation {
  readonly logs: string[];
  /** What continueLater received, the event as Lambda would deliver it (through JSON). */
  readonly handedOver: Array<{ functionArn: string; event: HandlerEvent }>;
}

/** One invocation of a fresh handler (a new Lambda container) on the fake clock. */
async function invoke(event: HandlerEvent, options: InvokeOptions = {}): Promise<Invocation> {
  const logs: string[] = [];
  const handedOver: Invocation['handedOver'] = [];
  const recorder: ContinueLater = async (functionArn, next) => {
    handedOver.push({ functionArn, event: JSON.parse(JSON.stringify(next)) });
  };
  const handler = createGateHandler({
    retry: options.retry ?? FAST_RETRY,
    clock,
    continueLater: options.continueLater === null ? undefined : options.continueLater ?? recorder,
    resolver: dns,
    log: (line) => logs.push(line),
  });
  const remaining = options.remainingMs ?? LONG_MS;
  await handler(event, {
    getRemainingTimeInMillis: typeof remaining === 'function' ? remaining : () => remaining,
    invokedFunctionArn: options.functionArn === null ? undefined : options.functionArn ?? FUNCTION_ARN,
  });
  // The response URL is a credential.
  expect(logs.join('\n')).not.toContain(new URL(event.ResponseURL).pathname);
  return { logs, handedOver };
}

/** Whether CloudFormation has received an answer to `event`: the handler awaits it before returning. */
async function answered(event: HandlerEvent): Promise<boolean> {
  return Promise.race([
    local.receiver.response(event.ResponseURL).then(() => true),
    new Promise<boolean>((resolve) => setImmediate(() => resolve(false))),
  ]);
}

/** One invocation that answers CloudFormation itself; checks what must hold for every response. */
async function run(event: HandlerEvent, options: InvokeOptions = {}): Promise<ReceivedResponse & Invocation> {
  const invocation = await invoke(event, options);
  expect(invocation.handedOver).toEqual([]);
  expect(await answered(event)).toBe(true);
  const response = await local.receiver.response(event.ResponseURL);
  expect(response.bytes).toBeLessThanOrEqual(MAX_RESPONSE_BYTES);
  expect(response.body).toMatchObject({ StackId: event.StackId, RequestId: event.RequestId, LogicalResourceId: event.LogicalResourceId });
  if (response.body.Status === 'FAILED' && event.RequestType === 'Create') {
    // A failed Create has no resource yet.
    expect(response.body.PhysicalResourceId).toBe(event.RequestId);
  }
  return { ...response, ...invocation };
}

/** Makes SES describe DOMAIN as `before` until the n-th sleep, then as `after`. */
function changeAtSleep(count: number, before: EmailIdentityBody, after: EmailIdentityBody): void {
  local.fake.setIdentity(DOMAIN, before);
  clock.onSleep = (n) => {
    if (n === count) local.fake.setIdentity(DOMAIN, after);
  };
}

describe('a gate that passes', () => {
  test('an identity already verified passes at once, after one SES request', async () => {
    local.fake.setIdentity(DOMAIN, identity());
    const event = gateCreate({ Conditions: ['IdentityVerified', 'SendingEnabled', 'DkimVerified', 'MailFromVerified'] });

    const { body, logs } = await run(event);

    expect(body.Status).toBe('SUCCESS');
    expect(body.PhysicalResourceId).toBe(physicalIdOf(event.ResourceProperties));
    expect(body.PhysicalResourceId).toMatch(/^gate\.example\.com\/gate-[0-9a-f]{16}$/);
    expect(Object.keys(body.Data!)).toEqual([...GATE_ATTRIBUTE_NAMES]);
    expect(body.Data).toEqual({ VerificationStatus: 'SUCCESS', WaitedSeconds: '0' });
    expect(local.fake.requests).toEqual([DOMAIN]);
    expect(clock.sleeps).toEqual([]);
    expect(logs.map((line) => JSON.parse(line))).toEqual([expect.objectContaining({ resourceType: GATE_RESOURCE_TYPE, status: 'SUCCESS', emailIdentity: DOMAIN })]);
  });

  test('PENDING, PENDING, then SUCCESS: passes on the third poll, having waited two poll intervals', async () => {
    // The identity verifies while the handler sleeps after its second poll.
    changeAtSleep(2, identity({ verification: 'PENDING' }), identity());

    const { body } = await run(gateCreate());

    expect(body.Status).toBe('SUCCESS');
    expect(body.Data).toMatchObject({ VerificationStatus: 'SUCCESS', WaitedSeconds: '120' });
    expect(local.fake.requests).toEqual([DOMAIN, DOMAIN, DOMAIN]);
    expect(clock.sleeps).toEqual([POLL_MS, POLL_MS]);
  });

  test('only the listed conditions count: a FAILED DKIM status does not fail a gate on IdentityVerified', async () => {
    local.fake.setIdentity(DOMAIN, identity({ dkim: 'FAILED', mailFrom: 'FAILED' }));

    const { body } = await run(gateCreate({ Conditions: ['IdentityVerified', 'SendingEnabled'] }));

    expect(body.Status).toBe('SUCCESS');
    expect(body.Data).toEqual({ VerificationStatus: 'SUCCESS', WaitedSeconds: '0' });
  });

  test('an email address identity, without DKIM or MAIL FROM, passes on IdentityVerified and SendingEnabled', async () => {
    local.fake.setIdentity('ops@gate.example.com', { IdentityType: 'EMAIL_ADDRESS', VerificationStatus: 'SUCCESS', VerifiedForSendingStatus: true });

    const { body } = await run(gateCreate({ EmailIdentity: 'ops@gate.example.com', Conditions: ['IdentityVerified', 'SendingEnabled'] }));

    expect(body.Status).toBe('SUCCESS');
    expect(body.PhysicalResourceId).toMatch(/^ops@gate\.example\.com\/gate-/);
    expect(body.Data).toEqual({ VerificationStatus: 'SUCCESS', WaitedSeconds: '0' });
  });
});

describe('conditions that keep the gate waiting', () => {
  test.each<[string, Statuses, string]>([
    ['IdentityVerified', { verification: 'PENDING' }, 'verification status is PENDING'],
    ['IdentityVerified', { verification: 'TEMPORARY_FAILURE' }, 'verification status is TEMPORARY_FAILURE'],
    ['IdentityVerified', { verification: 'NOT_STARTED' }, 'verification status is NOT_STARTED'],
    ['SendingEnabled', { sending: false }, 'the identity is not verified for sending yet'],
    ['SendingEnabled', { verification: 'PENDING' }, 'the identity is not verified for sending yet'],
    ['DkimVerified', { dkim: 'PENDING' }, 'DKIM status is PENDING'],
    ['DkimVerified', { dkim: 'TEMPORARY_FAILURE' }, 'DKIM status is TEMPORARY_FAILURE'],
    ['DkimVerified', { dkim: 'NOT_STARTED' }, 'DKIM status is NOT_STARTED'],
    ['MailFromVerified', { mailFrom: 'PENDING' }, 'MAIL FROM status is PENDING'],
    ['MailFromVerified', { mailFrom: 'TEMPORARY_FAILURE' }, 'MAIL FROM status is TEMPORARY_FAILURE'],
  ])('%s with %j waits ("%s"), and passes once it holds', async (condition, statuses, because) => {
    // Never holds: times out after the second poll, saying what it waited for.
    local.fake.setIdentity(DOMAIN, identity(statuses));
    const timedOut = await run(gateCreate({ Conditions: [condition], TimeoutSeconds: '60' }));
    expect(timedOut.body.Status).toBe('FAILED');
    expect(timedOut.body.Reason).toContain(`Gate on "${DOMAIN}" timed out after 60 s: ${because}.`);
    expect(local.fake.requests).toHaveLength(2);

    // Holds after the first sleep: passes on the second poll.
    clock = new FakeClock();
    changeAtSleep(1, identity(statuses), identity());
    const passed = await run(gateCreate({ Conditions: [condition] }));
    expect(passed.body.Status).toBe('SUCCESS');
    expect(passed.body.Data).toMatchObject({ WaitedSeconds: '60' });
    expect(local.fake.requests).toHaveLength(4);
  });

  test('the reason lists every condition still unmet', async () => {
    local.fake.setIdentity(DOMAIN, identity({ verification: 'PENDING', dkim: 'NOT_STARTED', mailFrom: 'PENDING' }));

    const { body } = await run(gateCreate({ Conditions: ['IdentityVerified', 'SendingEnabled', 'DkimVerified', 'MailFromVerified'], TimeoutSeconds: '60' }));

    expect(body.Reason).toContain(
      'timed out after 60 s: verification status is PENDING; the identity is not verified for sending yet; DKIM status is NOT_STARTED; MAIL FROM status is PENDING.',
    );
  });

  test('polls keep to their schedule while SES takes time to answer: the last poll falls at the timeout', async () => {
    // Each answer takes 200 ms, as across a network (the fake clock moves on by that much per request),
    // and each sleep lasts 5 ms longer than asked, as timers do. Found by the deploy rehearsal
    // (rehearsal/): a gate scheduled each poll from the end of the last read, so with pollInterval 5 s
    // and timeout 10 s it gave up after 5 s, one poll early.
    class SlowSesClock extends FakeClock {
      private answered = 0;
      public now(): number {
        const requests = local.fake.requests.length;
        this.time += (requests - this.answered) * 200;
        this.answered = requests;
        return this.time;
      }
      public async sleep(ms: number): Promise<void> {
        await super.sleep(ms);
        this.time += 5;
      }
    }
    clock = new SlowSesClock();
    local.fake.setIdentity(DOMAIN, identity({ verification: 'PENDING' }));

    const { body } = await run(gateCreate({ Conditions: ['IdentityVerified'], PollIntervalSeconds: '60', TimeoutSeconds: '120' }));

    expect(body.Reason).toContain(`Gate on "${DOMAIN}" timed out after 120 s: verification status is PENDING.`);
    expect(local.fake.requests).toHaveLength(3);
    expect(clock.sleeps).toEqual([59_800, 59_795]);
  });
});

describe('a gate that fails at once', () => {
  test('a FAILED verification: the reason names the failure, the statuses, the SES error and each DNS record', async () => {
    local.fake.setIdentity(DOMAIN, identity({ verification: 'FAILED', dkim: 'FAILED', mailFrom: 'FAILED', errorType: 'HOST_NOT_FOUND' }));
    // DKIM: one CNAME right, one pointing elsewhere, one missing. MAIL FROM: SPF right, MX missing.
    dns.setRecords(`${TOKENS[0]}._domainkey.${DOMAIN}`, 'CNAME', [`${TOKENS[0]}.dkim.amazonses.com`])
      .setRecords(`${TOKENS[1]}._domainkey.${DOMAIN}`, 'CNAME', ['elsewhere.example.net'])
      .setRecords(MAIL_FROM, 'TXT', ['v=spf1 include:amazonses.com ~all']);
    const queriesBefore = dns.queries.length;

    const { body } = await run(gateCreate({ Conditions: ['IdentityVerified', 'DkimVerified'] }));

    expect(body.Status).toBe('FAILED');
    expect(body.Reason).toMatch(new RegExp(`^Gate on "${DOMAIN}" failed: verification status is FAILED\\. `));
    expect(body.Reason).toContain(
      'Statuses: verification FAILED, verified for sending false, DKIM FAILED, MAIL FROM FAILED, SES error type HOST_NOT_FOUND, last checked 2025-06-01T11:58:30.000Z.',
    );
    expect(body.Reason).toContain(`CNAME ${TOKENS[0]}._domainkey.${DOMAIN}: ok`);
    expect(body.Reason).toContain(`CNAME ${TOKENS[1]}._domainkey.${DOMAIN}: wrong (has elsewhere.example.net, SES expects ${TOKENS[1]}.dkim.amazonses.com)`);
    expect(body.Reason).toContain(`CNAME ${TOKENS[2]}._domainkey.${DOMAIN}: missing (SES expects ${TOKENS[2]}.dkim.amazonses.com)`);
    expect(body.Reason).toContain(`MX ${MAIL_FROM}: missing (SES expects 10 feedback-smtp.${TEST_REGION}.amazonses.com)`);
    expect(body.Reason).toContain(`TXT ${MAIL_FROM}: ok`);
    expect(local.fake.requests).toEqual([DOMAIN]);
    expect(clock.sleeps).toEqual([]);
    // The DNS check asked the injected resolver, and nothing else.
    expect(dns.queries.slice(queriesBefore)).toEqual(expect.arrayContaining([
      { name: `${TOKENS[0]}._domainkey.${DOMAIN}`, type: 'CNAME' },
      { name: MAIL_FROM, type: 'MX' },
      { name: MAIL_FROM, type: 'TXT' },
    ]));
    expect(dns.queries.slice(queriesBefore)).toHaveLength(5);
  });

  test.each<[string, Statuses, string]>([
    ['IdentityVerified', { verification: 'FAILED' }, 'verification status is FAILED'],
    ['SendingEnabled', { verification: 'FAILED' }, 'the identity is not verified for sending and its verification FAILED'],
    ['DkimVerified', { dkim: 'FAILED' }, 'DKIM status is FAILED'],
    ['MailFromVerified', { mailFrom: 'FAILED' }, 'MAIL FROM status is FAILED'],
    ['MailFromVerified', { mailFrom: null }, 'the identity has no custom MAIL FROM domain to verify'],
  ])('%s with %j fails at once: "%s"', async (condition, statuses, because) => {
    local.fake.setIdentity(DOMAIN, identity(statuses));

    const { body } = await run(gateCreate({ Conditions: [condition] }));

    expect(body.Status).toBe('FAILED');
    expect(body.Reason).toMatch(new RegExp(`^Gate on "${DOMAIN}" failed: ${because}\\. Statuses: `));
    expect(local.fake.requests).toEqual([DOMAIN]);
    expect(clock.sleeps).toEqual([]);
  });

  test('a failure on one condition fails the gate even while another is still pending', async () => {
    local.fake.setIdentity(DOMAIN, identity({ verification: 'PENDING', mailFrom: 'FAILED' }));

    const { body } = await run(gateCreate({ Conditions: ['IdentityVerified', 'MailFromVerified'] }));

    expect(body.Status).toBe('FAILED');
    expect(body.Reason).toContain('failed: MAIL FROM status is FAILED.');
  });

  test.each<[string, FaultStep | undefined, string]>([
    ['an unknown identity', undefined, `SES email identity "${DOMAIN}" does not exist in account ${TEST_ACCOUNT}, region ${TEST_REGION}`],
    ['access denied', { status: 403, errorType: 'AccessDeniedException' }, 'may not call ses:GetEmailIdentity'],
    ['a bad request', { status: 400, errorType: 'BadRequestException' }, 'BadRequestException'],
    // Any answer SES will not change: polling again for the whole timeout would only delay the failure.
    ['an error of no retryable kind', { status: 400, errorType: 'InvalidParameterValue' }, 'InvalidParameterValue'],
  ])('%s fails at once, without waiting', async (_, step, reason) => {
    if (step) local.fake.setIdentity(DOMAIN, identity()).script(DOMAIN, [step]);

    const { body } = await run(gateCreate());

    expect(body.Status).toBe('FAILED');
    expect(body.Reason).toContain(reason);
    expect(local.fake.requests).toEqual([DOMAIN]);
    expect(clock.sleeps).toEqual([]);
  });
});

describe('timeouts and transient SES errors', () => {
  test('never verified: FAILED after the timeout, saying what it waited for, with statuses and DNS', async () => {
    local.fake.setIdentity(DOMAIN, identity({ verification: 'PENDING', dkim: 'PENDING' }));

    const { body } = await run(gateCreate({ Conditions: ['IdentityVerified', 'DkimVerified'] }));

    expect(body.Status).toBe('FAILED');
    expect(body.Reason).toMatch(new RegExp(
      `^Gate on "${DOMAIN}" timed out after 300 s: verification status is PENDING; DKIM status is PENDING\\. Statuses: verification PENDING, .* DNS now: `,
    ));
    expect(body.Reason).toContain(`CNAME ${TOKENS[2]}._domainkey.${DOMAIN}: missing`);
    // Polls at 0, 60, ..., 300 s: the next one would be past the timeout.
    expect(local.fake.requests).toHaveLength(6);
    expect(clock.sleeps).toEqual(Array(5).fill(POLL_MS));
  });

  test('a poll interval that does not divide the timeout: no poll after the timeout', async () => {
    local.fake.setIdentity(DOMAIN, identity({ verification: 'PENDING' }));

    const { body } = await run(gateCreate({ PollIntervalSeconds: '70', TimeoutSeconds: '300' }));

    expect(body.Reason).toContain('timed out after 280 s');
    expect(local.fake.requests).toHaveLength(5);
  });

  test.each<[string, FaultStep]>([
    ['throttling (429)', { status: 429, errorType: 'TooManyRequestsException' }],
    ['a server error (500)', { status: 500, errorType: 'InternalFailure' }],
  ])('%s on a poll, beyond the retries, keeps the gate waiting; it passes later', async (_, step) => {
    local.fake.setIdentity(DOMAIN, identity()).script(DOMAIN, [step]);

    const { body } = await run(gateCreate(), { retry: { ...FAST_RETRY, maxAttempts: 1 } });

    expect(body.Status).toBe('SUCCESS');
    expect(body.Data).toMatchObject({ WaitedSeconds: '60' });
    expect(local.fake.requests).toEqual([DOMAIN, DOMAIN]);
    expect(clock.sleeps).toEqual([POLL_MS]);
  });

  test('throttled on every poll: times out, saying so', async () => {
    const throttled: FaultStep = { status: 429, errorType: 'TooManyRequestsException' };
    local.fake.setIdentity(DOMAIN, identity()).script(DOMAIN, [throttled, throttled, throttled]);

    const { body } = await run(gateCreate({ TimeoutSeconds: '120' }), { retry: { ...FAST_RETRY, maxAttempts: 1 } });

    expect(body.Status).toBe('FAILED');
    expect(body.Reason).toMatch(new RegExp(`^Gate on "${DOMAIN}" timed out after 120 s: SES kept throttling GetEmailIdentity for "${DOMAIN}" .*\\(TooManyRequestsException\\)`));
    expect(local.fake.requests).toHaveLength(3);
  });

  // When the last poll failed, what it waited for is a whole sentence: one period, not two.
  test('a transient SES error in a timeout reason does not end in ".."', async () => {
    const throttled: FaultStep = { status: 429, errorType: 'TooManyRequestsException' };
    local.fake.setIdentity(DOMAIN, identity({ verification: 'PENDING' }));
    clock.onSleep = () => local.fake.script(DOMAIN, [throttled]);

    const { body } = await run(gateCreate({ TimeoutSeconds: '60' }), { retry: { ...FAST_RETRY, maxAttempts: 1 } });

    expect(body.Reason).toContain('timed out after 60 s: SES kept throttling');
    expect(body.Reason).not.toContain('..');
  });

  test('throttled on the last poll: the reason says so, with the statuses seen before', async () => {
    local.fake.setIdentity(DOMAIN, identity({ verification: 'PENDING' }));
    clock.onSleep = (n) => {
      if (n === 1) local.fake.script(DOMAIN, [{ status: 429, errorType: 'TooManyRequestsException' }]);
    };

    const { body } = await run(gateCreate({ TimeoutSeconds: '60' }), { retry: { ...FAST_RETRY, maxAttempts: 1 } });

    expect(body.Reason).toMatch(/timed out after 60 s: SES kept throttling .* Statuses: verification PENDING/);
  });
});

describe('waits longer than one invocation', () => {
  /** Room for three polls: after the third, less than a poll interval is left. */
  const THREE_POLLS_MS = RESERVE_MS + 2 * POLL_MS + 10_000;

  test('when the next poll does not fit, hands the event over to a new invocation and sends no response', async () => {
    local.fake.setIdentity(DOMAIN, identity({ verification: 'PENDING' }));
    const event = gateCreate();

    const { handedOver, logs } = await invoke(event, { remainingMs: THREE_POLLS_MS });

    expect(await answered(event)).toBe(false);
    expect(handedOver).toEqual([{ functionArn: FUNCTION_ARN, event: { ...event, [GATE_STARTED_AT]: START } }]);
    expect(local.fake.requests).toHaveLength(3);
    expect(clock.sleeps).toEqual([POLL_MS, POLL_MS]);
    expect(JSON.parse(logs[0])).toMatchObject({ status: 'WAITING' });
  });

  test('the new invocation goes on waiting and answers; WaitedSeconds counts from the original start', async () => {
    local.fake.setIdentity(DOMAIN, identity({ verification: 'PENDING' }));
    const event = gateCreate();
    const first = await invoke(event, { remainingMs: THREE_POLLS_MS });
    // Lambda delivers the asynchronous invocation a second later.
    clock.time += 1_000;
    changeAtSleep(3, identity({ verification: 'PENDING' }), identity());

    const { body } = await run(first.handedOver[0].event);

    expect(body.Status).toBe('SUCCESS');
    expect(body.PhysicalResourceId).toBe(physicalIdOf(event.ResourceProperties));
    // 2 polls' sleep in the first invocation, 1 s of delivery, 1 sleep in the second.
    expect(body.Data).toMatchObject({ VerificationStatus: 'SUCCESS', WaitedSeconds: '181' });
    expect(local.fake.requests).toHaveLength(5);
  });

  test('a chain of invocations times out when the original start is TimeoutSeconds ago', async () => {
    local.fake.setIdentity(DOMAIN, identity({ verification: 'PENDING' }));
    const event = gateCreate();

    // Polls at 0, 60 and 120 s, then 120, 180 and 240 s, each invocation handing over.
    const first = await invoke(event, { remainingMs: THREE_POLLS_MS });
    const second = await invoke(first.handedOver[0].event, { remainingMs: THREE_POLLS_MS });
    expect(second.handedOver[0].event[GATE_STARTED_AT]).toBe(START);
    expect(await answered(event)).toBe(false);
    const { body } = await run(second.handedOver[0].event);

    expect(body.Status).toBe('FAILED');
    expect(body.Reason).toContain(`Gate on "${DOMAIN}" timed out after 300 s: verification status is PENDING.`);
    expect(local.fake.requests).toHaveLength(8);
  });

  test('an invocation that starts after the timeout polls once and fails, timed out since the original start', async () => {
    local.fake.setIdentity(DOMAIN, identity({ verification: 'PENDING' }));
    const first = await invoke(gateCreate(), { remainingMs: THREE_POLLS_MS });
    // Delivered late, after the gate's 300 s timeout.
    clock.time = START + 400_000;

    const { body } = await run(first.handedOver[0].event);

    expect(body.Status).toBe('FAILED');
    expect(body.Reason).toContain('timed out after 400 s: verification status is PENDING.');
    expect(local.fake.requests).toHaveLength(4);
  });

  test('an invocation that starts after the timeout still passes an identity verified by then', async () => {
    local.fake.setIdentity(DOMAIN, identity({ verification: 'PENDING' }));
    const first = await invoke(gateCreate(), { remainingMs: THREE_POLLS_MS });
    clock.time = START + 400_000;
    local.fake.setIdentity(DOMAIN, identity());

    const { body } = await run(first.handedOver[0].event);

    expect(body.Status).toBe('SUCCESS');
    expect(body.Data).toMatchObject({ WaitedSeconds: '400' });
  });

  test('a timeout that comes before the end of the invocation fails instead of handing over', async () => {
    local.fake.setIdentity(DOMAIN, identity({ verification: 'PENDING' }));

    const { body } = await run(gateCreate({ TimeoutSeconds: '120' }), { remainingMs: THREE_POLLS_MS });

    expect(body.Reason).toContain('timed out after 120 s');
  });

  test('continueLater failing: FAILED, with its error', async () => {
    local.fake.setIdentity(DOMAIN, identity({ verification: 'PENDING' }));
    const continueLater: ContinueLater = async () => {
      throw new Error('Rate exceeded');
    };

    const { body } = await run(gateCreate(), { remainingMs: THREE_POLLS_MS, continueLater });

    expect(body.Status).toBe('FAILED');
    expect(body.Reason).toBe('The gate could not hand over to a new invocation to go on waiting (Rate exceeded). Deploy again.');
  });

  test.each<[string, InvokeOptions]>([
    ['a gate handler without continueLater', { continueLater: null }],
    ['a context without invokedFunctionArn', { functionArn: null }],
  ])('%s: a wait longer than one invocation fails, saying gates need the gate function', async (_, options) => {
    local.fake.setIdentity(DOMAIN, identity({ verification: 'PENDING' }));

    const { body } = await run(gateCreate(), { remainingMs: THREE_POLLS_MS, ...options });

    expect(body.Status).toBe('FAILED');
    expect(body.Reason).toContain('gates must be served by the gate function');
    expect(local.fake.requests).toHaveLength(3);
  });

  test('a gate handler without continueLater still passes a gate within one invocation', async () => {
    changeAtSleep(1, identity({ verification: 'PENDING' }), identity());

    const { body } = await run(gateCreate(), { continueLater: null, functionArn: null });

    expect(body.Status).toBe('SUCCESS');
  });

  // Lambda's getRemainingTimeInMillis() counts down by itself: elapsed time must count once.
  test('a context that counts down, as Lambda does: room for three polls means three polls', async () => {
    local.fake.setIdentity(DOMAIN, identity({ verification: 'PENDING' }));
    const deadline = START + THREE_POLLS_MS;

    const { handedOver } = await invoke(gateCreate(), { remainingMs: () => deadline - clock.now() });

    expect(handedOver).toHaveLength(1);
    expect(local.fake.requests).toHaveLength(3);
  });

  // A poll after a sleep needs time to read SES, or it is lost and the last one fails.
  // SES answers in 20 ms here, through a delaying proxy, so that the outcome is deterministic.
  test('the time left is exactly one poll interval: the poll after the sleep is not starved of time to read SES', async () => {
    const proxy = await DelayingProxy.start(local.fake.endpoint, 20);
    process.env.AWS_ENDPOINT_URL_SESV2 = proxy.endpoint;
    changeAtSleep(2, identity({ verification: 'PENDING' }), identity());
    const event = gateCreate({ TimeoutSeconds: '120' });

    const { handedOver } = await invoke(event, { remainingMs: RESERVE_MS + 2 * POLL_MS }).finally(() => proxy.stop());

    // Two polls, each with time to read SES; then less than a poll and a read are left: the wait goes on in a fresh invocation.
    expect(local.fake.requests).toHaveLength(2);
    expect(handedOver).toHaveLength(1);
    expect(handedOver[0].event[GATE_STARTED_AT]).toBe(START);
  });
});

describe('updates, rollbacks and deletes', () => {
  test.each<[string, EmailIdentityBody | undefined, Record<string, string>]>([
    ['FAILED', identity({ verification: 'FAILED', dkim: 'FAILED' }), { VerificationStatus: 'FAILED' }],
    ['gone from SES (404)', undefined, { VerificationStatus: '' }],
  ])('a rollback to a gate that passed passes at once, even with the identity now %s', async (_, now, data) => {
    if (now) local.fake.setIdentity(DOMAIN, now);
    const properties = gateProperties();
    const physicalId = physicalIdOf(properties);
    const event = gateUpdate(properties, gateProperties({ TimeoutSeconds: '600' }), physicalId);

    const { body } = await run(event);

    expect(body.Status).toBe('SUCCESS');
    expect(body.PhysicalResourceId).toBe(physicalId);
    expect(body.Data).toEqual({ ...data, WaitedSeconds: '0' });
    expect(clock.sleeps).toEqual([]);
    expect(local.fake.requests).toEqual([DOMAIN]);
  });

  test.each<[string, EmailIdentityBody]>([
    ['PENDING', identity({ verification: 'PENDING' })],
    ['FAILED', identity({ verification: 'FAILED' })],
  ])("a rollback whose id is another Update's passes at once, the stack's status saying so, with the identity %s", async (_, now) => {
    local.fake.setIdentity(DOMAIN, now);
    const properties = gateProperties();
    const replaced = gateProperties({ TimeoutSeconds: '600' });
    const event = gateUpdate(properties, replaced, physicalIdOf(replaced));
    local.fake.setStackStatus(event.StackId, 'UPDATE_ROLLBACK_IN_PROGRESS');

    const { body } = await run(event);

    expect(body.Status).toBe('SUCCESS');
    expect(body.PhysicalResourceId).toBe(physicalIdOf(properties));
    expect(body.Data).toMatchObject({ WaitedSeconds: '0' });
    expect(clock.sleeps).toEqual([]);
    expect(local.fake.describeStacksCalls).toEqual([event.StackId]);
  });

  test('the same Update while the stack updates forward waits, asking the stack once', async () => {
    changeAtSleep(2, identity({ verification: 'PENDING' }), identity());
    const replaced = gateProperties({ TimeoutSeconds: '600' });
    const event = gateUpdate(gateProperties(), replaced, physicalIdOf(replaced));
    local.fake.setStackStatus(event.StackId, 'UPDATE_IN_PROGRESS');

    const { body } = await run(event);

    expect(body.Status).toBe('SUCCESS');
    expect(body.Data).toMatchObject({ WaitedSeconds: '120' });
    expect(local.fake.describeStacksCalls).toEqual([event.StackId]);
  });

  test('an Update with changed properties waits again and gets a new physical ID', async () => {
    changeAtSleep(1, identity({ verification: 'PENDING' }), identity());
    const oldProperties = gateProperties();
    const properties = gateProperties({ Conditions: ['IdentityVerified', 'SendingEnabled'] });
    const event = gateUpdate(properties, oldProperties, physicalIdOf(oldProperties));

    const { body } = await run(event);

    expect(body.Status).toBe('SUCCESS');
    expect(body.PhysicalResourceId).toBe(physicalIdOf(properties));
    expect(body.PhysicalResourceId).not.toBe(physicalIdOf(oldProperties));
    expect(body.Data).toMatchObject({ WaitedSeconds: '60' });
  });

  test('a failed Update keeps the old physical ID', async () => {
    local.fake.setIdentity(DOMAIN, identity({ verification: 'FAILED' }));
    const oldProperties = gateProperties();
    const event = gateUpdate(gateProperties({ TimeoutSeconds: '600' }), oldProperties, physicalIdOf(oldProperties));

    const { body } = await run(event);

    expect(body.Status).toBe('FAILED');
    expect(body.PhysicalResourceId).toBe(physicalIdOf(oldProperties));
  });

  test('every property is part of the physical ID', () => {
    const ids = [
      gateProperties(),
      gateProperties({ EmailIdentity: 'other.example.com' }),
      gateProperties({ Region: 'us-east-1' }),
      gateProperties({ AssumeRoleArn: 'arn:aws:iam::210987654321:role/Gate' }),
      gateProperties({ AssumeRoleArn: 'arn:aws:iam::210987654321:role/Gate', ExternalId: 'ext-1' }),
      gateProperties({ Conditions: ['SendingEnabled'] }),
      gateProperties({ PollIntervalSeconds: '30' }),
      gateProperties({ TimeoutSeconds: '600' }),
    ].map(physicalIdOf);
    expect(new Set(ids).size).toBe(ids.length);
  });

  // The id is made inside the test, not in the table: code that runs while jest
  // collects the tests makes every mutant it reaches "static" for Stryker, and a
  // static mutant runs every test of the mutation set (docs/mutation-testing.md).
  test.each([
    ['a gate that passed', () => physicalIdOf(gateProperties()), gateProperties()],
    ['a gate whose Create failed on bad properties', () => '5e6b4a2c-1f0d-4c1e-9a57-0d3c2f1b8e90', gateProperties({ Conditions: [] })],
  ])('Delete of %s succeeds without calling SES', async (_, idOf, properties) => {
    const physicalId = idOf();
    const event = deleteEvent(properties, physicalId, eventOptions());

    const { body } = await run(event);

    expect(body.Status).toBe('SUCCESS');
    expect(body.PhysicalResourceId).toBe(physicalId);
    expect(local.fake.requests).toEqual([]);
  });
});

describe('bad properties fail before any SES call, naming the property', () => {
  test.each<[string, Record<string, unknown>, string]>([
    ['empty Conditions', { Conditions: [] }, 'Property Conditions must be a non-empty list of IdentityVerified, SendingEnabled, DkimVerified, MailFromVerified, got []'],
    ['an unknown condition', { Conditions: ['IdentityVerified', 'Verified'] }, 'Property Conditions must be a non-empty list'],
    ['no Conditions', { Conditions: undefined }, 'Property Conditions must be a non-empty list'],
    ['Conditions not a list', { Conditions: 'IdentityVerified' }, 'Property Conditions must be a non-empty list'],
    ["PollIntervalSeconds 'abc'", { PollIntervalSeconds: 'abc' }, 'Properties PollIntervalSeconds and TimeoutSeconds must be numbers, got abc and 300.'],
    ["PollIntervalSeconds '0'", { PollIntervalSeconds: '0' }, 'Invalid properties: pollInterval is 0 s; it must be between 5 s and 10 minutes.'],
    ["PollIntervalSeconds ''", { PollIntervalSeconds: '' }, 'PollIntervalSeconds and TimeoutSeconds must be numbers'],
    ['TimeoutSeconds below PollIntervalSeconds', { PollIntervalSeconds: '60', TimeoutSeconds: '30' },
      'Invalid properties: timeout is 30 s; it must be at least pollInterval and at most 58 minutes (CloudFormation waits an hour at most); pollInterval is 60 s.'],
    ['PollIntervalSeconds as a number', { PollIntervalSeconds: 60 }, 'Property PollIntervalSeconds must be a string, got number'],
    ['no EmailIdentity', { EmailIdentity: undefined }, 'Property EmailIdentity must be a string, got nothing'],
    ['ExternalId without AssumeRoleArn', { ExternalId: 'ext-1' }, 'externalId "ext-1" is only used with assumeRoleArn'],
  ])('%s', async (_, overrides, reason) => {
    const { body } = await run(gateCreate(overrides));

    expect(body.Status).toBe('FAILED');
    expect(body.Reason).toContain(reason);
    expect(local.fake.requests).toEqual([]);
  });

  // Beyond the construct's bounds, a gate would hand itself over long after
  // CloudFormation gave up: the handler checks the bounds too.
  test.each([
    ["TimeoutSeconds 'Infinity'", { TimeoutSeconds: 'Infinity' }, 'Properties PollIntervalSeconds and TimeoutSeconds must be numbers, got 60 and Infinity.'],
    ["TimeoutSeconds '1e9' (31 years)", { TimeoutSeconds: '1e9' }, 'Invalid properties: timeout is 1000000000 s; it must be at least pollInterval and at most 58 minutes'],
  ])('%s fails, naming the property', async (_, overrides, reason) => {
    local.fake.setIdentity(DOMAIN, identity({ verification: 'PENDING' }));
    const event = gateCreate(overrides);

    await invoke(event);

    expect(await answered(event)).toBe(true);
    const { body } = await local.receiver.response(event.ResponseURL);
    expect(body.Status).toBe('FAILED');
    expect(body.Reason).toContain(reason);
  });
});

describe('the bundled gate function', () => {
  const GATE_BUNDLE_DIR = path.join(__dirname, '..', '..', 'assets', 'handler', 'gate.lambda');
  let bundleDir: string;

  beforeAll(() => {
    const entry = path.join(GATE_BUNDLE_DIR, 'index.js');
    if (!fs.existsSync(entry)) {
      throw new Error(`The gate bundle ${entry} is missing: run "npx projen bundle" (the test task does it before jest).`);
    }
    // A copy outside the repository, where require() cannot fall back on its
    // node_modules: like on Lambda, the bundle must carry its own SDKs.
    bundleDir = fs.mkdtempSync(path.join(os.tmpdir(), 'gate-bundle-'));
    fs.cpSync(GATE_BUNDLE_DIR, bundleDir, { recursive: true });
  });

  afterAll(() => {
    if (bundleDir) fs.rmSync(bundleDir, { recursive: true, force: true });
  });

  test('passes an identity already verified', async () => {
    local.fake.setIdentity(DOMAIN, identity());
    const event = gateCreate({ Conditions: ['IdentityVerified', 'SendingEnabled'] });

    const result = await invokeBundle(bundleDir, event, {
      env: {
        AWS_ENDPOINT_URL_SESV2: local.fake.endpoint,
        // Never used here; were it, it would reach nothing outside this machine.
        AWS_ENDPOINT_URL_LAMBDA: 'http://127.0.0.1:9',
      },
    });

    expect({ exitCode: result.exitCode, stderr: result.stderr }).toMatchObject({ exitCode: 0 });
    const { body, bytes } = await local.receiver.response(event.ResponseURL);
    expect(bytes).toBeLessThanOrEqual(MAX_RESPONSE_BYTES);
    expect(body.Status).toBe('SUCCESS');
    expect(body.PhysicalResourceId).toBe(physicalIdOf(event.ResourceProperties));
    expect(body.Data).toEqual({ VerificationStatus: 'SUCCESS', WaitedSeconds: '0' });
    expect(local.fake.requests).toEqual([DOMAIN]);
    expect(result.stdout).toContain('"status":"SUCCESS"');
    expect(result.stdout).not.toContain(new URL(event.ResponseURL).pathname);
  });
});
