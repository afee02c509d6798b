/**
 * The built monitor bundle, run as Lambda runs it on a schedule: a fresh
 * Node process loads assets/handler/monitor.lambda, and receives what
 * EventBridge would deliver to the target of a synthesized monitor's rule
 * (its input transformer applied to a scheduled event). It reads a local SES,
 * publishes to a local CloudWatch over HTTP on 127.0.0.1, and Node's own
 * resolver asks a local DNS server. The exact metric value of each identity.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { App, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as ses from 'aws-cdk-lib/aws-ses';
import { deliver, scheduledEvent, type RuleTarget } from '../../local/eventbridge';
import { FakeDnsServer } from '../../local/fake-dns-server';
import { FakeSesServer, pendingIdentity, verifiedIdentity, type EmailIdentityBody, type ErrorStep } from '../../local/fake-ses-server';
import { invokeBundle } from '../../local/lambda-runner';
import { EmailIdentityMonitor } from '../../src';
import { dkimCnameRecord, mailFromRecords } from '../../src/shared/ses-dns';
import { MONITOR_PUBLISH_RESERVE_MS } from '../../src/shared/time-budgets';
import { copyOfBundle } from '../support/bundle-copy';

const ACCOUNT = '123456789012';
const REGION = 'eu-west-1';
const MONITOR_BUNDLE_DIR = path.join(__dirname, '..', '..', 'assets', 'handler', 'monitor.lambda');
/** The run's scheduled time: every data point carries it. */
const SCHEDULED = new Date('2026-12-08T02:00:00Z');

const ACCESS_DENIED: ErrorStep = { status: 403, errorType: 'AccessDeniedException', message: 'User is not authorized to perform ses:GetEmailIdentity' };
const THROTTLED: ErrorStep = { status: 429, errorType: 'TooManyRequestsException', message: 'Maximum sending rate exceeded.' };

/** Each identity, how SES describes it, and what public DNS holds of its records. */
const IDENTITIES: Record<string, { body: EmailIdentityBody; dns: 'all' | 'none' | ((records: Records) => void) }> = {
  'verified.example.com': { body: verifiedIdentity('verified.example.com'), dns: 'all' },
  'pending.example.com': { body: pendingIdentity('pending.example.com'), dns: 'none' },
  'failed.example.com': { body: failed('failed.example.com'), dns: 'none' },
  'dkim-gone.example.com': { body: verifiedIdentity('dkim-gone.example.com'), dns: (records) => records.dkim[1].remove() },
  'mail-from-failed.example.com': { body: mailFromFailed('mail-from-failed.example.com'), dns: (records) => records.mx.remove() },
  // A resolver that cannot answer (SERVFAIL) is the resolver's fault, not a record gone.
  'dns-servfail.example.com': { body: verifiedIdentity('dns-servfail.example.com'), dns: (records) => records.mx.servfail() },
  'denied.example.com': { body: verifiedIdentity('denied.example.com'), dns: 'all' },
  'throttled.example.com': { body: verifiedIdentity('throttled.example.com'), dns: 'all' },
};

interface Records {
  readonly dkim: ReadonlyArray<{ remove(): void }>;
  readonly mx: { remove(): void; servfail(): void };
}

function failed(domain: string): EmailIdentityBody {
  const body = pendingIdentity(domain);
  delete body.MailFromAttributes;
  return { ...body, VerificationStatus: 'FAILED', DkimAttributes: { ...body.DkimAttributes, Status: 'FAILED' }, VerificationInfo: { ErrorType: 'HOST_NOT_FOUND' } };
}

function mailFromFailed(domain: string): EmailIdentityBody {
  const body = verifiedIdentity(domain);
  return { ...body, MailFromAttributes: { ...body.MailFromAttributes, MailFromDomainStatus: 'FAILED' } };
}

let bundleDir: string;
let fake: FakeSesServer;
let dns: FakeDnsServer;

beforeAll(async () => {
  bundleDir = copyOfBundle(MONITOR_BUNDLE_DIR, 'monitor');
  fake = await FakeSesServer.start();
  dns = await FakeDnsServer.start();
  for (const [name, { body, dns: published }] of Object.entries(IDENTITIES)) {
    fake.setIdentity(name, body);
    const dkim = (body.DkimAttributes?.Tokens ?? []).map((token) => dkimCnameRecord(token, name, 'dkim.amazonses.com'));
    const mailFrom = body.MailFromAttributes?.MailFromDomain ? mailFromRecords(body.MailFromAttributes.MailFromDomain, REGION) : [];
    if (published === 'none') continue;
    for (const record of [...dkim, ...mailFrom]) {
      dns.setRecords(record.name, record.type, [record.value]);
    }
    if (typeof published === 'function') {
      const [mx, spf] = mailFrom;
      published({
        dkim: dkim.map((record) => ({ remove: () => dns.deleteName(record.name) })),
        mx: {
          remove: () => dns.deleteName(mx.name).setRecords(spf.name, 'TXT', [spf.value]),
          servfail: () => dns.fail(mx.name, 'SERVFAIL'),
        },
      });
    }
  }
  // Unreadable for longer than the run gives them: every call refused, or throttled.
  fake.script('denied.example.com', Array(500).fill(ACCESS_DENIED));
  fake.script('throttled.example.com', Array(500).fill(THROTTLED));
});

afterAll(async () => {
  await fake?.stop();
  await dns?.stop();
  if (bundleDir) fs.rmSync(bundleDir, { recursive: true, force: true });
});

/** What EventBridge would deliver to the monitor function for a monitor of `names`, from its synthesized rule. */
function scheduledInput(names: readonly string[]): unknown {
  const app = new App();
  const stack = new Stack(app, 'Mail', { env: { account: ACCOUNT, region: REGION } });
  new EmailIdentityMonitor(stack, 'Monitor', { identities: names.map((name, index) => ses.EmailIdentity.fromEmailIdentityName(stack, `Identity${index}`, name)) });
  const rules = Object.values(Template.fromStack(stack).findResources('AWS::Events::Rule'));
  expect(rules).toHaveLength(1);
  const [target] = rules[0].Properties.Targets as RuleTarget[];
  return deliver(target, scheduledEvent(`arn:aws:events:${REGION}:${ACCOUNT}:rule/Mail-MonitorSchedule`, SCHEDULED));
}

/** One run of the bundle over `names`, with `readMs` to read before what it keeps back to publish. */
async function runBundle(names: readonly string[], readMs: number) {
  const result = await invokeBundle(bundleDir, scheduledInput(names) as object, {
    // Lambda's nodejs24.x would not print the SDK's notice that it will need Node 22.
    env: { AWS_ENDPOINT_URL_SESV2: fake.endpoint, AWS_ENDPOINT_URL_CLOUDWATCH: fake.endpoint, AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true' },
    dnsServer: dns.address,
    timeoutMs: MONITOR_PUBLISH_RESERVE_MS + readMs,
  });
  expect({ exitCode: result.exitCode, stderr: result.stderr }).toEqual({ exitCode: 0, stderr: '' });
  return result;
}

test('one run: the exact number of unmet checks of each identity, and nothing for those it could not read', async () => {
  const readable = Object.keys(IDENTITIES).filter((name) => !/denied|throttled/.test(name));
  const names = [...readable, 'denied.example.com'];
  const started = Date.now();

  // A run with 9 s to read, one identity a second, after what it keeps back to publish:
  // the last, refused at every try, gets what is left (about 3 s), then the run publishes.
  const result = await runBundle(names, 9_000);
  // Another run, throttled at every try for its whole budget.
  const throttledRun = await runBundle(['throttled.example.com'], 3_000);
  const published = Object.fromEntries(fake.cloudWatch.metricData.map((datum) => [datum.dimensions.EmailIdentity, datum.value]));
  expect(published).toEqual({
    'verified.example.com': 0,
    'pending.example.com': 5,
    'failed.example.com': 4,
    'dkim-gone.example.com': 1,
    'mail-from-failed.example.com': 2,
    'dns-servfail.example.com': 0,
  });
  for (const datum of fake.cloudWatch.metricData) {
    expect(datum).toEqual({
      namespace: 'SES/EmailIdentity',
      metricName: 'UnmetChecks',
      dimensions: { EmailIdentity: expect.any(String) },
      value: expect.any(Number),
      unit: 'Count',
      timestamp: SCHEDULED,
      region: REGION,
    });
  }
  // Every SES call is one after another; the readable identities were read once each.
  expect(fake.requests.filter((name) => !/denied|throttled/.test(name)).sort()).toEqual([...readable].sort());
  expect(Date.now() - started).toBeLessThan(20_000);

  const lines = [...result.stdout.trim().split('\n'), ...throttledRun.stdout.trim().split('\n')].map((line) => JSON.parse(line));
  const lineOf = (name: string) => lines.find((line) => line.emailIdentity === name && !('retry' in line));
  // Why, in the gate's words.
  const dkimGone = IDENTITIES['dkim-gone.example.com'].body.DkimAttributes!.Tokens![1];
  expect(lineOf('dkim-gone.example.com')).toMatchObject({
    unmetChecks: 1,
    unmet: ['DnsRecords: 1 of the 5 records SES expects missing or wrong'],
    statuses: 'verification SUCCESS, verified for sending true, DKIM SUCCESS, MAIL FROM SUCCESS, last checked 2024-06-02T12:00:05.500Z',
    errorType: null,
    dns: expect.arrayContaining([`CNAME ${dkimGone}._domainkey.dkim-gone.example.com: missing (SES expects ${dkimGone}.dkim.amazonses.com)`]),
  });
  expect(lineOf('pending.example.com')).toMatchObject({
    unmetChecks: 5,
    unmet: [
      'IdentityVerified: verification status is PENDING',
      'SendingEnabled: the identity is not verified for sending yet',
      'DkimVerified: DKIM status is PENDING',
      'MailFromVerified: MAIL FROM status is PENDING',
      'DnsRecords: 5 of the 5 records SES expects missing or wrong',
    ],
    errorType: 'HOST_NOT_FOUND',
  });
  expect(lineOf('failed.example.com').unmet).toEqual([
    'IdentityVerified: verification status is FAILED',
    'SendingEnabled: the identity is not verified for sending and its verification FAILED',
    'DkimVerified: DKIM status is FAILED',
    'DnsRecords: 3 of the 3 records SES expects missing or wrong',
  ]);
  expect(lineOf('mail-from-failed.example.com').dns).toContain(
    'MX mail.mail-from-failed.example.com: missing (SES expects 10 feedback-smtp.eu-west-1.amazonses.com)');
  expect(lineOf('dns-servfail.example.com')).toMatchObject({ unmetChecks: 0, dns: expect.arrayContaining(['MX mail.dns-servfail.example.com: not checked (ESERVFAIL)']) });
  expect(lineOf('denied.example.com')).toEqual({
    emailIdentity: 'denied.example.com',
    published: false,
    reason: expect.stringMatching(/^The function may not call ses:GetEmailIdentity on "denied.example.com" in account 123456789012, region eu-west-1 \(AccessDeniedException/),
  });
  expect(lineOf('throttled.example.com')).toEqual({
    emailIdentity: 'throttled.example.com',
    published: false,
    reason: expect.stringMatching(/^SES kept throttling GetEmailIdentity for "throttled.example.com" in account 123456789012, region eu-west-1 after \d+ attempts/),
  });
  expect(result.stdout.trim().split('\n').map((line) => JSON.parse(line)).at(-1)).toEqual({ monitorRun: '2026-12-08T02:00:00Z', identities: 7, published: 6 });
  expect(lines.at(-1)).toEqual({ monitorRun: '2026-12-08T02:00:00Z', identities: 1, published: 0 });
}, 60_000);
