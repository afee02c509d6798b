/**
 * A lookup attribute used in another stack, through the real CDK CLI (npm
 * `aws-cdk`), as a user runs `cdk synth`: on the peer floor and on the newest
 * aws-cdk-lib (mapped in the app's process). Where that stack can read the
 * identity itself, it does, and nothing is exported; where it cannot, the
 * error is what `cdk synth` prints first, whole. Offline: the stacks have
 * explicit environments, and no AWS call is made.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { cdkSynth, type CliRun } from '../support/cdk-cli';

const REPO = path.join(__dirname, '..', '..');

/** The user's app: an identity looked up in stack Ses, its DKIM status an output of stack App. */
const APP_SOURCE = `
import { App, CfnOutput, CfnWaitConditionHandle, Stack } from 'aws-cdk-lib';
import { EmailIdentityLookup } from ${JSON.stringify(path.join(REPO, 'src'))};

const app = new App();
const ses = new Stack(app, 'Ses', { env: { account: '111111111111', region: 'eu-west-1' } });
const other = new Stack(app, 'App', { env: { account: process.env.APP_ACCOUNT, region: 'eu-west-1' } });
new CfnWaitConditionHandle(other, 'SomeResource');
const identity = new EmailIdentityLookup(ses, 'Identity', { emailIdentity: 'example.com' });
new CfnOutput(other, 'DkimStatus', { value: identity.dkimStatus });
`;

/** Loaded before the app: aws-cdk-lib is the newest one (the aws-cdk-lib-latest alias). */
const USE_LATEST = `
const Module = require('node:module');
const resolve = Module._resolveFilename;
Module._resolveFilename = function (request, ...rest) {
  const mapped = /^aws-cdk-lib(\\/|$)/.test(request) ? request.replace(/^aws-cdk-lib/, 'aws-cdk-lib-latest') : request;
  return resolve.call(this, mapped, ...rest);
};
`;

let dir: string;

beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cross-stack-cli-'));
  fs.writeFileSync(path.join(dir, 'app.ts'), APP_SOURCE);
  fs.writeFileSync(path.join(dir, 'use-latest.js'), USE_LATEST);
});

afterEach(() => {
  fs.rmSync(dir, { recursive: true, force: true });
});

function synth(appAccount: string, awsCdkLib: 'aws-cdk-lib' | 'aws-cdk-lib-latest'): Promise<CliRun> {
  const node = [process.execPath, '-r', require.resolve('ts-node/register/transpile-only')];
  if (awsCdkLib === 'aws-cdk-lib-latest') {
    node.push('-r', path.join(dir, 'use-latest.js'));
  }
  const env = {
    PATH: process.env.PATH,
    HOME: dir,
    CDK_HOME: path.join(dir, '.cdk'),
    // The app lives outside the repository: its imports resolve here.
    NODE_PATH: path.join(REPO, 'node_modules'),
    AWS_CONFIG_FILE: path.join(dir, 'no-config'),
    AWS_SHARED_CREDENTIALS_FILE: path.join(dir, 'no-credentials'),
    AWS_EC2_METADATA_DISABLED: 'true',
    CDK_DISABLE_CLI_TELEMETRY: '1',
    TS_NODE_PROJECT: path.join(REPO, 'tsconfig.dev.json'),
    APP_ACCOUNT: appAccount,
  };
  return cdkSynth([...node, path.join(dir, 'app.ts')].join(' '), dir, env);
}

function template(stack: string): { Resources: Record<string, { Type: string }>; Outputs?: Record<string, { Value: unknown }> } {
  return JSON.parse(fs.readFileSync(path.join(dir, 'cdk.out', `${stack}.template.json`), 'utf8'));
}

describe.each(['aws-cdk-lib', 'aws-cdk-lib-latest'] as const)('cdk synth, with %s', (awsCdkLib) => {
  test('the same account: stack App reads the identity itself, and nothing is exported', async () => {
    const { code, output } = await synth('111111111111', awsCdkLib);

    expect(output).not.toMatch(/ERROR|Error/);
    expect(code).toBe(0);
    // The app ran on the aws-cdk-lib named.
    const { version } = JSON.parse(fs.readFileSync(require.resolve(`${awsCdkLib}/package.json`), 'utf8')) as { version: string };
    expect(fs.readFileSync(path.join(dir, 'cdk.out', 'tree.json'), 'utf8')).toContain(`"fqn":"aws-cdk-lib.App","version":"${version}"`);
    const app = template('App');
    const lookups = Object.entries(app.Resources).filter(([, resource]) => resource.Type === 'Custom::SesEmailIdentityLookup').map(([id]) => id);
    expect(lookups).toHaveLength(1);
    expect(app.Outputs?.DkimStatus.Value).toEqual({ 'Fn::GetAtt': [lookups[0], 'DkimStatus'] });
    for (const stack of ['Ses', 'App']) {
      expect(JSON.stringify(template(stack))).not.toMatch(/Fn::ImportValue|"Export"/);
    }
  }, 60_000);

  test('another account without a role: the error, whole, within the first 3,000 characters of what the CLI prints', async () => {
    const { code, output } = await synth('222222222222', awsCdkLib);

    const message = 'Ses/Identity: its attribute DkimStatus is used in stack App, but the lookup is in stack Ses, and the identity is in account 111111111111, '
      + 'stack App in account 222222222222: a lookup there cannot read the identity without a role. '
      + 'Give the lookup an assumeRoleArn, a role in account 111111111111 that stack App\'s lookups may assume; '
      + 'or read it in stack App with a lookup of its own that has a readerRole (an EmailIdentityReaderRole in account 111111111111 that trusts account 222222222222).';
    const at = output.indexOf(message);
    expect(at).toBeGreaterThanOrEqual(0);
    expect(at + message.length).toBeLessThan(3_000);
    expect(code).not.toBe(0);
  }, 60_000);
});
