/**
 * The monitor's handler in-process: the real SES v2 client over HTTP to the
 * fake SES, Node's resolver asking a local DNS server, and what it would
 * publish recorded. Time is a fake clock that moves only when the reader
 * sleeps between retries. What each check counts, what is never counted
 * against an identity, and how a run ends when something of its own fails.
 */
import { Resolver } from 'node:dns/promises';
import { CloudWatchClient } from '@aws-sdk/client-cloudwatch';
import { FakeDnsServer } from '../../local/fake-dns-server';
import { verifiedIdentity, type EmailIdentityBody, type ErrorStep } from '../../local/fake-ses-server';
import type { Clock } from '../../src/handler/cloudformation';
import { cloudWatchPublisher, createMonitorHandler, type HealthPoint } from '../../src/handler/monitor';
import { DEFAULT_RETRY, type RetryOptions } from '../../src/handler/retry';
import { dkimCnameRecord, mailFromRecords } from '../../src/shared/ses-dns';
import { MONITOR_PUBLISH_RESERVE_MS } from '../../src/shared/time-budgets';
import type { MonitorCheck } from '../../src/shared/wire';
import { FAST_RETRY } from '../support/fast-retry';
import { localAwsForEachTest } from '../support/local-aws';

const DOMAIN = 'monitor.example.com';
const SCHEDULED = '2026-12-08T03:00:00Z';
const THROTTLED: ErrorStep = { status: 429, errorType: 'TooManyRequestsException', message: 'Too many requests.' };

class FakeClock implements Clock {
  public time = Date.parse(SCHEDULED);
  public readonly sleeps: number[] = [];
  public now(): number {
    return this.time;
  }
  public async sleep(ms: number): Promise<void> {
    this.sleeps.push(ms);
    this.time += ms;
  }
}

const local = localAwsForEachTest((endpoint) => ({ AWS_ENDPOINT_URL_CLOUDWATCH: endpoint }));
let dns: FakeDnsServer;
let resolver: Resolver;

beforeAll(async () => {
  dns = await FakeDnsServer.start();
  resolver = new Resolver({ timeout: 200, tries: 1 });
  resolver.setServers([dns.address]);
});

afterAll(async () => {
  await dns?.stop();
});

/** Publishes `body`'s records in the local DNS, as SES expects them. */
function publishRecords(name: string, body: EmailIdentityBody): void {
  const dkim = (body.DkimAttributes?.Tokens ?? []).map((token) => dkimCnameRecord(token, name, 'dkim.amazonses.com'));
  const mailFrom = body.MailFromAttributes?.MailFromDomain ? mailFromRecords(body.MailFromAttributes.MailFromDomain, 'eu-west-1') : [];
  for (const record of [...dkim, ...mailFrom]) {
    dns.setRecords(record.name, record.type, [record.value]);
  }
}

interface Run {
  readonly clock: FakeClock;
  readonly published: HealthPoint[][];
  readonly lines: Array<Record<string, unknown>>;
}

/** One scheduled run over `names`, with `leftMs` before the function's timeout (what it keeps back to publish included). */
interface RunOptions {
  readonly checks?: MonitorCheck[];
  readonly leftMs?: number;
  readonly retry?: RetryOptions;
  readonly publish?: (points: readonly HealthPoint[]) => Promise<void>;
  /** The input as given, instead of one made of `names`. */
  readonly input?: unknown;
}

async function run(names: readonly string[], options: RunOptions = {}): Promise<Run> {
  const published: HealthPoint[][] = [];
  const lines: string[] = [];
  const clock = new FakeClock();
  const handler = createMonitorHandler({
    retry: options.retry ?? FAST_RETRY,
    clock,
    resolver,
    log: (line) => lines.push(line),
    publish: options.publish ?? (async (points) => {
      published.push([...points]);
    }),
  });
  const input = 'input' in options ? options.input : {
    Checks: options.checks ?? ['IdentityVerified', 'SendingEnabled', 'DkimVerified', 'MailFromVerified', 'DnsRecords'],
    Identities: names.map((name) => ({ EmailIdentity: name })),
    ScheduledTime: SCHEDULED,
    Account: '123456789012',
  };
  await handler(input, { getRemainingTimeInMillis: () => options.leftMs ?? 15 * 60_000 });
  return { clock, published, lines: lines.map((line) => JSON.parse(line)) };
}

const valueOf = (result: Run, name: string) => result.published.flat().find((point) => point.emailIdentity === name)?.unmetChecks;

test('a healthy identity: 0, at the run\'s scheduled time', async () => {
  local.fake.setIdentity(DOMAIN, verifiedIdentity(DOMAIN));
  publishRecords(DOMAIN, verifiedIdentity(DOMAIN));

  const result = await run([DOMAIN]);

  expect(result.published).toEqual([[{ emailIdentity: DOMAIN, unmetChecks: 0, timestamp: new Date(SCHEDULED) }]]);
});

test('one read a second at most, SES\'s rate: the run does not throttle itself', async () => {
  const names = ['one.example.com', 'two.example.com', 'three.example.com'];
  names.forEach((name) => local.fake.setIdentity(name, verifiedIdentity(name)));

  const result = await run(names, { checks: ['IdentityVerified'] });

  expect(result.published.flat().map((point) => point.unmetChecks)).toEqual([0, 0, 0]);
  // No wait before the first read; each next one starts a second after the one before (the fake clock only moves in sleeps).
  expect(result.clock.sleeps).toEqual([0, 1000, 1000]);
});

test('checks switched off are not counted, and DNS is not asked when its check is off', async () => {
  const name = 'off.example.com';
  local.fake.setIdentity(name, { ...verifiedIdentity(name), VerificationStatus: 'PENDING', VerifiedForSendingStatus: false });
  const queries = dns.queries.length;

  const result = await run([name], { checks: ['SendingEnabled'] });

  expect(valueOf(result, name)).toBe(1);
  expect(result.lines[0]).toMatchObject({ unmet: ['SendingEnabled: the identity is not verified for sending yet'], dns: [] });
  expect(dns.queries.length).toBe(queries);
});

test('MAIL FROM counts only where a MAIL FROM domain is set', async () => {
  const name = 'no-mail-from.example.com';
  const body = verifiedIdentity(name);
  delete body.MailFromAttributes;
  local.fake.setIdentity(name, body);
  publishRecords(name, body);

  const result = await run([name]);

  expect(valueOf(result, name)).toBe(0);
  expect(result.lines[0].dns).toHaveLength(3);
});

test('a record that points elsewhere is unmet, as one DNS check; a resolver that does not answer judges nothing', async () => {
  const wrong = 'wrong.example.com';
  const silent = 'silent.example.com';
  for (const name of [wrong, silent]) {
    local.fake.setIdentity(name, verifiedIdentity(name));
    publishRecords(name, verifiedIdentity(name));
  }
  const token = verifiedIdentity(wrong).DkimAttributes!.Tokens!;
  dns.setRecords(`${token[0]}._domainkey.${wrong}`, 'CNAME', ['somewhere.else.example.net']);
  dns.setRecords(`${token[2]}._domainkey.${wrong}`, 'CNAME', ['another.example.net']);
  dns.fail(`mail.${silent}`, 'no answer');

  const result = await run([wrong, silent]);

  expect(valueOf(result, wrong)).toBe(1);
  expect(result.lines[0].unmet).toEqual(['DnsRecords: 2 of the 5 records SES expects missing or wrong']);
  expect(result.lines[0].dns).toContain(`CNAME ${token[0]}._domainkey.${wrong}: wrong (has somewhere.else.example.net, SES expects ${token[0]}.dkim.amazonses.com)`);
  expect(valueOf(result, silent)).toBe(0);
  expect(result.lines[1].dns).toEqual(expect.arrayContaining([`MX mail.${silent}: not checked (ETIMEOUT)`, `TXT mail.${silent}: not checked (ETIMEOUT)`]));
});

test('throttling that passes is retried: the identity is published, never counted unhealthy for it', async () => {
  local.fake.setIdentity(DOMAIN, verifiedIdentity(DOMAIN));
  publishRecords(DOMAIN, verifiedIdentity(DOMAIN));
  local.fake.script(DOMAIN, [THROTTLED, THROTTLED]);

  const result = await run([DOMAIN]);

  expect(valueOf(result, DOMAIN)).toBe(0);
  expect(result.lines.filter((line) => 'retry' in line)).toHaveLength(2);
});

test('an identity SES keeps throttling waits as long as the rest can still be read one a second, and no longer', async () => {
  const names = ['busy.example.com', 'one.example.com', 'two.example.com'];
  names.forEach((name) => local.fake.setIdentity(name, verifiedIdentity(name)));
  local.fake.script('busy.example.com', Array(1000).fill(THROTTLED));

  // 20 s to read: the throttled one may take 18 s of it (the production policy retries throttling to its deadline).
  const result = await run(names, { checks: ['IdentityVerified'], leftMs: MONITOR_PUBLISH_RESERVE_MS + 20_000, retry: DEFAULT_RETRY });

  expect(result.published.flat().map((point) => point.emailIdentity)).toEqual(['one.example.com', 'two.example.com']);
  expect(result.lines[result.lines.length - 4]).toMatchObject({ emailIdentity: 'busy.example.com', published: false, reason: expect.stringContaining('SES kept throttling') });
  // Retried well past the 2 s a read is sure of, and the run still within its 20 s.
  expect(result.lines.filter((line) => line.emailIdentity === 'busy.example.com' && 'retry' in line).length).toBeGreaterThanOrEqual(3);
  expect(result.clock.time - Date.parse(SCHEDULED)).toBeLessThanOrEqual(20_000);
});

test('an identity SES does not have: nothing published, the reason logged; the others are still read', async () => {
  local.fake.setIdentity(DOMAIN, verifiedIdentity(DOMAIN));
  publishRecords(DOMAIN, verifiedIdentity(DOMAIN));

  const result = await run(['gone.example.com', DOMAIN]);

  expect(result.published).toEqual([[{ emailIdentity: DOMAIN, unmetChecks: 0, timestamp: new Date(SCHEDULED) }]]);
  expect(result.lines[0]).toEqual({
    emailIdentity: 'gone.example.com',
    published: false,
    reason: 'SES email identity "gone.example.com" does not exist in account 123456789012, region eu-west-1. Create it in SES (identities are per region), or correct emailIdentity. (NotFoundException)',
  });
});

test('a run whose time is up reads nothing more, and says which identities it left', async () => {
  const result = await run(['a.example.com', 'b.example.com'], { leftMs: 25_000 + 1_000 });

  expect(result.published).toEqual([[]]);
  expect(local.fake.requests).toEqual([]);
  expect(result.lines[0]).toEqual({
    monitorRun: SCHEDULED,
    published: false,
    reason: "The run's time ran out before these identities were read: a.example.com, b.example.com. Watch fewer identities per stack.",
  });
});

test('PutMetricData failing is logged, and the run ends quietly (the alarm sees missing data)', async () => {
  local.fake.setIdentity(DOMAIN, verifiedIdentity(DOMAIN));

  const result = await run([DOMAIN], { publish: async () => Promise.reject(Object.assign(new Error('Rate exceeded'), { name: 'ThrottlingException' })) });

  expect(result.lines.at(-1)).toEqual({ monitorRun: SCHEDULED, published: 0, reason: 'PutMetricData failed (ThrottlingException: Rate exceeded).' });
});

test.each([
  ['nothing', undefined, 'The monitor received no Identities: it runs on the input its EmailIdentityMonitor schedule gives it.'],
  ['a bad check', { Identities: [], Checks: ['Everything'], ScheduledTime: SCHEDULED, Account: '1' }, 'Input Checks must be a list of IdentityVerified, SendingEnabled, DkimVerified, MailFromVerified, DnsRecords, got ["Everything"].'],
  ['no time', { Identities: [], Checks: [], Account: '1' }, 'Input ScheduledTime must be a timestamp and Account a string, got null and "1".'],
  ['a bad name', { Identities: [{ EmailIdentity: 'not a domain' }], Checks: [], ScheduledTime: SCHEDULED, Account: '1' }, 'Input Identities[0] is invalid: '],
  ['a name of the wrong type', { Identities: [{ EmailIdentity: 7 }], Checks: [], ScheduledTime: SCHEDULED, Account: '1' }, 'Input Identities[0] is invalid: Property EmailIdentity must be a string, got number.'],
])('input with %s: the reason logged, nothing read or published', async (_, input, reason) => {
  let published = false;
  const result = await run([], { input, publish: async () => { published = true; } });

  expect(result.lines).toEqual([{ monitorRun: 'invalid input', reason: expect.stringContaining(reason) }]);
  expect(published).toBe(false);
  expect(local.fake.requests).toEqual([]);
});

test('PutMetricData over HTTP: the namespace, metric and dimension; 1,000 points a call, gzipped as the SDK sends large bodies', async () => {
  const publish = cloudWatchPublisher(new CloudWatchClient({}));
  const at = new Date(SCHEDULED);
  const points = Array.from({ length: 1001 }, (_, index) => ({ emailIdentity: `id-${index}.example.com`, unmetChecks: index % 6, timestamp: at }));

  await publish(points);

  const received = local.fake.cloudWatch.metricData;
  expect(received).toHaveLength(1001);
  expect(received[7]).toEqual({
    namespace: 'SES/EmailIdentity', metricName: 'UnmetChecks', dimensions: { EmailIdentity: 'id-7.example.com' }, value: 1, unit: 'Count', timestamp: at, region: 'eu-west-1',
  });
  expect(local.fake.cloudWatch.gzippedCalls).toEqual([true, false]);
});
