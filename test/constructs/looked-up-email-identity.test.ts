/**
 * The synth-time lookup: the query it leaves for the CDK CLI, the dummy values
 * of the first pass, and the plain values read from a cdk.context.json answer.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { App, CfnParameter, Stack } from 'aws-cdk-lib';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as route53 from 'aws-cdk-lib/aws-route53';
import * as cxschema from 'aws-cdk-lib/cloud-assembly-schema';
import { DkimSigningKind, EmailIdentityDnsRecords, EmailIdentityLookup, EmailIdentityVerificationGate } from '../../src';
import { GATE_RESOURCE_TYPE } from '../../src/shared/wire';
import { cloudControlContext, contextKey, EASY_DKIM_MODEL, providerError, QUERIES } from '../support/cloud-control-context';

const ENV = { account: '123456789012', region: 'eu-west-1' };

/** Cloud Control's read of an Easy DKIM domain with a MAIL FROM domain. */

/** The same domain signing with its own key: no Easy DKIM CNAMEs. */
const BYODKIM_MODEL = Object.fromEntries(Object.entries(EASY_DKIM_MODEL).filter(([name]) => !name.startsWith('DkimDNSToken')));

/**
 * Newer aws-cdk-lib validates templates at synth and reports, on
 * console.error, a stack without resources: what a synth-time lookup alone
 * deploys. Each test's reports are captured and held to that one finding.
 */
let consoleError: jest.SpyInstance;
beforeEach(() => {
  consoleError = jest.spyOn(console, 'error').mockImplementation(() => undefined);
});
afterEach(() => {
  for (const [report] of consoleError.mock.calls) {
    // aws-cdk-lib 2.278 prefixes the finding with its section ("Resources: ").
    expect(String(report)).toMatch(/Template validation found issues[^]*WARNING (Resources: )?Resources section must exist and be non-empty \(CloudFormation Validate\)/);
    expect(String(report)).not.toMatch(/ERROR|WARNING (?!(Resources: )?Resources section must exist)/);
  }
  consoleError.mockRestore();
});

/** A stack whose context holds the CLI's answers for `model`, as cdk.context.json (or the CLI's second pass) would. */
function stackWith(model?: Parameters<typeof cloudControlContext>[2], emailIdentity = 'example.com'): Stack {
  const context = model ? cloudControlContext(new Stack(new App(), 'Stack', { env: ENV }), emailIdentity, model) : {};
  return new Stack(new App({ context }), 'Stack', { env: ENV });
}

describe('the query the CDK CLI answers', () => {
  test('cc-api-provider queries for AWS::SES::EmailIdentity by name, valid against the cloud assembly schema', () => {
    const app = new App({ outdir: fs.mkdtempSync(path.join(os.tmpdir(), 'from-lookup-')) });
    const stack = new Stack(app, 'Stack', { env: ENV });
    EmailIdentityLookup.fromLookup(stack, 'Identity', { emailIdentity: 'example.com' });

    const assembly = app.synth();
    // Loading validates the manifest, the query included, against the schema the CLI reads it with.
    const manifest = cxschema.Manifest.loadAssemblyManifest(path.join(assembly.directory, 'manifest.json'));
    fs.rmSync(assembly.directory, { recursive: true, force: true });

    // The identifier, which must be there, then each group of properties that may be absent.
    expect(manifest.missing?.map((missing) => missing.key)).toEqual(QUERIES.map((properties) => contextKey(stack, 'example.com', properties)));
    for (const [index, propertiesToReturn] of QUERIES.entries()) {
      const missing = manifest.missing![index];
      expect(missing.provider).toBe('cc-api-provider');
      expect(missing.props).toEqual({
        account: ENV.account,
        region: ENV.region,
        typeName: 'AWS::SES::EmailIdentity',
        exactIdentifier: 'example.com',
        propertiesToReturn,
        dummyValue: [expect.any(Object)],
        lookupRoleArn: expect.stringContaining('lookup-role'),
      });
    }
  });

  test("another region goes into the query; the account is the stack's, whose lookup role the CLI reads with", () => {
    const app = new App();
    const stack = new Stack(app, 'Stack', { env: ENV });
    const identity = EmailIdentityLookup.fromLookup(stack, 'Identity', { emailIdentity: 'example.com', region: 'us-east-1' });

    for (const missing of app.synth().manifest.missing!) {
      expect(missing.props).toMatchObject({ account: ENV.account, region: 'us-east-1', exactIdentifier: 'example.com' });
    }
    expect(stack.resolve(identity.emailIdentityArn)).toEqual({
      'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':ses:us-east-1:123456789012:identity/example.com']],
    });
    // As a Resource, it lives there too: aws-cdk-lib's cross-environment checks read env.
    expect(identity.env).toEqual({ account: ENV.account, region: 'us-east-1' });
  });

  test.each([
    ['emailIdentity', { emailIdentity: 'PLACEHOLDER' }],
    ['region', { emailIdentity: 'example.com', region: 'PLACEHOLDER' }],
  ])('a deploy-time value as %s is a synth error: the CLI reads before deployment', (_, options) => {
    const stack = new Stack(new App(), 'Stack', { env: ENV });
    const token = new CfnParameter(stack, 'Value').valueAsString;
    const withToken = Object.fromEntries(Object.entries(options).map(([name, value]) => [name, value === 'PLACEHOLDER' ? token : value]));

    expect(() => EmailIdentityLookup.fromLookup(stack, 'Identity', withToken as { emailIdentity: string; region?: string }))
      .toThrow('Stack/Identity: emailIdentity and region must be literals for a lookup at synth time (the CDK CLI reads the identity before deployment).');
  });

  test('a region in another partition is a synth error, as for deploy-time lookups', () => {
    expect(() => EmailIdentityLookup.fromLookup(new Stack(new App(), 'Stack', { env: ENV }), 'Identity', { emailIdentity: 'example.com', region: 'cn-north-1' }))
      .toThrow(/region "cn-north-1" is in partition aws-cn, and stack Stack is in eu-west-1, partition aws/);
  });

  test.each([
    ['a stack without an explicit environment', () => new Stack(new App(), 'Stack'), 'example.com',
      /account\/region are not specified at the stack level/],
    ['a name that is no identity', () => new Stack(new App(), 'Stack', { env: ENV }), 'not a domain',
      /emailIdentity "not a domain" is not a domain or email address SES accepts/],
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
    // A plausible Easy DKIM identity, so that nothing built from it fails on the first pass.
    expect(identity.dkimSigningEnabled).toBe(true);
    expect(identity.mailFromBehaviorOnMxFailure).toBe('USE_DEFAULT_VALUE');
    expect(identity.feedbackForwardingEnabled).toBe(true);
    expect(identity._pending).toBe(true);
    expect(stack.node.tryGetContext(contextKey(stack, 'example.com', QUERIES[0]))).toBeUndefined();
    // No custom resource, no function: nothing to deploy for a synth-time lookup.
    const template = Template.fromStack(stack);
    template.resourceCountIs('AWS::Lambda::Function', 0);
    expect(Object.keys(template.toJSON().Resources ?? {})).toEqual([]);
  });
});

describe('the second pass: plain values from cdk.context.json', () => {
  test("records of an identity in another region than the stack's: the MAIL FROM MX points to the identity's region", () => {
    const context = cloudControlContext(new Stack(new App(), 'Stack', { env: ENV }), 'example.com', EASY_DKIM_MODEL, 'us-west-2');
    const stack = new Stack(new App({ context }), 'Stack', { env: ENV });
    const identity = EmailIdentityLookup.fromLookup(stack, 'Identity', { emailIdentity: 'example.com', region: 'us-west-2' });
    const zone = route53.HostedZone.fromHostedZoneAttributes(stack, 'Zone', { hostedZoneId: 'Z123', zoneName: 'example.com' });
    const records = new EmailIdentityDnsRecords(stack, 'Records', { identity, hostedZone: zone });

    expect(identity.identityRegion).toBe('us-west-2');
    expect(records.records.filter((record) => record.type === 'MX')).toEqual([
      { name: 'mail.example.com.', type: 'MX', value: '10 feedback-smtp.us-west-2.amazonses.com' },
    ]);
    Template.fromStack(stack).hasResourceProperties('AWS::Route53::RecordSet', {
      Name: 'mail.example.com.', Type: 'MX', ResourceRecords: ['10 feedback-smtp.us-west-2.amazonses.com'],
    });
  });

  test('Easy DKIM, MAIL FROM and settings, as plain strings', () => {
    const identity = EmailIdentityLookup.fromLookup(stackWith(EASY_DKIM_MODEL), 'Identity', { emailIdentity: 'example.com' });

    expect(identity.dkimSigningKind).toBe(DkimSigningKind.EASY_DKIM);
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
      feedbackForwardingEnabled: false,
      identityRegion: 'eu-west-1',
      identityAccount: '123456789012',
    });
  });

  test('a domain that signs without Easy DKIM CNAMEs is BYODKIM: no CNAMEs, and no error', () => {
    const stack = stackWith({ ...BYODKIM_MODEL, MailFromAttributes: { BehaviorOnMxFailure: 'USE_DEFAULT_VALUE' } });
    const identity = EmailIdentityLookup.fromLookup(stack, 'Identity', { emailIdentity: 'example.com' });

    expect(identity.dkimSigningKind).toBe(DkimSigningKind.BYODKIM);
    expect(identity.dkimRecords).toEqual([]);
    expect([identity.dkimDnsTokenName1, identity.dkimDnsTokenName2, identity.dkimDnsTokenName3]).toEqual(['', '', '']);
    expect([identity.dkimDnsTokenValue1, identity.dkimDnsTokenValue2, identity.dkimDnsTokenValue3]).toEqual(['', '', '']);
    expect(identity.mailFromDomain).toBeUndefined();
    Annotations.fromStack(stack).hasNoError('*', Match.anyValue());
    // Nothing more to ask the CLI: its second pass ends here.
    expect((stack.node.root as App).synth().manifest.missing).toBeUndefined();
  });

  test('an email address without DKIM tokens: no DKIM of its own', () => {
    const stack = stackWith({ ...BYODKIM_MODEL, EmailIdentity: 'sender@example.com', MailFromAttributes: {} }, 'sender@example.com');

    const identity = EmailIdentityLookup.fromLookup(stack, 'Identity', { emailIdentity: 'sender@example.com' });

    expect(identity.dkimSigningKind).toBe(DkimSigningKind.NONE);
  });

  test('a read without MAIL FROM or feedback attributes: none, and no error', () => {
    const { MailFromAttributes: _m, FeedbackAttributes: _f, ...model } = EASY_DKIM_MODEL;
    const stack = stackWith(model);

    const identity = EmailIdentityLookup.fromLookup(stack, 'Identity', { emailIdentity: 'example.com' });

    expect(identity.mailFromDomain).toBeUndefined();
    expect(identity.feedbackForwardingEnabled).toBeUndefined();
    expect(identity.dkimSigningKind).toBe(DkimSigningKind.EASY_DKIM);
    expect((stack.node.root as App).synth().manifest.missing).toBeUndefined();
  });

  test('grants name the identity, IAM wildcards escaped, in its own account and region', () => {
    const stack = stackWith(EASY_DKIM_MODEL);
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

  /**
   * What the CLI puts in the context when Cloud Control's read fails for a
   * reason other than a missing property: its ContextProviderError's message,
   * then the SDK error's (formatErrorMessage in the CLI).
   */
  const ERRORS = {
    'access denied': 'Encountered CC API error while getting AWS::SES::EmailIdentity resource example.com\n'
      + 'User: arn:aws:sts::123456789012:assumed-role/cdk-hnb659fds-lookup-role-123456789012-eu-west-1/aws-cdk is not authorized to perform: cloudformation:GetResource',
    'throttling': 'Encountered CC API error while getting AWS::SES::EmailIdentity resource example.com\nRate exceeded',
    // For an optional query, the identity gone between two reads is no answer either.
    'the identity gone': 'No resource of type AWS::SES::EmailIdentity with identifier: example.com',
  };
  const OPTIONAL_QUERIES: Array<[string, string[]]> = [
    ['DKIM attributes', QUERIES[1]],
    ['MAIL FROM attributes', QUERIES[2]],
    ['feedback attributes', QUERIES[3]],
    ['Easy DKIM CNAMEs', QUERIES[4]],
  ];
  const CASES = OPTIONAL_QUERIES.flatMap(([query, properties]) =>
    Object.entries(ERRORS).map(([kind, message]) => ({ query, properties, kind, message })));

  test.each(CASES)('$kind on the $query query: an error on the lookup naming the query and the error, said first', ({ query, properties, message }) => {
    const base = new Stack(new App(), 'Stack', { env: ENV });
    const context = { ...cloudControlContext(base, 'example.com', EASY_DKIM_MODEL), [contextKey(base, 'example.com', properties)]: providerError(message) };
    const stack = new Stack(new App({ context }), 'Stack', { env: ENV });

    const identity = EmailIdentityLookup.fromLookup(stack, 'Identity', { emailIdentity: 'example.com' });

    const errors = Annotations.fromStack(stack).findError('*', Match.anyValue());
    expect(errors.map((error) => error.id)).toEqual(['/Stack/Identity', '/Stack/Identity']);
    // Ours first and whole: the query, its properties and the CLI's message; then aws-cdk-lib's copy of the message.
    expect(errors[0].entry.data).toBe(`The synth-time lookup of "example.com" could not read its ${query} (Cloud Control properties ${properties.join(', ')}): `
      + `${message} (only "not found" means the identity has none; the CLI does not cache this answer, so cdk synth asks again once the cause is fixed)`);
    expect(errors[1].entry.data).toBe(message);
    // Still the first pass as far as checks go: nothing fails on the dummy values.
    expect(identity._pending).toBe(true);
  });

  test('"not found" on every optional query: none of them, and no error', () => {
    const stack = stackWith({ EmailIdentity: 'example.com' });

    const identity = EmailIdentityLookup.fromLookup(stack, 'Identity', { emailIdentity: 'example.com' });

    expect(Annotations.fromStack(stack).findError('*', Match.anyValue())).toEqual([]);
    expect(identity._pending).toBe(false);
    expect(identity.dkimSigningKind).toBe(DkimSigningKind.NONE);
    expect(identity.dkimSigningEnabled).toBe(false);
    expect(identity.dkimRecords).toEqual([]);
    expect(identity.mailFromDomain).toBeUndefined();
    expect(identity.feedbackForwardingEnabled).toBeUndefined();
  });

  test("an identity that does not exist: the CLI's error, on the lookup", () => {
    const stack = stackWith({ error: 'No resource of type AWS::SES::EmailIdentity with identifier: example.com' });
    const identity = EmailIdentityLookup.fromLookup(stack, 'Identity', { emailIdentity: 'example.com' });

    // That error only: the other queries, which fail the same way, would only repeat it.
    const errors = Annotations.fromStack(stack).findError('*', Match.anyValue());
    expect(errors.map((error) => [error.id, error.entry.data])).toEqual([
      ['/Stack/Identity', 'No resource of type AWS::SES::EmailIdentity with identifier: example.com'],
    ]);
    // Dummy values, on which no check may fail.
    expect(identity._pending).toBe(true);
  });

  test('"not found" is only the CLI\'s own text for an absent property: the same words inside another error are an error', () => {
    const base = new Stack(new App(), 'Stack', { env: ENV });
    const notFound = 'Cannot read field MailFromAttributes. MailFromAttributes is not found.';
    for (const message of [`Encountered CC API error\n${notFound}`, `${notFound}\nThen something else failed`]) {
      const context = { ...cloudControlContext(base, 'example.com', EASY_DKIM_MODEL), [contextKey(base, 'example.com', QUERIES[2])]: providerError(message) };
      const stack = new Stack(new App({ context }), 'Stack', { env: ENV });

      EmailIdentityLookup.fromLookup(stack, 'Identity', { emailIdentity: 'example.com' });

      expect(Annotations.fromStack(stack).findError('/Stack/Identity', Match.stringLikeRegexp('could not read its MAIL FROM attributes'))).toHaveLength(1);
    }
  });
});

describe('records from an identity read at synth time', () => {
  const zoneOf = (stack: Stack) => route53.HostedZone.fromHostedZoneAttributes(stack, 'Zone', { hostedZoneId: 'Z123', zoneName: 'example.com' });
  const recordsIn = (stack: Stack) => Object.values(Template.fromStack(stack).findResources('AWS::Route53::RecordSet'))
    .map(({ Properties: p }) => `${p.Name} ${p.Type} ${p.ResourceRecords.join(' ')}`).sort();
  const DKIM = ['aaaa', 'bbbb', 'cccc'].map((token) => `${token}._domainkey.example.com. CNAME ${token}.dkim.amazonses.com`);

  test('exactly the identity\'s: its Easy DKIM CNAMEs and MAIL FROM records, with no lookup and no function', () => {
    const stack = stackWith(EASY_DKIM_MODEL);
    const identity = EmailIdentityLookup.fromLookup(stack, 'Identity', { emailIdentity: 'example.com' });

    const records = new EmailIdentityDnsRecords(stack, 'Records', { identity, hostedZone: zoneOf(stack) });

    expect(recordsIn(stack)).toEqual([
      ...DKIM,
      'mail.example.com. MX 10 feedback-smtp.eu-west-1.amazonses.com',
      'mail.example.com. TXT "v=spf1 include:amazonses.com ~all"',
    ].sort());
    expect(stack.resolve(records.toZoneFile())).toContain('aaaa._domainkey.example.com. 1800 IN CNAME aaaa.dkim.amazonses.com.');
    const types = new Set(Object.values(Template.fromStack(stack).toJSON().Resources).map((resource) => (resource as { Type: string }).Type));
    expect([...types]).toEqual(['AWS::Route53::RecordSet']);
  });

  test('no MAIL FROM domain, no MAIL FROM records; asking for them is a synth error', () => {
    const model = { ...EASY_DKIM_MODEL, MailFromAttributes: { BehaviorOnMxFailure: 'USE_DEFAULT_VALUE' } };
    const stack = stackWith(model);
    const identity = EmailIdentityLookup.fromLookup(stack, 'Identity', { emailIdentity: 'example.com' });

    new EmailIdentityDnsRecords(stack, 'Records', { identity, hostedZone: zoneOf(stack) });
    expect(recordsIn(stack)).toEqual(DKIM.sort());

    const other = stackWith(model);
    const same = EmailIdentityLookup.fromLookup(other, 'Identity', { emailIdentity: 'example.com' });
    expect(() => new EmailIdentityDnsRecords(other, 'Records', { identity: same, mailFrom: true }))
      .toThrow('Stack/Records: "example.com" has no custom MAIL FROM domain: set one in SES (a lookup at synth time then needs cdk context --reset), or leave mailFrom unset.');
  });

  test('mailFrom: false leaves out the MAIL FROM records the identity has', () => {
    const stack = stackWith(EASY_DKIM_MODEL);
    const identity = EmailIdentityLookup.fromLookup(stack, 'Identity', { emailIdentity: 'example.com' });

    new EmailIdentityDnsRecords(stack, 'Records', { identity, hostedZone: zoneOf(stack), mailFrom: false });

    expect(recordsIn(stack)).toEqual(DKIM.sort());
  });

  test('BYODKIM: a synth error naming the TXT record to publish; dkim: false creates the rest', () => {
    const stack = stackWith(BYODKIM_MODEL);
    const identity = EmailIdentityLookup.fromLookup(stack, 'Identity', { emailIdentity: 'example.com' });

    expect(() => new EmailIdentityDnsRecords(stack, 'Records', { identity })).toThrow(
      'Stack/Records: "example.com" uses BYODKIM: SES does not return its public key, nor Cloud Control its selector, so no CNAMEs can be made. '
      + 'Publish the TXT record <selector>._domainkey.example.com = "p=<your public key>" yourself, with the selector you gave SES, and set dkim: false.');
    new EmailIdentityDnsRecords(stack, 'Other', { identity, dkim: false, hostedZone: zoneOf(stack) });
    expect(recordsIn(stack)).toEqual(['mail.example.com. MX 10 feedback-smtp.eu-west-1.amazonses.com', 'mail.example.com. TXT "v=spf1 include:amazonses.com ~all"']);
  });

  test('the first pass: records of the dummy identity, and nothing fails, whatever is asked', () => {
    const stack = stackWith();
    const identity = EmailIdentityLookup.fromLookup(stack, 'Identity', { emailIdentity: 'example.com' });

    new EmailIdentityDnsRecords(stack, 'Records', { identity, hostedZone: zoneOf(stack), mailFrom: true });

    expect(recordsIn(stack)).toEqual([1, 2, 3].map((n) => `dummy${n}._domainkey.example.com. CNAME dummy${n}.dkim.amazonses.com`));
  });

  test('a gate on it reads SES at deploy time, by its name', () => {
    const stack = stackWith(EASY_DKIM_MODEL);
    const identity = EmailIdentityLookup.fromLookup(stack, 'Identity', { emailIdentity: 'example.com' });

    new EmailIdentityVerificationGate(stack, 'Gate', { identity });

    Template.fromStack(stack).hasResourceProperties(GATE_RESOURCE_TYPE, { EmailIdentity: 'example.com', Region: Match.absent() });
  });
});
