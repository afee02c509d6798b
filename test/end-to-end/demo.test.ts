/**
 * `npm run demo`, against the local SES: short by default (what a user acts
 * on, what differs between the two domains, the DNS records, both gates run,
 * the pending one's real FAILED reason), every attribute with --all.
 *
 * `npm run demo -- --aws`: the identity and region are held to the library's
 * own rules before AWS is asked, and a failed call says whether AWS could not
 * be reached or refused the credentials. Offline: STS is a stand-in on
 * 127.0.0.1 (AWS_ENDPOINT_URL_STS), or a closed port there.
 */
import { spawn } from 'node:child_process';
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import * as path from 'node:path';
import { FakeSesServer, verifiedIdentity } from '../../local/fake-ses-server';
import { ATTRIBUTE_NAMES } from '../../src/shared/attributes';

const DEMO = path.join(__dirname, '..', '..', 'scripts', 'demo.js');

interface Run {
  readonly code: number | null;
  readonly output: string;
}

/** The demo with --aws, as a user with (fake) credentials runs it; nothing of the developer's AWS configuration. */
function demo(args: string[], stsEndpoint: string, sesEndpoint?: string): Promise<Run> {
  return runDemo(['--aws', ...args], {
    PATH: process.env.PATH,
    HOME: '/nonexistent',
    AWS_CONFIG_FILE: '/nonexistent/aws-config',
    AWS_SHARED_CREDENTIALS_FILE: '/nonexistent/aws-credentials',
    AWS_ACCESS_KEY_ID: 'AKIDDEMOTEST',
    AWS_SECRET_ACCESS_KEY: 'demo-test-secret',
    AWS_REGION: 'eu-west-1',
    AWS_ENDPOINT_URL_STS: stsEndpoint,
    AWS_EC2_METADATA_DISABLED: 'true',
    AWS_ENDPOINT_URL_SESV2: sesEndpoint,
  });
}

/** scripts/demo.js with `args`, its stdout and stderr as one output. */
function runDemo(args: string[], env: Record<string, string | undefined>): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [DEMO, ...args], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => { output += chunk.toString(); });
    child.stderr.on('data', (chunk: Buffer) => { output += chunk.toString(); });
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, output }));
  });
}

/** A local STS that answers every request with `answer`, counting them; or, with no answer, never answers. */
async function sts(answer?: { status: number; body: string }): Promise<{ endpoint: string; requests: () => number; close: () => Promise<void> }> {
  let requests = 0;
  const server = http.createServer((request, response) => {
    requests++;
    request.resume();
    if (answer) {
      response.writeHead(answer.status, { 'content-type': 'text/xml' }).end(answer.body);
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    endpoint: `http://127.0.0.1:${port}`,
    requests: () => requests,
    close: () => {
      server.closeAllConnections();
      return new Promise((resolve) => server.close(() => resolve()));
    },
  };
}

function stsError(code: string, message: string) {
  return {
    status: 403,
    body: `<ErrorResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/"><Error><Type>Sender</Type><Code>${code}</Code><Message>${message}</Message></Error>`
      + '<RequestId>00000000-0000-0000-0000-000000000000</RequestId></ErrorResponse>',
  };
}

/** The local demo, with no AWS configuration at all: it needs none. */
const localDemo = (args: string[] = []) => runDemo(args, { PATH: process.env.PATH, HOME: '/nonexistent' });

/** The lines of one domain's part of the output. */
const part = (output: string, domain: string) => output.split(/^=== /m).find((section) => section.startsWith(`${domain}:`))!.split('\n');
/** The attributes printed in a part, as `name: value`. */
const attributes = (lines: string[]) => lines.filter((line) => /^ {2}[A-Z]\w+ +"/.test(line)).map((line) => line.trim().replace(/ +/, ': '));

describe('the local demo', () => {
  let short: Run;
  let all: Run;
  beforeAll(async () => {
    [short, all] = [await localDemo(), await localDemo(['--all'])];
  }, 120_000);

  test('by default, each domain shows what a user acts on, and the pending one what else differs', () => {
    expect(short.code).toBe(0);
    expect(attributes(part(short.output, 'example.com'))).toEqual([
      'VerificationStatus: "SUCCESS"',
      'VerifiedForSendingStatus: "true"',
      'DkimStatus: "SUCCESS"',
      'DkimTokens: "br5ojr35qcnrznysqiho6pvczmwdneed,c6gokpiopzmojvan3gydbmvs4577vyhg,vgnnk4tb2dv3t3xh7juzbqhqqgbqofji"',
      'MailFromDomain: "mail.example.com"',
      'MailFromDomainStatus: "SUCCESS"',
      'VerificationErrorType: ""',
    ]);
    const pending = part(short.output, 'example.net');
    expect(attributes(pending)).toEqual([
      'VerificationStatus: "PENDING"',
      'VerifiedForSendingStatus: "false"',
      'DkimStatus: "PENDING"',
      'DkimTokens: "pu3v6iajgbjwcdmi6qrjljiknzg6tsiq,5zudmqvydqsumlf72pumxfg2f3blcgzn,trd4wtw4pfmblmsoykx7ns6daiyvqhsr"',
      'MailFromDomain: "mail.example.net"',
      'MailFromDomainStatus: "PENDING"',
      'VerificationErrorType: "HOST_NOT_FOUND"',
      // The rest of the 31 that differ (DkimToken1..3 are DkimTokens, shown).
      'VerificationLastSuccessTimestamp: ""',
      'SoaPrimaryNameServer: ""',
      'SoaAdminEmail: ""',
      'SoaSerialNumber: ""',
    ]);
    expect(pending).toContain("Its other attributes that differ from example.com's:");
    // What a monitor of both domains publishes: the verified one healthy, the pending one its five unmet checks.
    expect(short.output).toMatch(/^  SES\/EmailIdentity UnmetChecks \{EmailIdentity=example\.com\} = 0 at \S+$/m);
    expect(short.output).toMatch(/^  SES\/EmailIdentity UnmetChecks \{EmailIdentity=example\.net\} = 5 at \S+: IdentityVerified, SendingEnabled, DkimVerified, MailFromVerified, DnsRecords$/m);
    // Short: about half the full output's 100 lines, and no handler logs.
    expect(short.output.trim().split('\n').length).toBeLessThanOrEqual(55);
    expect(short.output).not.toContain('  | ');
  });

  test("each domain's DNS records, as a zone file", () => {
    for (const [domain, tokens] of [
      ['example.com', ['br5ojr35qcnrznysqiho6pvczmwdneed', 'c6gokpiopzmojvan3gydbmvs4577vyhg', 'vgnnk4tb2dv3t3xh7juzbqhqqgbqofji']],
      ['example.net', ['pu3v6iajgbjwcdmi6qrjljiknzg6tsiq', '5zudmqvydqsumlf72pumxfg2f3blcgzn', 'trd4wtw4pfmblmsoykx7ns6daiyvqhsr']],
    ] as const) {
      expect(part(short.output, domain).filter((line) => / 1800 IN /.test(line))).toEqual([
        ...tokens.map((token) => `  ${token}._domainkey.${domain}. 1800 IN CNAME ${token}.dkim.amazonses.com.`),
        `  mail.${domain}. 1800 IN MX 10 feedback-smtp.eu-west-1.amazonses.com.`,
        `  mail.${domain}. 1800 IN TXT "v=spf1 include:amazonses.com ~all"`,
        `  _dmarc.${domain}. 1800 IN TXT "v=DMARC1;p=none"`,
      ]);
    }
  });

  test("the verified domain's gate passes; the pending one's runs with a short timeout and fails with the handler's own reason", () => {
    const gateLines = (domain: string) => part(short.output, domain).filter((line) => line.startsWith('Create Custom::SesEmailIdentityGate'));
    expect(gateLines('example.com')).toEqual([expect.stringMatching(/: CloudFormation receives SUCCESS .*PhysicalResourceId example\.com\/gate-[0-9a-f]{16}$/)]);
    expect(gateLines('example.net')).toEqual([expect.stringMatching(/: CloudFormation receives FAILED /)]);

    const pending = part(short.output, 'example.net');
    expect(pending).toContainEqual(expect.stringMatching(/Here it runs with TimeoutSeconds and PollIntervalSeconds 5 .*its DNS check asks this machine's resolver \(\S+/));
    const reason = pending.find((line) => line.startsWith('Reason: '));
    const [headline, dnsNow] = reason!.split(' DNS now: ');
    expect(headline).toBe('Reason: Gate on "example.net" timed out after 5 s: verification status is PENDING; the identity is not verified for sending yet.'
      + ' Statuses: verification PENDING, verified for sending false, DKIM PENDING, MAIL FROM PENDING, SES error type HOST_NOT_FOUND,'
      + ' last checked 2024-06-02T12:00:05.500Z.');
    // What DNS answered, record by record: these names are published nowhere, so "missing", or "not checked" where DNS cannot be reached.
    const answered = String.raw` (missing \(SES expects [^)]+\)|not checked \(\w+\))`;
    expect(dnsNow.replace(/\.$/, '').split('; ')).toEqual([
      ...['pu3v6iajgbjwcdmi6qrjljiknzg6tsiq', '5zudmqvydqsumlf72pumxfg2f3blcgzn', 'trd4wtw4pfmblmsoykx7ns6daiyvqhsr'].map((token) =>
        expect.stringMatching(new RegExp(`^CNAME ${token}\\._domainkey\\.example\\.net:${answered}$`))),
      expect.stringMatching(new RegExp(`^MX mail\\.example\\.net:${answered}$`)),
      expect.stringMatching(new RegExp(`^TXT mail\\.example\\.net:${answered}$`)),
    ]);
  });

  test('--all prints every attribute of each lookup, and the handlers\' logs', () => {
    expect(all.code).toBe(0);
    for (const domain of ['example.com', 'example.net']) {
      const lines = part(all.output, domain);
      expect(attributes(lines).map((line) => line.split(':')[0])).toEqual(ATTRIBUTE_NAMES);
      expect(lines.filter((line) => line.startsWith('  | {'))).toHaveLength(2);
    }
  });

  test('--help documents --all', async () => {
    const help = await localDemo(['--help']);
    expect(help.code).toBe(0);
    expect(help.output).toMatch(/^ {2}--all +every attribute of each lookup, and the handlers' logs$/m);
  });
});

/** The demo's verdict: its last line. */
const verdict = (run: Run) => run.output.trim().split('\n').pop();

test('--aws, with credentials AWS accepts, reads the identity with the lookup handler and does not run the gate', async () => {
  // The fake account on 127.0.0.1 plays STS and SES: the path a real account takes, nothing deployed.
  const ses = await FakeSesServer.start();
  try {
    ses.setIdentity('example.org', verifiedIdentity('example.org'));
    const run = await demo(['--identity', 'example.org'], ses.endpoint, ses.endpoint);
    expect(run.code).toBe(0);
    expect(run.output).toMatch(/^AWS account 123456789012 \(arn:aws:iam::123456789012:\S+\), region eu-west-1\.$/m);
    const lines = part(run.output, 'example.org');
    expect(lines).toContainEqual(expect.stringMatching(/^Create Custom::SesEmailIdentityLookup \w+: CloudFormation receives SUCCESS /));
    expect(attributes(lines).map((line) => line.split(':')[0])).toEqual([
      'VerificationStatus', 'VerifiedForSendingStatus', 'DkimStatus', 'DkimTokens', 'MailFromDomain', 'MailFromDomainStatus', 'VerificationErrorType',
    ]);
    expect(lines).toContainEqual(expect.stringMatching(/^Not running Custom::SesEmailIdentityGate \w+: on a real identity it may wait up to 45 minutes\.$/));
    expect(ses.requests).toEqual(['example.org']);
  } finally {
    await ses.stop();
  }
}, 60_000);

describe('wrong input is named before AWS is asked', () => {
  test.each([
    [['--identity', 'example.com', '--region', 'eu-west-9'],
      'demo: --region: region "eu-west-9" is not a region aws-cdk-lib knows (such as "eu-west-1"). Nothing was read.'],
    [['--identity', 'example.com', '--region', 'Europe'],
      'demo: --region: region "Europe" is not an AWS region name (such as "eu-west-1"). Nothing was read.'],
    [['--identity', 'bad name'],
      'demo: --identity: emailIdentity "bad name" is not a domain or email address SES accepts: it contains whitespace or control characters. Nothing was read.'],
  ])('%j', async (args, message) => {
    const stand = await sts(stsError('InvalidClientTokenId', 'never asked'));
    try {
      const run = await demo(args, stand.endpoint);
      expect(run.output.trim()).toBe(message);
      expect(run.code).toBe(1);
      expect(stand.requests()).toBe(0);
    } finally {
      await stand.close();
    }
  });
});

describe('a failed call says whether AWS refused the credentials or could not be reached', () => {
  test.each([
    ['InvalidClientTokenId', 'The security token included in the request is invalid.'],
    ['ExpiredToken', 'The security token included in the request is expired'],
    ['AccessDenied', 'User is not authorized to perform: sts:GetCallerIdentity'],
  ])('refused: %s, at once, without asking again', async (code, message) => {
    const stand = await sts(stsError(code, message));
    try {
      const run = await demo(['--identity', 'example.com'], stand.endpoint);
      expect(verdict(run)).toBe(`demo: AWS refused these credentials (${code}: ${message}); nothing was read.`);
      expect(run.code).toBe(1);
      expect(stand.requests()).toBe(1);
    } finally {
      await stand.close();
    }
  });

  test('unreachable: a refused connection, asked three times', async () => {
    // A port that was free a moment ago: nothing listens there.
    const stand = await sts();
    await stand.close();
    const run = await demo(['--identity', 'example.com'], stand.endpoint);
    expect(run.output.match(/attempt \d of 3 failed: the connection was refused/g)).toHaveLength(3);
    expect(verdict(run)).toBe(`demo: AWS could not be reached at ${stand.endpoint}: the connection was refused. `
      + 'Check the network (a proxy, a firewall) or AWS_ENDPOINT_URL_STS; nothing was read.');
    expect(run.code).toBe(1);
  });

  test('unreachable: a name that does not resolve', async () => {
    // .invalid never resolves (RFC 2606), with or without a network.
    const run = await demo(['--identity', 'example.com'], 'http://sts.example.invalid');
    expect(verdict(run)).toBe('demo: AWS could not be reached at http://sts.example.invalid: the host name does not resolve (sts.example.invalid). '
      + 'Check the network (a proxy, a firewall) or AWS_ENDPOINT_URL_STS; nothing was read.');
  });

  test('unreachable: no answer', async () => {
    const stand = await sts();
    try {
      const run = await demo(['--identity', 'example.com'], stand.endpoint);
      expect(verdict(run)).toBe(`demo: AWS could not be reached at ${stand.endpoint}: no answer within 2 s. `
        + 'Check the network (a proxy, a firewall) or AWS_ENDPOINT_URL_STS; nothing was read.');
      expect(stand.requests()).toBe(3);
    } finally {
      await stand.close();
    }
  }, 20_000);
});
