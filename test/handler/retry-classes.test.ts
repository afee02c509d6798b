/**
 * Each class of error is retried for its own window (DEFAULT_RETRY, the
 * production policy), measured on a fake clock: the real handler and retry
 * loop, an SES client mock that fails the way the SDK does, and time that
 * passes only when the handler sleeps, so twelve minutes take milliseconds.
 * A few of them again over real HTTP to the local SES, with scaled windows.
 */
import { SESv2Client, SESv2ServiceException, TooManyRequestsException } from '@aws-sdk/client-sesv2';
import { STSServiceException } from '@aws-sdk/client-sts';
import { mockClient } from 'aws-sdk-client-mock';
import { useLocalAws } from '../../local/aws-environment';
import { createEvent, ResponseReceiver, TEST_ACCOUNT, TEST_REGION } from '../../local/cloudformation';
import { FakeSesServer, fullIdentity } from '../../local/fake-ses-server';
import type { Clock } from '../../src/handler/cloudformation';
import { AssumeRoleFailed, RetriesExhausted } from '../../src/handler/errors';
import { createLookupHandler } from '../../src/handler/lookup';
import { DEFAULT_RETRY, retryClass } from '../../src/handler/retry';
import { readIdentity, SesClients } from '../../src/handler/ses';
import { FUNCTION_TIMEOUT_SECONDS, LOOKUP_MAX_WAIT_MS } from '../../src/shared/time-budgets';
import { scaledRetry } from '../support/fast-retry';

/** Time that passes only when someone sleeps; sleeping resolves at once. */
class FakeClock implements Clock {
  private time = 0;
  public now(): number {
    return this.time;
  }
  public async sleep(ms: number): Promise<void> {
    this.time += ms;
  }
}

const HOST = 'email.eu-wset-1.amazonaws.com';
const ROLE_ARN = 'arn:aws:iam::210987654321:role/SesLookup';
const where = `in account ${TEST_ACCOUNT}, region ${TEST_REGION}`;

/** Errors as the SDK raises them. */
const errors = {
  throttling: () => new TooManyRequestsException({ message: 'Too many requests.', $metadata: { httpStatusCode: 429 } }),
  serverError: () => new SESv2ServiceException({ name: 'InternalFailure', $fault: 'server', message: 'Internal failure.', $metadata: { httpStatusCode: 500 } }),
  connectionReset: () => Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' }),
  /** What @smithy/node-http-handler raises after requestTimeout with throwOnRequestTimeout. */
  timeout: () => Object.assign(new Error('a request has exceeded the configured 15000 ms requestTimeout.'), { name: 'TimeoutError', code: 'ETIMEDOUT' }),
  /** What Node raises for a host that does not resolve. */
  notFound: () => Object.assign(new Error(`getaddrinfo ENOTFOUND ${HOST}`), { code: 'ENOTFOUND', errno: -3008, syscall: 'getaddrinfo', hostname: HOST }),
  tryAgain: () => Object.assign(new Error(`getaddrinfo EAI_AGAIN ${HOST}`), { code: 'EAI_AGAIN', errno: -3001, syscall: 'getaddrinfo', hostname: HOST }),
  accessDenied: () => new SESv2ServiceException({ name: 'AccessDeniedException', $fault: 'client', message: 'not authorized', $metadata: { httpStatusCode: 403 } }),
  stsAccessDenied: () => new AssumeRoleFailed(new STSServiceException({
    name: 'AccessDenied', $fault: 'client', message: `User is not authorized to perform: sts:AssumeRole on resource: ${ROLE_ARN}`, $metadata: { httpStatusCode: 403 },
  })),
  notFoundIdentity: () => new SESv2ServiceException({ name: 'NotFoundException', $fault: 'client', message: 'missing', $metadata: { httpStatusCode: 404 } }),
};

describe('on a fake clock, with the production policy', () => {
  const sesMock = mockClient(SESv2Client);
  let receiver: ResponseReceiver;
  beforeAll(async () => {
    receiver = await ResponseReceiver.start();
  });
  afterAll(async () => {
    sesMock.restore();
    await receiver.stop();
  });
  beforeEach(() => sesMock.reset());

  /** A lookup against an SES that fails every call with `error`; what CloudFormation got, when, and the retry log. */
  async function failEvery(error: () => Error, callTakesMs = 0) {
    const clock = new FakeClock();
    sesMock.callsFake(async () => {
      await clock.sleep(callTakesMs);
      throw error();
    });
    const log: string[] = [];
    const handler = createLookupHandler({
      client: new SESv2Client({ region: TEST_REGION, credentials: { accessKeyId: 'x', secretAccessKey: 'y' } }),
      clock,
      log: (line) => log.push(line),
    });
    const event = createEvent({ EmailIdentity: 'example.com' }, { responseUrl: receiver.url() });
    await handler(event, { getRemainingTimeInMillis: () => FUNCTION_TIMEOUT_SECONDS * 1000 });
    const { body } = await receiver.response(event.ResponseURL);
    const retries = log.filter((line) => line.startsWith('{"retry"')).map((line) => JSON.parse(line));
    return { body, failedAfterMs: clock.now(), calls: sesMock.calls().length, retries };
  }

  test('throttling is retried until the lookup deadline (12 minutes)', async () => {
    const { body, failedAfterMs, retries } = await failEvery(errors.throttling);

    expect(body.Status).toBe('FAILED');
    expect(failedAfterMs).toBeGreaterThan(LOOKUP_MAX_WAIT_MS - DEFAULT_RETRY.maxDelayMs);
    expect(failedAfterMs).toBeLessThanOrEqual(LOOKUP_MAX_WAIT_MS);
    expect(body.Reason).toMatch(new RegExp(`^SES kept throttling GetEmailIdentity for "example.com" ${where} after \\d+ attempts in \\d+ s \\(TooManyRequestsException\\)`));
    // Each retry is logged, with its class.
    expect(retries[0]).toMatchObject({ retry: 1, emailIdentity: 'example.com', class: 'throttling', cause: 'TooManyRequestsException: Too many requests.' });
  });

  test.each([
    ['a 5xx', errors.serverError, 0, /\(InternalFailure: Internal failure\.\): server errors, dropped connections or timeouts that did not pass/],
    ['a connection reset', errors.connectionReset, 0, /\(Error: socket hang up\): server errors/],
    ['a hang (each call times out after 15 s)', errors.timeout, 15_000, /\(TimeoutError: a request has exceeded/],
  ])('%s is retried for about two minutes, not twelve', async (_, error, callTakesMs, reason) => {
    const { body, failedAfterMs, retries } = await failEvery(error, callTakesMs);

    expect(body.Status).toBe('FAILED');
    // The last retry starts within faultGraceMs of the first fault; one call may follow.
    expect(failedAfterMs).toBeGreaterThan(DEFAULT_RETRY.faultGraceMs - DEFAULT_RETRY.maxDelayMs);
    expect(failedAfterMs).toBeLessThanOrEqual(DEFAULT_RETRY.faultGraceMs + callTakesMs);
    expect(failedAfterMs).toBeLessThanOrEqual(120_000);
    expect(body.Reason).toMatch(new RegExp(`^SES kept failing GetEmailIdentity for "example.com" ${where} after \\d+ attempts in \\d+ s `));
    expect(body.Reason).toMatch(reason);
    expect(retries.every((line) => line.class === 'fault')).toBe(true);
  });

  test.each([
    ['ENOTFOUND', errors.notFound],
    ['EAI_AGAIN', errors.tryAgain],
  ])('a host that does not resolve (%s) fails within 30 s, naming the host and region', async (code, error) => {
    const { body, failedAfterMs } = await failEvery(error);

    expect(body.Status).toBe('FAILED');
    expect(failedAfterMs).toBeLessThanOrEqual(30_000);
    expect(failedAfterMs).toBeGreaterThan(DEFAULT_RETRY.unresolvedHostGraceMs - DEFAULT_RETRY.maxDelayMs);
    expect(body.Reason).toMatch(new RegExp(
      `^Could not read "example.com" \\(SES\\) ${where}: host ${HOST.replace(/\./g, '\\.')} does not resolve \\(${code}\\) after \\d+ attempts( in \\d+ s)?\\. `
      + `Check the region \\(${TEST_REGION}: is it a region, with SES\\?\\)`,
    ));
  });

  test.each([
    ['from SES', errors.accessDenied, /^The function may not call ses:GetEmailIdentity on "example.com" .* \(AccessDeniedException: not authorized\)/],
    ['from STS, assuming a role', errors.stsAccessDenied, /^Could not assume role .* after \d+ attempts in \d+ s \(AccessDenied: User is not authorized to perform: sts:AssumeRole/],
  ])('AccessDenied %s is retried for the IAM window (30 s)', async (_, error, reason) => {
    const { body, failedAfterMs, retries } = await failEvery(error);

    expect(body.Status).toBe('FAILED');
    expect(failedAfterMs).toBeGreaterThan(DEFAULT_RETRY.accessDeniedGraceMs - DEFAULT_RETRY.maxDelayMs);
    expect(failedAfterMs).toBeLessThanOrEqual(DEFAULT_RETRY.accessDeniedGraceMs);
    expect(retries.length).toBeGreaterThan(0);
    expect(body.Reason).toMatch(reason);
  });

  test('STS failing (5xx) when assuming a role: retried as a fault, and the reason does not blame the trust policy', async () => {
    const stsFault = () => new AssumeRoleFailed(new STSServiceException({
      name: 'InternalFailure', $fault: 'server', message: 'Internal failure.', $metadata: { httpStatusCode: 500 },
    }));

    const { body, failedAfterMs } = await failEvery(stsFault);

    expect(body.Status).toBe('FAILED');
    expect(failedAfterMs).toBeGreaterThan(DEFAULT_RETRY.faultGraceMs - DEFAULT_RETRY.maxDelayMs);
    expect(body.Reason).toMatch(/^Could not assume role .* \(InternalFailure: Internal failure\.\)\. STS kept failing: deploy again later\.$/);
  });

  test('an identity that does not exist fails at once', async () => {
    const { body, failedAfterMs, calls } = await failEvery(errors.notFoundIdentity);

    expect(body.Status).toBe('FAILED');
    expect(failedAfterMs).toBe(0);
    expect(calls).toBe(1);
  });

  test('each class has its own window: a 5xx after minutes of throttling still gets its two minutes', async () => {
    const clock = new FakeClock();
    let calls = 0;
    const client = {
      send: async () => {
        calls++;
        throw clock.now() < 300_000 ? errors.throttling() : errors.serverError();
      },
    };
    const failure = await readIdentity(client, 'example.com', LOOKUP_MAX_WAIT_MS, { clock }).catch((error: unknown) => error);

    expect(failure).toBeInstanceOf(RetriesExhausted);
    expect(retryClass(failure)).toBe('fault');
    expect(clock.now()).toBeGreaterThan(300_000 + DEFAULT_RETRY.faultGraceMs - DEFAULT_RETRY.maxDelayMs);
    expect(clock.now()).toBeLessThan(300_000 + DEFAULT_RETRY.faultGraceMs + DEFAULT_RETRY.maxDelayMs);
    expect(calls).toBeGreaterThan(10);
  });
});

describe('over real HTTP, windows scaled down 100 times', () => {
  let fake: FakeSesServer;
  let restore: () => void;
  beforeEach(async () => {
    fake = await FakeSesServer.start();
    restore = useLocalAws(fake.endpoint);
  });
  afterEach(async () => {
    restore();
    await fake.stop();
  });

  test('SES that hangs: each call times out (requestTimeout throws), retried as a fault for its window', async () => {
    const retry = scaledRetry(100);
    fake.setIdentity('example.com', fullIdentity('example.com')).script('example.com', Array(50).fill('hang'));
    const client = new SesClients({ connectionTimeout: 100, requestTimeout: 200 }).get({ EmailIdentity: 'example.com' });
    const started = Date.now();

    const failure = await readIdentity(client, 'example.com', 60_000, { retry }).catch((error: unknown) => error);
    const elapsed = Date.now() - started;

    expect(retryClass(failure)).toBe('fault');
    expect((failure as RetriesExhausted).cause).toMatchObject({ name: 'TimeoutError' });
    expect(fake.requests.length).toBeGreaterThan(1);
    // Retries start within faultGraceMs (1 s here); one more call of 200 ms may follow.
    expect(elapsed).toBeLessThan(retry.faultGraceMs + 200 + 500);
  });

  test('persistent 5xx: retried for its window, then fails', async () => {
    const retry = scaledRetry(100);
    fake.setIdentity('example.com', fullIdentity('example.com')).script('example.com', Array(200).fill({ status: 503, errorType: 'ServiceUnavailable' }));
    const client = new SesClients().get({ EmailIdentity: 'example.com' });
    const started = Date.now();

    const failure = await readIdentity(client, 'example.com', 60_000, { retry }).catch((error: unknown) => error);

    expect(retryClass(failure)).toBe('fault');
    expect(Date.now() - started).toBeLessThan(retry.faultGraceMs + 500);
    expect(Date.now() - started).toBeGreaterThan(retry.faultGraceMs - retry.maxDelayMs);
  });
});
