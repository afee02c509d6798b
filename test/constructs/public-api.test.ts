/**
 * The public surface as a newcomer reads it: one way to each thing, and one
 * name per fact across the deploy-time and synth-time lookups.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { App, Stack } from 'aws-cdk-lib';
import * as ts from 'typescript';
import { EmailIdentityLookup } from '../../src';
import { cloudControlContext, EASY_DKIM_MODEL } from '../support/cloud-control-context';

/** The public members a class or instance has at run time (jsii hides `_`-prefixed ones). */
function publicMembers(target: object, stopAt: object): string[] {
  const names = new Set<string>();
  for (let proto = target; proto && proto !== stopAt; proto = Object.getPrototypeOf(proto)) {
    Object.getOwnPropertyNames(proto).forEach((name) => names.add(name));
  }
  return [...names].filter((name) => !name.startsWith('_') && name !== 'constructor').sort();
}

/** The public static members a class of src/ declares, read from its source (run time cannot tell `private` apart). */
function publicStatics(file: string, className: string): string[] {
  const source = ts.createSourceFile(file, fs.readFileSync(path.join(__dirname, '..', '..', 'src', file), 'utf8'), ts.ScriptTarget.Latest);
  const declaration = source.statements.find((node): node is ts.ClassDeclaration => ts.isClassDeclaration(node) && node.name?.text === className);
  const modifiers = (member: ts.ClassElement) => (ts.canHaveModifiers(member) ? ts.getModifiers(member) ?? [] : []).map((modifier) => modifier.kind);
  return (declaration?.members ?? [])
    .filter((member) => modifiers(member).includes(ts.SyntaxKind.StaticKeyword))
    .filter((member) => !modifiers(member).some((kind) => kind === ts.SyntaxKind.PrivateKeyword || kind === ts.SyntaxKind.ProtectedKeyword))
    .map((member) => member.name?.getText(source) ?? '')
    .filter((name) => !name.startsWith('_'))
    .sort();
}

test('one accessor for "the lookup of this identity in this stack", and the provider\'s named apart', () => {
  expect(publicStatics('email-identity-lookup.ts', 'EmailIdentityLookup')).toEqual(['fromLookup', 'of']);
  expect(publicStatics('email-identity-functions.ts', 'EmailIdentityFunctions')).toEqual(['FUNCTION_TIMEOUT', 'configure', 'getOrCreate']);
  // The copy of a lookup in another stack is `of`'s; no method of the lookup gives it too.
  expect(publicMembers(EmailIdentityLookup.prototype, Object.prototype)).not.toContain('inStack');
});

test('the options of fromLookup and the props of the constructor have names that say which is which', () => {
  // Interfaces vanish at run time; their names are in the declarations the package ships.
  const declarations = [
    fs.readFileSync(path.join(__dirname, '..', '..', 'src', 'email-identity-lookup.ts'), 'utf8'),
    fs.readFileSync(path.join(__dirname, '..', '..', 'src', 'looked-up-email-identity.ts'), 'utf8'),
  ].join('\n');
  expect(declarations).toMatch(/public static fromLookup\(scope: Construct, id: string, options: EmailIdentityFromLookupOptions\)/);
  expect(declarations).toMatch(/constructor\(scope: Construct, id: string, props: EmailIdentityLookupProps\)/);
});

test('a fact the synth-time identity has goes by the same name on the deploy-time lookup', () => {
  const env = { account: '123456789012', region: 'eu-west-1' };
  const context = cloudControlContext(new Stack(new App(), 'Stack', { env }), 'example.com', { ...EASY_DKIM_MODEL, FeedbackAttributes: { EmailForwardingEnabled: true } });
  const stack = new Stack(new App({ context }), 'Stack', { env });
  const synthTime = EmailIdentityLookup.fromLookup(stack, 'AtSynth', { emailIdentity: 'example.com' });
  const deployTime = new EmailIdentityLookup(stack, 'AtDeploy', { emailIdentity: 'example.com' });

  const onlyAtSynth = publicMembers(synthTime, Object.prototype).filter((name) => !(name in deployTime));

  // How it signs is derived from the DKIM tokens, which only a synth-time read has as plain values.
  expect(onlyAtSynth).toEqual(['dkimSigningKind']);
  expect(publicMembers(synthTime, Object.prototype)).toContain('feedbackForwardingEnabled');
});
