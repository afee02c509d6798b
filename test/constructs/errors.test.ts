/**
 * Synth errors (src/private/errors.ts): each required prop named when a
 * plain-JavaScript caller leaves it out, and the presentation a user's app
 * shows when it stops on one.
 */
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { App, Stack } from 'aws-cdk-lib';
import * as ts from 'typescript';
import {
  EmailIdentityDnsRecords, EmailIdentityLookup, EmailIdentityReaderRole, EmailIdentityVerificationGate,
} from '../../src';

/** What a caller without types can pass. */
const untyped = (value: object | undefined) => value as never;

function newStack(): Stack {
  return new Stack(new App(), 'Stack', { env: { account: '123456789012', region: 'eu-west-1' } });
}

describe('a required prop left out (plain JavaScript) is named, never a TypeError', () => {
  const EMAIL_IDENTITY = 'emailIdentity \\(the SES identity to read: a domain, such as "example\\.com", or an email address\\)';
  test.each([
    ['a lookup without emailIdentity', (stack: Stack) => new EmailIdentityLookup(stack, 'Id', untyped({})),
      new RegExp(`^Stack/Id: EmailIdentityLookup needs ${EMAIL_IDENTITY}: it is missing from its props\\.$`)],
    ['a lookup without props', (stack: Stack) => new EmailIdentityLookup(stack, 'Id', untyped(undefined)),
      new RegExp(`^Stack/Id: EmailIdentityLookup needs ${EMAIL_IDENTITY}: it is missing from its props\\.$`)],
    ['a synth-time lookup without emailIdentity', (stack: Stack) => EmailIdentityLookup.fromLookup(stack, 'Id', untyped({ region: 'eu-west-1' })),
      new RegExp(`^Stack: EmailIdentityLookup\\.fromLookup needs ${EMAIL_IDENTITY}: it is missing from its props\\.$`)],
    ['a gate without identity', (stack: Stack) => new EmailIdentityVerificationGate(stack, 'Gate', untyped({})),
      /^Stack\/Gate: EmailIdentityVerificationGate needs identity \(the identity to wait for: an EmailIdentityLookup, or any aws_ses\.IEmailIdentity\): it is missing from its props\.$/],
    ['records without identity', (stack: Stack) => new EmailIdentityDnsRecords(stack, 'Records', untyped({ dkim: true })),
      /^Stack\/Records: EmailIdentityDnsRecords needs identity \(the domain identity whose records to publish\): it is missing from its props\.$/],
    ['records without props', (stack: Stack) => new EmailIdentityDnsRecords(stack, 'Records', untyped(undefined)),
      /^Stack\/Records: EmailIdentityDnsRecords needs identity \(the domain identity whose records to publish\): it is missing from its props\.$/],
    ['a reader role without trustedAccounts', (stack: Stack) => new EmailIdentityReaderRole(stack, 'Reader', untyped({ emailIdentities: ['example.com'] })),
      /^Stack\/Reader: EmailIdentityReaderRole needs trustedAccounts \(the accounts whose lookups may assume the role\): it is missing from its props\.$/],
  ])('%s', (_, build, message) => {
    expect(() => build(newStack())).toThrow(message);
  });
});

describe('a synth error as the user meets it', () => {
  test('its stack starts in the code that made the construct, not in this library', () => {
    let caught: unknown;
    try {
      new EmailIdentityLookup(newStack(), 'Id', { emailIdentity: 'bad name' });
    } catch (error) {
      caught = error;
    }
    const frames = (caught as Error).stack!.split('\n').slice(1);
    expect(frames[0]).toContain(__filename);
    expect(frames.filter((frame) => frame.includes(`${path.sep}src${path.sep}`))).toEqual([]);
  });

  test('an app that stops on one shows, above the message, a line saying it is not a crash', () => {
    // The module as the package ships it: compiled by TypeScript, which keeps comments (tsx and ts-jest's esbuild-like paths may not).
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'synth-error-'));
    const source = fs.readFileSync(path.join(__dirname, '..', '..', 'src', 'private', 'errors.ts'), 'utf8');
    fs.mkdirSync(path.join(dir, 'lib', 'private'), { recursive: true });
    fs.writeFileSync(path.join(dir, 'lib', 'private', 'errors.js'),
      ts.transpileModule(source, { compilerOptions: { module: ts.ModuleKind.CommonJS, target: ts.ScriptTarget.ES2022 } }).outputText);
    fs.writeFileSync(path.join(dir, 'app.js'), "require('./lib/private/errors').fail({ node: { path: 'App/Stack/Identity' } }, 'the problem, and the fix.');\n");
    let stderr = '';
    try {
      execFileSync(process.execPath, ['app.js'], { cwd: dir, stdio: 'pipe' });
    } catch (error) {
      stderr = String((error as { stderr: Buffer }).stderr);
    }
    const lines = stderr.split('\n');
    expect(lines[0]).toBe(`${path.join(dir, 'lib', 'private', 'errors.js')}:${lines[0].split(':').pop()}`);
    expect(lines[1]).toMatch(/throw error; \/\/ Not a crash: cdk-ses-identity-lookup refuses the app's input\. The message below names the construct and what to change\.$/);
    expect(lines[4]).toBe('Error: App/Stack/Identity: the problem, and the fix.');
    expect(lines[5]).toMatch(new RegExp(`^    at .*${path.join(dir, 'app.js').replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}:1:`));
    fs.rmSync(dir, { recursive: true, force: true });
  });
});
