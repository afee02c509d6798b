/**
 * `npm run demo -- --aws`: the identity and region are held to the library's
 * own rules before AWS is asked, and a failed call says whether AWS could not
 * be reached or refused the credentials. Offline: STS is a stand-in on
 * 127.0.0.1 (AWS_ENDPOINT_URL_STS), or a closed port there.
 */
import { spawn } from 'node:child_process';
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import * as path from 'node:path';

const DEMO = path.join(__dirname, '..', '..', 'scripts', 'demo.js');

interface Run {
  readonly code: number | null;
  readonly output: string;
}

/** The demo with --aws, as a user with (fake) credentials runs it; nothing of the developer's AWS configuration. */
function demo(args: string[], stsEndpoint: string): Promise<Run> {
  const env = {
    PATH: process.env.PATH,
    HOME: '/nonexistent',
    AWS_CONFIG_FILE: '/nonexistent/aws-config',
    AWS_SHARED_CREDENTIALS_FILE: '/nonexistent/aws-credentials',
    AWS_ACCESS_KEY_ID: 'AKIDDEMOTEST',
    AWS_SECRET_ACCESS_KEY: 'demo-test-secret',
    AWS_REGION: 'eu-west-1',
    AWS_ENDPOINT_URL_STS: stsEndpoint,
    AWS_EC2_METADATA_DISABLED: 'true',
  };
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [DEMO, '--aws', ...args], { env, stdio: ['ignore', 'pipe', 'pipe'] });
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

/** The demo's verdict: its last line. */
const verdict = (run: Run) => run.output.trim().split('\n').pop();

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
