/**
 * The synth-time lookup: the query it leaves for the CDK CLI, the dummy values
 * of the first pass, and the plain values read from a cdk.context.json answer.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { App, ContextProvider, Stack } from 'aws-cdk-lib';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as cxschema from 'aws-cdk-lib/cloud-assembly-schema';
import { DkimSigningKind, EmailIdentityLookup } from '../src';

const ENV = { account: '123456789012', region: 'eu-west-1' };

/** What Cloud Control's GetResource gives for an Easy DKIM domain with a MAIL FROM domain, as the CLI caches it. */
const EASY_DKIM_ANSWER = {
  EmailIdentity: 'example.com',
  DkimDNSTokenName1: 'aaaa._domainkey.example.com',
  DkimDNSTokenName2: 'bbbb._domainkey.example.com',
  DkimDNSTokenName3: 'cccc._domainkey.example.com',
  DkimDNSTokenValue1: 'aaaa.dkim.amazonses.com',
  DkimDNSTokenValue2: 'bbbb.dkim.amazonses.com',
  DkimDNSTokenValue3: 'cccc.dkim.amazonses.com',
  DkimAttributes: { SigningEnabled: true },
  MailFromAttributes: { MailFromDomain: 'mail.example.com', BehaviorOnMxFailure: 'USE_DEFAULT_VALUE' },
  ConfigurationSetAttributes: { ConfigurationSetName: 'transactional' },
  FeedbackAttributes: { EmailForwardingEnabled: false },
};

const BYODKIM_ANSWER = {
  EmailIdentity: 'example.com',
  DkimAttributes: { SigningEnabled: true },
  DkimSigningAttributes: { DomainSigningSelector: 'sel1' },
};

/** The context key the lookup of example.com in ENV reads. */
function contextKey(stack: Stack): string {
  return ContextProvider.getKey(stack, {
    provider: cxschema.ContextProvider.CC_API_PROVIDER,
    props: {
      typeName: 'AWS::SES::EmailIdentity',
      exactIdentifier: 'example.com',
      propertiesToReturn: [
        'EmailIdentity',
        'DkimDNSTokenName1', 'DkimDNSTokenName2', 'DkimDNSTokenName3',
        'DkimDNSTokenValue1', 'DkimDNSTokenValue2', 'DkimDNSTokenValue3',
        'DkimAttributes', 'DkimSigningAttributes', 'MailFromAttributes', 'ConfigurationSetAttributes', 'FeedbackAttributes',
      ],
    },
  }).key;
}

function stackWith(answer?: unknown): Stack {
  const probe = new Stack(new App(), 'Stack', { env: ENV });
  const context = answer === undefined ? {} : { [contextKey(probe)]: answer };
  return new Stack(new App({ context }), 'Stack', { env: ENV });
}

describe('the query the CDK CLI answers', () => {
  test('one cc-api-provider query for AWS::SES::EmailIdentity by name, valid against the cloud assembly schema', () => {
    const app = new App({ outdir: fs.mkdtempSync(path.join(os.tmpdir(), 'from-lookup-')) });
    const stack = new Stack(app, 'Stack', { env: ENV });
    EmailIdentityLookup.fromLookup(stack, 'Identity', { emailIdentity: 'example.com' });

    const assembly = app.synth();
    // Loading validates the manifest, the query included, against the schema the CLI reads it with.
    const manifest = cxschema.Manifest.loadAssemblyManifest(path.join(assembly.directory, 'manifest.json'));
    fs.rmSync(assembly.directory, { recursive: true, force: true });

    expect(manifest.missing).toHaveLength(1);
    const [missing] = manifest.missing!;
    expect(missing.key).toBe(contextKey(stack));
    expect(missing.provider).toBe('cc-api-provider');
    expect(missing.props).toMatchObject({
      account: ENV.account,
      region: ENV.region,
      typeName: 'AWS::SES::EmailIdentity',
      exactIdentifier: 'example.com',
      propertiesToReturn: expect.arrayContaining(['DkimDNSTokenName1', 'DkimDNSTokenValue3', 'DkimSigningAttributes', 'MailFromAttributes']),
    });
    expect((missing.props as { dummyValue?: unknown[] }).dummyValue).toHaveLength(1);
  });

  test('another region and account go into the query', () => {
    const app = new App();
    const stack = new Stack(app, 'Stack', { env: ENV });
    EmailIdentityLookup.fromLookup(stack, 'Identity', { emailIdentity: 'example.com', region: 'us-east-1', account: '210987654321' });

    const [missing] = app.synth().manifest.missing!;
    expect(missing.props).toMatchObject({ account: '210987654321', region: 'us-east-1', exactIdentifier: 'example.com' });
  });

  test.each([
    ['a stack without an explicit environment', () => new Stack(new App(), 'Stack'), 'example.com', /account\/region are not specified at the stack level/],
    ['a name that is no identity', () => new Stack(new App(), 'Stack', { env: ENV }), 'not a domain', /emailIdentity "not a domain" is not a domain or email address SES accepts/],
  ])('%s fails at synth, saying why', (_, makeStack, emailIdentity, message) => {
    expect(() => EmailIdentityLookup.fromLookup(makeStack(), 'Identity', { emailIdentity })).toThrow(message);
  });
});

describe('the first pass: dummy values, and the missing context reported', () => {
  test('the stack synthesizes with a dummy Easy DKIM identity', () => {
    const stack = stackWith();
    const identity = EmailIdentityLookup.fromLookup(stack, 'Identity', { emailIdentity: 'example.com' });

    expect(identity.dkimSigningKind).toBe(DkimSigningKind.EASY_DKIM);
    expect(identity.dkimRecords.map((record) => record.name)).toEqual([1, 2, 3].map((n) => `dummy${n}._domainkey.example.com`));
    expect(identity.mailFromDomain).toBeUndefined();
    expect(stack.node.root.node.tryGetContext(contextKey(stack))).toBeUndefined();
    // No custom resource, no function: nothing to deploy for a synth-time lookup.
    const template = Template.fromStack(stack);
    template.resourceCountIs('AWS::Lambda::Function', 0);
    expect(Object.keys(template.toJSON().Resources ?? {})).toEqual([]);
  });
});

describe('the second pass: plain values from cdk.context.json', () => {
  test('Easy DKIM, MAIL FROM and settings, as plain strings', () => {
    const identity = EmailIdentityLookup.fromLookup(stackWith([EASY_DKIM_ANSWER]), 'Identity', { emailIdentity: 'example.com' });

    expect(identity.dkimSigningKind).toBe(DkimSigningKind.EASY_DKIM);
    expect(identity.dkimSelector).toBeUndefined();
    expect(identity.dkimRecords).toEqual([
      { name: 'aaaa._domainkey.example.com', value: 'aaaa.dkim.amazonses.com' },
      { name: 'bbbb._domainkey.example.com', value: 'bbbb.dkim.amazonses.com' },
      { name: 'cccc._domainkey.example.com', value: 'cccc.dkim.amazonses.com' },
    ]);
    expect([identity.dkimDnsTokenName2, identity.dkimDnsTokenValue3]).toEqual(['bbbb._domainkey.example.com', 'cccc.dkim.amazonses.com']);
    expect(identity).toMatchObject({
      emailIdentityName: 'example.com',
      dkimSigningEnabled: true,
      mailFromDomain: 'mail.example.com',
      mailFromBehaviorOnMxFailure: 'USE_DEFAULT_VALUE',
      configurationSetName: 'transactional',
      feedbackForwardingEnabled: false,
      identityRegion: 'eu-west-1',
      identityAccount: '123456789012',
    });
  });

  test('BYODKIM: the selector, and no CNAMEs', () => {
    const identity = EmailIdentityLookup.fromLookup(stackWith([BYODKIM_ANSWER]), 'Identity', { emailIdentity: 'example.com' });

    expect(identity.dkimSigningKind).toBe(DkimSigningKind.BYODKIM);
    expect(identity.dkimSelector).toBe('sel1');
    expect(identity.dkimRecords).toEqual([]);
    expect(identity.dkimDnsTokenName1).toBe('');
    expect(identity.mailFromDomain).toBeUndefined();
  });

  test('grants name the identity, IAM wildcards escaped, in its own account and region', () => {
    const stack = stackWith([EASY_DKIM_ANSWER]);
    const identity = EmailIdentityLookup.fromLookup(stack, 'Identity', { emailIdentity: 'example.com' });
    const role = new iam.Role(stack, 'Sender', { assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com') });

    identity.grantSendEmail(role);

    Template.fromStack(stack).hasResourceProperties('AWS::IAM::Policy', {
      PolicyDocument: {
        Statement: [{
          Action: ['ses:SendEmail', 'ses:SendRawEmail'],
          Resource: { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':ses:eu-west-1:123456789012:identity/example.com']] },
        }],
      },
    });
  });

  test("an identity that does not exist: the CLI's error, on the lookup", () => {
    const stack = stackWith({ $providerError: 'Encountered CC API error: Resource of type \'AWS::SES::EmailIdentity\' with identifier \'example.com\' was not found.' });
    EmailIdentityLookup.fromLookup(stack, 'Identity', { emailIdentity: 'example.com' });

    Annotations.fromStack(stack).hasError('/Stack/Identity', Match.stringLikeRegexp("identifier 'example.com' was not found"));
  });
});
