/**
 * The synth-time lookup end to end, with the real CDK CLI (npm `aws-cdk`):
 * `cdk synth` runs examples/synth-time-app.ts, the CLI's Cloud Control
 * context provider asks a local stand-in on 127.0.0.1, writes
 * cdk.context.json, and synthesizes again with the values in the template.
 * Nothing leaves this machine: every AWS endpoint the CLI uses is the
 * stand-in's (local/fake-ses-server.ts plays STS and Cloud Control too), and
 * notices and telemetry are off.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { FAKE_ACCOUNT, FakeSesServer, fullIdentity, type EmailIdentityBody } from '../../local/fake-ses-server';
import { cdkSynth } from '../support/cdk-cli';

const REPO = path.join(__dirname, '..', '..');
const APP = [process.execPath, '-r', require.resolve('ts-node/register/transpile-only'), path.join(REPO, 'examples', 'synth-time-app.ts')].join(' ');

interface Synth {
  readonly code: number | null;
  readonly output: string;
  /** The RecordSets of the synthesized template: name, type, values. */
  readonly records: string[];
  /** What cdk.context.json holds after the run. */
  readonly context: Record<string, unknown>;
}

let fake: FakeSesServer;
let dir: string;

beforeEach(async () => {
  fake = await FakeSesServer.start();
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cli-lookup-'));
});

afterEach(async () => {
  await fake.stop();
  fs.rmSync(dir, { recursive: true, force: true });
});

/** `cdk synth` in `dir`, as a user with credentials for the stand-in's account would run it. */
async function synth(domain: string): Promise<Synth> {
  const env = {
    PATH: process.env.PATH,
    HOME: dir,
    CDK_HOME: path.join(dir, '.cdk'),
    AWS_CONFIG_FILE: path.join(dir, 'no-config'),
    AWS_SHARED_CREDENTIALS_FILE: path.join(dir, 'no-credentials'),
    AWS_ACCESS_KEY_ID: 'AKIDLOCALCLI',
    AWS_SECRET_ACCESS_KEY: 'local-cli-secret',
    AWS_REGION: 'eu-west-1',
    AWS_ENDPOINT_URL_CLOUDCONTROL: fake.endpoint,
    AWS_ENDPOINT_URL_STS: fake.endpoint,
    AWS_EC2_METADATA_DISABLED: 'true',
    AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
    CDK_DISABLE_CLI_TELEMETRY: '1',
    TS_NODE_PROJECT: path.join(REPO, 'tsconfig.dev.json'),
    EXAMPLE_DOMAIN: domain,
  };
  const { code, output } = await cdkSynth(APP, dir, env);
  return { code, output, records: records(), context: context() };
}

function records(): string[] {
  const file = path.join(dir, 'cdk.out', 'SynthTimeSender.template.json');
  if (!fs.existsSync(file)) return [];
  const template = JSON.parse(fs.readFileSync(file, 'utf8')) as { Resources: Record<string, { Type: string; Properties: Record<string, unknown> }> };
  return Object.values(template.Resources)
    .filter((resource) => resource.Type === 'AWS::Route53::RecordSet')
    .map(({ Properties: p }) => `${p.Name} ${p.Type} ${(p.ResourceRecords as string[]).join(' ')}`);
}

function context(): Record<string, unknown> {
  const file = path.join(dir, 'cdk.context.json');
  return fs.existsSync(file) ? JSON.parse(fs.readFileSync(file, 'utf8')) : {};
}

const TOKENS = ['aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa', 'bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb', 'cccccccccccccccccccccccccccccccc'];

function easyDkim(mailFromDomain?: string): EmailIdentityBody {
  const identity = fullIdentity('example.com');
  return {
    ...identity,
    DkimAttributes: { ...identity.DkimAttributes, Tokens: TOKENS, SigningAttributesOrigin: 'AWS_SES', SigningHostedZone: 'dkim.amazonses.com' },
    MailFromAttributes: mailFromDomain ? { MailFromDomain: mailFromDomain, BehaviorOnMxFailure: 'USE_DEFAULT_VALUE' } : undefined,
  };
}

const DKIM_RECORDS = TOKENS.map((token) => `${token}._domainkey.example.com. CNAME ${token}.dkim.amazonses.com`);
const DMARC_RECORD = '_dmarc.example.com. TXT "v=DMARC1;p=none"';

test('first run: the CLI reads the identity, caches it in cdk.context.json, and synthesizes its records; the next run asks nothing', async () => {
  fake.setIdentity('example.com', easyDkim('mail.example.com'));

  const first = await synth('example.com');

  expect({ code: first.code, output: first.output }).toEqual({ code: 0, output: expect.any(String) });
  // The identifier, then each group of properties: one Cloud Control read each.
  expect(fake.cloudControlReads).toEqual(Array(5).fill('example.com'));
  const keys = Object.keys(first.context);
  expect(keys).toHaveLength(5);
  expect(keys.every((key) => key.startsWith(`cc-api-provider:account=${FAKE_ACCOUNT}:exactIdentifier=example.com:`))).toBe(true);
  expect(first.records.sort()).toEqual([
    ...DKIM_RECORDS,
    DMARC_RECORD,
    'mail.example.com. MX 10 feedback-smtp.eu-west-1.amazonses.com',
    'mail.example.com. TXT "v=spf1 include:amazonses.com ~all"',
  ].sort());

  const second = await synth('example.com');

  expect(second.code).toBe(0);
  // Nothing more asked: the values come from cdk.context.json.
  expect(fake.cloudControlReads).toHaveLength(5);
  expect(second.records.sort()).toEqual(first.records.sort());
}, 120_000);

test('an identity without a MAIL FROM domain gets no MAIL FROM records', async () => {
  fake.setIdentity('example.com', easyDkim());

  const { code, output, records: created } = await synth('example.com');

  expect({ code, output }).toMatchObject({ code: 0 });
  expect(created.sort()).toEqual([...DKIM_RECORDS, DMARC_RECORD].sort());
}, 120_000);

test("an identity that does not exist: the CLI's error names it, and nothing is cached", async () => {
  const { code, output, context: cached } = await synth('missing.example.com');

  expect(code).not.toBe(0);
  expect(output).toContain('No resource of type AWS::SES::EmailIdentity with identifier: missing.example.com');
  expect(cached).toEqual({});
}, 120_000);

test('BYODKIM: synth fails, naming the TXT record to publish', async () => {
  const identity = easyDkim();
  fake.setIdentity('example.com', { ...identity, DkimAttributes: { ...identity.DkimAttributes, Tokens: ['selector1'], SigningAttributesOrigin: 'EXTERNAL' } });

  const { code, output } = await synth('example.com');

  expect(code).not.toBe(0);
  expect(output).toMatch(/uses BYODKIM.*<selector>\._domainkey\.example\.com/);
}, 120_000);

/**
 * Cloud Control denying every read after the first. Throttling is not run
 * here: the CLI's SDK client retries it with backoff for minutes before the
 * provider gives up; its message takes the same path, which
 * test/constructs/looked-up-email-identity.test.ts checks for each query.
 */
const ACCESS_DENIED = {
  status: 400,
  errorType: 'AccessDeniedException',
  message: `User: arn:aws:iam::${FAKE_ACCOUNT}:user/local is not authorized to perform: cloudformation:GetResource`,
};

test("access denied on the optional queries: synth fails, each error naming its query and the CLI's message; nothing of them cached", async () => {
  const error = ACCESS_DENIED;
  fake.setIdentity('example.com', easyDkim('mail.example.com')).failCloudControlReads('example.com', 1, error);

  const { code, output, context: cached } = await synth('example.com');

  expect(code).not.toBe(0);
  for (const query of ['DKIM attributes', 'MAIL FROM attributes', 'feedback attributes', 'Easy DKIM CNAMEs']) {
    expect(output).toContain(`The synth-time lookup of "example.com" could not read its ${query} (Cloud Control properties `);
  }
  expect(output).toContain(`Encountered CC API error while getting AWS::SES::EmailIdentity resource example.com\n${error.message}`);
  // Only the identifier's answer is saved: the failed queries are asked again on the next synth.
  expect(Object.keys(cached)).toHaveLength(1);
}, 120_000);
