import { App, CfnParameter, RemovalPolicy, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as logs from 'aws-cdk-lib/aws-logs';
import type * as ses from 'aws-cdk-lib/aws-ses';
import { Construct } from 'constructs';
import { DEPLOY_ENV, TemplateResolver, type CfnTemplate } from '../../local/template-resolver';
import { EmailIdentityLookup, EmailIdentityFunctions, EmailIdentityVerificationGate } from '../../src';
import { ATTRIBUTE_NAMES, type AttributeName } from '../../src/shared/attributes';
import { LOOKUP_RESOURCE_TYPE } from '../../src/shared/wire';

function identityArn(name: string, region = 'eu-west-1', account = '123456789012') {
  return { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, `:ses:${region}:${account}:identity/${name}`]] };
}

/** The identity ARNs the function's managed policies grant, as IAM sees them once deployed in `partition`. */
function grantedArns(stack: Stack, partition = 'aws'): string[] {
  const template = Template.fromStack(stack).toJSON() as CfnTemplate;
  const resolver = new TemplateResolver(template, 'Stack', { ...DEPLOY_ENV, partition });
  return Object.values(template.Resources)
    .filter((resource) => resource.Type === 'AWS::IAM::ManagedPolicy')
    .flatMap((policy) => (resolver.resolve(policy.Properties?.PolicyDocument) as { Statement: Array<{ Resource: string[] }> }).Statement[0].Resource);
}

function newStack(): Stack {
  return new Stack(new App(), 'Stack', { env: { account: '123456789012', region: 'eu-west-1' } });
}

/** Every string attribute property, keyed by the wire attribute it must read. */
const STRING_PROPERTIES: Record<Exclude<AttributeName, 'DkimTokens' | 'PolicyNames'>, keyof EmailIdentityLookup> = {
  IdentityType: 'identityType',
  VerificationStatus: 'verificationStatus',
  VerifiedForSendingStatus: 'verifiedForSendingStatus',
  FeedbackForwardingEnabled: 'feedbackForwardingEnabled',
  ConfigurationSetName: 'configurationSetName',
  DkimSigningEnabled: 'dkimSigningEnabled',
  DkimStatus: 'dkimStatus',
  DkimToken1: 'dkimToken1',
  DkimToken2: 'dkimToken2',
  DkimToken3: 'dkimToken3',
  DkimSigningAttributesOrigin: 'dkimSigningAttributesOrigin',
  DkimSigningHostedZone: 'dkimSigningHostedZone',
  DkimCnameDomain: 'dkimCnameDomain',
  DkimCurrentSigningKeyLength: 'dkimCurrentSigningKeyLength',
  DkimNextSigningKeyLength: 'dkimNextSigningKeyLength',
  DkimLastKeyGenerationTimestamp: 'dkimLastKeyGenerationTimestamp',
  MailFromDomain: 'mailFromDomain',
  MailFromDomainStatus: 'mailFromDomainStatus',
  MailFromBehaviorOnMxFailure: 'mailFromBehaviorOnMxFailure',
  VerificationLastCheckedTimestamp: 'verificationLastCheckedTimestamp',
  VerificationLastSuccessTimestamp: 'verificationLastSuccessTimestamp',
  VerificationErrorType: 'verificationErrorType',
  SoaPrimaryNameServer: 'soaPrimaryNameServer',
  SoaAdminEmail: 'soaAdminEmail',
  SoaSerialNumber: 'soaSerialNumber',
  PolicyCount: 'policyCount',
  TagCount: 'tagCount',
  Tags: 'tags',
};

describe('EmailIdentityLookup', () => {
  test('deploys one custom resource that reads the identity', () => {
    const stack = newStack();
    new EmailIdentityLookup(stack, 'Identity', { emailIdentity: 'example.com' });

    const template = Template.fromStack(stack);
    template.resourceCountIs(LOOKUP_RESOURCE_TYPE, 1);
    template.hasResourceProperties(LOOKUP_RESOURCE_TYPE, {
      ServiceToken: { 'Fn::GetAtt': [Match.stringLikeRegexp('^SesIdentityLookupFn'), 'Arn'] },
      EmailIdentity: 'example.com',
      RefreshToken: Match.absent(),
      // The function's 15 minutes and one more: a backstop, the handler answers before.
      ServiceTimeout: '960',
    });
    // Nothing CloudFormation does not need: Delete is its default, and the
    // function, not each lookup, waits for the permissions.
    template.hasResource(LOOKUP_RESOURCE_TYPE, {
      DeletionPolicy: Match.absent(),
      UpdateReplacePolicy: Match.absent(),
      DependsOn: Match.absent(),
    });
    const [functionId] = Object.keys(template.findResources('AWS::Lambda::Function'));
    template.hasResource('AWS::Lambda::Function', { DependsOn: Match.arrayWith([Match.stringLikeRegexp('^SesIdentityLookupIdentities1')]) });
    expect(functionId).toMatch(/^SesIdentityLookupFn/);
  });

  test('the functions wait for their role and its default policy as aws-cdk-lib renders it: DependsOn names the role as well as the GetAtt (cfn-lint W3005, accepted)', () => {
    const stack = newStack();
    const identity = new EmailIdentityLookup(stack, 'Identity', { emailIdentity: 'example.com' });
    new EmailIdentityVerificationGate(stack, 'Gate', { identity });
    const template = Template.fromStack(stack);
    const [roleId] = Object.keys(template.findResources('AWS::IAM::Role'));

    const functions = Object.values(template.findResources('AWS::Lambda::Function'));
    expect(functions).toHaveLength(2);
    for (const fn of functions) {
      expect(fn.Properties.Role).toEqual({ 'Fn::GetAtt': [roleId, 'Arn'] });
      // lambda.Function depends on its whole role; nothing here rewrites that.
      expect(fn.DependsOn).toContain(roleId);
      expect(fn.DependsOn).toEqual(expect.arrayContaining([expect.stringMatching(/^SesIdentityLookupRoleDefaultPolicy/)]));
    }
  });

  test('the function runs the bundled handler on a current Node.js runtime', () => {
    const stack = newStack();
    new EmailIdentityLookup(stack, 'Identity', { emailIdentity: 'example.com' });

    const template = Template.fromStack(stack);
    template.resourceCountIs('AWS::Lambda::Function', 1);
    template.hasResourceProperties('AWS::Lambda::Function', {
      Runtime: 'nodejs24.x',
      Handler: 'index.handler',
      Timeout: 900,
      MemorySize: 256,
      Environment: Match.absent(),
      LoggingConfig: { LogGroup: { Ref: Match.stringLikeRegexp('^SesIdentityLookupLogs') } },
    });
    template.hasResourceProperties('AWS::Logs::LogGroup', { RetentionInDays: 90 });
    // No AWS managed policy: the role gets exactly what the function needs.
    template.hasResourceProperties('AWS::IAM::Role', { ManagedPolicyArns: Match.absent() });
  });

  test('the role may call ses:GetEmailIdentity on the looked-up identities only', () => {
    const stack = newStack();
    new EmailIdentityLookup(stack, 'Domain', { emailIdentity: 'example.com' });
    new EmailIdentityLookup(stack, 'Address', { emailIdentity: 'sender@example.org' });

    const template = Template.fromStack(stack);
    template.resourceCountIs('AWS::IAM::ManagedPolicy', 1);
    template.hasResourceProperties('AWS::IAM::ManagedPolicy', {
      Roles: [{ Ref: Match.stringLikeRegexp('^SesIdentityLookupRole') }],
      PolicyDocument: { Statement: [{ Effect: 'Allow', Action: 'ses:GetEmailIdentity', Resource: Match.anyValue() }] },
    });
    expect(grantedArns(stack)).toEqual([
      'arn:aws:ses:eu-west-1:123456789012:identity/example.com',
      'arn:aws:ses:eu-west-1:123456789012:identity/sender@example.org',
    ]);
    // The role's inline policy only lets the function write its own logs, and
    // read its own stack's status (to tell a rollback).
    template.hasResourceProperties('AWS::IAM::Policy', {
      PolicyDocument: {
        Statement: [{
          Effect: 'Allow',
          Action: ['logs:CreateLogStream', 'logs:PutLogEvents'],
          Resource: { 'Fn::GetAtt': [Match.stringLikeRegexp('^SesIdentityLookupLogs'), 'Arn'] },
        }, {
          Effect: 'Allow',
          Action: 'cloudformation:DescribeStacks',
          // Any id of a stack of this name (an ARN under @pulumi/cdk too, where AWS::StackId is not one).
          Resource: { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, `:cloudformation:eu-west-1:123456789012:stack/${stack.stackName}/????????-????-????-????-????????????`]] },
        }],
      },
    });
  });

  test('400 lookups stay within IAM policy limits without widening the scope', () => {
    const stack = newStack();
    for (let i = 0; i < 400; i++) {
      new EmailIdentityLookup(stack, `Identity${i}`, { emailIdentity: `domain-${i}.example.com` });
    }

    const template = Template.fromStack(stack);
    const arns = grantedArns(stack);
    expect(arns).toHaveLength(400);
    expect(arns).toContain('arn:aws:ses:eu-west-1:123456789012:identity/domain-399.example.com');
    const managed = template.findResources('AWS::IAM::ManagedPolicy');
    expect(Object.keys(managed).length).toBeLessThanOrEqual(10);
    // As IAM counts a policy: resolved, without whitespace, in the longest partition.
    const resolver = new TemplateResolver(template.toJSON() as CfnTemplate, 'Stack', { ...DEPLOY_ENV, partition: 'aws-us-gov' });
    for (const policy of Object.values(managed)) {
      expect(JSON.stringify(resolver.resolve(policy.Properties.PolicyDocument)).length).toBeLessThan(6_144);
    }
    // The function waits for every one of them; the lookups wait for the function.
    template.hasResource('AWS::Lambda::Function', { DependsOn: Match.arrayWith(Object.keys(managed)) });
  });

  test('a mixed-case domain is granted as given and in lower case; an address keeps its local part', () => {
    const stack = newStack();
    new EmailIdentityLookup(stack, 'Domain', { emailIdentity: 'Example.COM' });
    new EmailIdentityLookup(stack, 'Address', { emailIdentity: 'Sender@Example.ORG' });
    new EmailIdentityLookup(stack, 'Lower', { emailIdentity: 'Info@example.net' });
    const role = new iam.Role(stack, 'Sender', { assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com') });
    new EmailIdentityLookup(stack, 'Sending', { emailIdentity: 'Mail.Example.COM' }).grantSendEmail(role);

    expect(grantedArns(stack)).toEqual([
      'arn:aws:ses:eu-west-1:123456789012:identity/Example.COM',
      'arn:aws:ses:eu-west-1:123456789012:identity/example.com',
      'arn:aws:ses:eu-west-1:123456789012:identity/Sender@Example.ORG',
      'arn:aws:ses:eu-west-1:123456789012:identity/Sender@example.org',
      // Already lower case: one spelling.
      'arn:aws:ses:eu-west-1:123456789012:identity/Info@example.net',
      'arn:aws:ses:eu-west-1:123456789012:identity/Mail.Example.COM',
      'arn:aws:ses:eu-west-1:123456789012:identity/mail.example.com',
    ]);
    // A grant to a user's principal names both spellings too.
    Template.fromStack(stack).hasResourceProperties('AWS::IAM::Policy', {
      Roles: [{ Ref: Match.stringLikeRegexp('^Sender') }],
      PolicyDocument: { Statement: [{ Action: ['ses:SendEmail', 'ses:SendRawEmail'], Resource: [identityArn('Mail.Example.COM'), identityArn('mail.example.com')] }] },
    });
    // The request still names the identity as given.
    Template.fromStack(stack).hasResourceProperties(LOOKUP_RESOURCE_TYPE, { EmailIdentity: 'Example.COM' });
  });

  test('the second spelling counts in the policy size: 300 mixed-case domains (600 ARNs) stay within IAM limits', () => {
    const stack = newStack();
    for (let i = 0; i < 300; i++) {
      new EmailIdentityLookup(stack, `Identity${i}`, { emailIdentity: `Domain-${i}.Example.COM` });
    }

    const template = Template.fromStack(stack);
    expect(grantedArns(stack)).toHaveLength(600);
    const managed = template.findResources('AWS::IAM::ManagedPolicy');
    expect(Object.keys(managed).length).toBeLessThanOrEqual(10);
    const resolver = new TemplateResolver(template.toJSON() as CfnTemplate, 'Stack', { ...DEPLOY_ENV, partition: 'aws-us-gov' });
    for (const policy of Object.values(managed)) {
      expect(JSON.stringify(resolver.resolve(policy.Properties.PolicyDocument)).length).toBeLessThan(6_144);
    }
  });

  test('more identities than 10 managed policies hold: a synth error saying what to do, not a policy IAM rejects', () => {
    const stack = newStack();
    // Names of 200 characters: about 25 ARNs a policy, so the 251st needs an eleventh.
    const name = (i: number) => `${String(i).padStart(3, '0')}.${'a'.repeat(60)}.${'b'.repeat(60)}.${'c'.repeat(60)}.example.com`.slice(0, 200);
    const add = (i: number) => new EmailIdentityLookup(stack, `Identity${i}`, { emailIdentity: name(i) });

    let added = 0;
    expect(() => {
      for (; added < 400; added++) add(added);
    }).toThrow('Stack/SesIdentityLookup/Identities: the looked-up identities\' ARNs need more than 10 IAM managed policies. '
      + 'Split the lookups over more stacks, or configure the provider with readAllIdentities.');
    // It failed only once ten policies were full, each within IAM's limit.
    expect(added).toBeGreaterThan(200);
    const template = Template.fromStack(stack);
    const managed = Object.values(template.findResources('AWS::IAM::ManagedPolicy'));
    expect(managed).toHaveLength(10);
    const resolver = new TemplateResolver(template.toJSON() as CfnTemplate, 'Stack', { ...DEPLOY_ENV, partition: 'aws-us-gov' });
    for (const policy of managed) {
      expect(JSON.stringify(resolver.resolve(policy.Properties.PolicyDocument)).length).toBeLessThan(6_144);
      expect(policy.Properties.Description).toBe('SES identities that EmailIdentityLookup and EmailIdentityVerificationGate custom resources may read');
    }
  });

  test('every name reaches IAM exactly, however the policy writes it', () => {
    // No environment: region and account are pseudo parameters until deployed.
    const stack = new Stack(new App(), 'Stack');
    new EmailIdentityLookup(stack, 'Plain', { emailIdentity: 'example.com' });
    new EmailIdentityLookup(stack, 'Dollar', { emailIdentity: 'a${b}+c@example.com' });
    new EmailIdentityLookup(stack, 'Wildcards', { emailIdentity: '*?@example.com' });
    new EmailIdentityLookup(stack, 'OtherRegion', { emailIdentity: 'example.org', region: 'us-east-2' });
    new EmailIdentityLookup(stack, 'FromParameter', { emailIdentity: new CfnParameter(stack, 'DomainName').valueAsString });

    const template = Template.fromStack(stack);
    // Names known at synth time share one compact list; a token's ARN is written out.
    const resources = Object.values(template.findResources('AWS::IAM::ManagedPolicy'))
      .map((policy) => policy.Properties.PolicyDocument.Statement[0].Resource);
    expect(resources).toHaveLength(2);
    const [compact, written] = 'Fn::Split' in resources[0] ? resources : [...resources].reverse();
    expect(written).toHaveLength(1);
    expect(JSON.stringify(written)).toContain('{"Ref":"DomainName"}');
    const resolver = new TemplateResolver(template.toJSON() as CfnTemplate, 'Stack');
    expect(resolver.resolve(compact)).toEqual([
      'arn:aws:ses:eu-west-1:123456789012:identity/example.com',
      // IAM's escapes: $, * and ? are literal characters, not variables or wildcards.
      'arn:aws:ses:eu-west-1:123456789012:identity/a${$}{b}+c@example.com',
      'arn:aws:ses:eu-west-1:123456789012:identity/${*}${?}@example.com',
      'arn:aws:ses:us-east-2:123456789012:identity/example.org',
    ]);
  });

  test('readAllIdentities trades the list of identities for one account-wide statement', () => {
    const stack = newStack();
    EmailIdentityFunctions.configure(stack, { readAllIdentities: true });
    new EmailIdentityLookup(stack, 'Identity', { emailIdentity: 'example.com' });

    const template = Template.fromStack(stack);
    template.resourceCountIs('AWS::IAM::ManagedPolicy', 0);
    template.hasResourceProperties('AWS::IAM::Policy', {
      PolicyDocument: {
        Statement: [{
          Action: 'ses:GetEmailIdentity',
          Resource: { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':ses:*:123456789012:identity/*']] },
        }],
      },
    });
    template.hasResource('AWS::Lambda::Function', { DependsOn: Match.arrayWith([Match.stringLikeRegexp('ReadAllIdentities')]) });
  });

  test('the log retention can be configured', () => {
    const stack = newStack();
    EmailIdentityFunctions.configure(stack, { logRetention: logs.RetentionDays.ONE_YEAR });
    new EmailIdentityLookup(stack, 'Identity', { emailIdentity: 'example.com' });

    Template.fromStack(stack).hasResourceProperties('AWS::Logs::LogGroup', { RetentionInDays: 365 });
  });

  test('cdk destroy removes the log group unless told to keep it', () => {
    const removed = newStack();
    new EmailIdentityLookup(removed, 'Identity', { emailIdentity: 'example.com' });
    Template.fromStack(removed).hasResource('AWS::Logs::LogGroup', { DeletionPolicy: 'Delete', UpdateReplacePolicy: 'Delete' });

    const kept = newStack();
    EmailIdentityFunctions.configure(kept, { logRemovalPolicy: RemovalPolicy.RETAIN });
    new EmailIdentityLookup(kept, 'Identity', { emailIdentity: 'example.com' });
    Template.fromStack(kept).hasResource('AWS::Logs::LogGroup', { DeletionPolicy: 'Retain', UpdateReplacePolicy: 'Retain' });
  });

  test('the provider is configured once, before the first lookup', () => {
    const stack = newStack();
    new EmailIdentityLookup(stack, 'Identity', { emailIdentity: 'example.com' });
    expect(() => EmailIdentityFunctions.configure(stack, {})).toThrow(/^Stack\/SesIdentityLookup: the stack's EmailIdentityFunctions already exist: configure them once, before the stack's first EmailIdentityLookup, EmailIdentityVerificationGate or EmailIdentityDnsRecords/);
  });

  test('many lookups in a stack share one function and one role', () => {
    const stack = newStack();
    const nested = new Construct(stack, 'Nested');
    for (let i = 0; i < 5; i++) {
      new EmailIdentityLookup(i % 2 ? nested : stack, `Identity${i}`, { emailIdentity: `domain${i}.example.com` });
    }

    const template = Template.fromStack(stack);
    template.resourceCountIs(LOOKUP_RESOURCE_TYPE, 5);
    template.resourceCountIs('AWS::Lambda::Function', 1);
    template.resourceCountIs('AWS::IAM::Role', 1);
    template.resourceCountIs('AWS::IAM::Policy', 1);
    template.resourceCountIs('AWS::IAM::ManagedPolicy', 1);
  });

  test('each stack gets its own provider', () => {
    const app = new App();
    const first = new Stack(app, 'First');
    const second = new Stack(app, 'Second');
    new EmailIdentityLookup(first, 'Identity', { emailIdentity: 'example.com' });
    new EmailIdentityLookup(second, 'Identity', { emailIdentity: 'example.com' });

    Template.fromStack(first).resourceCountIs('AWS::Lambda::Function', 1);
    Template.fromStack(second).resourceCountIs('AWS::Lambda::Function', 1);
  });

  test('every attribute is exposed by a property that reads it', () => {
    const stack = newStack();
    const lookup = new EmailIdentityLookup(stack, 'Identity', { emailIdentity: 'example.com' });
    const [logicalId] = Object.keys(Template.fromStack(stack).findResources(LOOKUP_RESOURCE_TYPE));
    const getAtt = (name: string) => ({ 'Fn::GetAtt': [logicalId, name] });

    for (const [attribute, property] of Object.entries(STRING_PROPERTIES)) {
      expect({ property, value: stack.resolve(lookup[property]) }).toEqual({ property, value: getAtt(attribute) });
    }
    expect(stack.resolve(lookup.dkimTokens)).toEqual({ 'Fn::Split': [',', getAtt('DkimTokens')] });
    expect(stack.resolve(lookup.policyNames)).toEqual({ 'Fn::Split': [',', getAtt('PolicyNames')] });

    const covered = [...Object.keys(STRING_PROPERTIES), 'DkimTokens', 'PolicyNames'].sort();
    expect(covered).toEqual([...ATTRIBUTE_NAMES].sort());
  });

  test('name and ARN are known at synth time and need no deployment', () => {
    const stack = newStack();
    const lookup = new EmailIdentityLookup(stack, 'Identity', { emailIdentity: 'sender@example.com' });

    expect(lookup.emailIdentityName).toBe('sender@example.com');
    expect(stack.resolve(lookup.emailIdentityArn)).toEqual(identityArn('sender@example.com'));
  });

  test('is an IEmailIdentity: grantSendEmail scopes sending to the identity', () => {
    const stack = newStack();
    const identity: ses.IEmailIdentity = new EmailIdentityLookup(stack, 'Identity', { emailIdentity: 'example.com' });
    const role = new iam.Role(stack, 'Sender', { assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com') });
    identity.grantSendEmail(role);

    Template.fromStack(stack).hasResourceProperties('AWS::IAM::Policy', {
      Roles: [{ Ref: Match.stringLikeRegexp('^Sender') }],
      PolicyDocument: {
        Statement: [{
          Action: ['ses:SendEmail', 'ses:SendRawEmail'],
          Resource: identityArn('example.com'),
        }],
      },
    });
  });

  test('an address with IAM wildcard characters grants that address only', () => {
    const stack = newStack();
    const identity = new EmailIdentityLookup(stack, 'Identity', { emailIdentity: '*@example.com' });
    const role = new iam.Role(stack, 'Sender', { assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com') });
    identity.grantSendEmail(role);

    Template.fromStack(stack).hasResourceProperties('AWS::IAM::Policy', {
      Roles: [{ Ref: Match.stringLikeRegexp('^Sender') }],
      PolicyDocument: { Statement: [{ Resource: identityArn('${*}@example.com') }] },
    });
    // The attribute keeps the identity's real ARN.
    expect(stack.resolve(identity.emailIdentityArn)).toEqual(identityArn('*@example.com'));
  });

  test('accepts a token and leaves its validation to deploy time', () => {
    const stack = newStack();
    const domain = new CfnParameter(stack, 'Domain');
    new EmailIdentityLookup(stack, 'Identity', { emailIdentity: domain.valueAsString });

    Template.fromStack(stack).hasResourceProperties(LOOKUP_RESOURCE_TYPE, { EmailIdentity: { Ref: 'Domain' } });
  });

  test('passes a refresh token through, so that changing it re-reads the identity', () => {
    const stack = newStack();
    new EmailIdentityLookup(stack, 'Identity', { emailIdentity: 'example.com', refreshToken: 'build-42' });

    Template.fromStack(stack).hasResourceProperties(LOOKUP_RESOURCE_TYPE, { RefreshToken: 'build-42' });
  });

  test.each([
    ['an empty string', '', /is empty/],
    ['a space', 'exa mple.com', /whitespace/],
    ['a doubled dot', 'example..com', /empty label/],
    ['a leading dot', '.example.com', /empty label/],
    ['a slash', 'example.com/path', /"\/" cannot appear/],
    ['a 64-character label', `${'a'.repeat(64)}.com`, /label .* over the 63/],
    ['no local part', '@example.com', /before "@" is empty/],
    ['321 characters', 'a'.repeat(321), /over the 320/],
  ])('rejects a literal identity with %s at synth time', (_, emailIdentity, message) => {
    const stack = newStack();
    expect(() => new EmailIdentityLookup(stack, 'Identity', { emailIdentity })).toThrow(message);
    expect(() => new EmailIdentityLookup(newStack(), 'Identity', { emailIdentity })).toThrow(/^Stack\/Identity: emailIdentity .* is not a domain or email address SES accepts/);
  });

  test('an identity in another region: ARN, permission and request follow its region', () => {
    const stack = newStack();
    const lookup = new EmailIdentityLookup(stack, 'Identity', { emailIdentity: 'example.com', region: 'us-east-2' });

    expect(stack.resolve(lookup.emailIdentityArn)).toEqual(identityArn('example.com', 'us-east-2'));
    expect(lookup.identityRegion).toBe('us-east-2');
    Template.fromStack(stack).hasResourceProperties(LOOKUP_RESOURCE_TYPE, { EmailIdentity: 'example.com', Region: 'us-east-2' });
    expect(grantedArns(stack)).toEqual(['arn:aws:ses:us-east-2:123456789012:identity/example.com']);
  });

  test('an identity in another account: the function may assume the named role, and only that', () => {
    const stack = newStack();
    const roleArn = 'arn:aws:iam::210987654321:role/SesLookup';
    const lookup = new EmailIdentityLookup(stack, 'Identity', { emailIdentity: 'example.com', assumeRoleArn: roleArn, externalId: 'ext-123' });

    expect(lookup.identityAccount).toBe('210987654321');
    expect(stack.resolve(lookup.emailIdentityArn)).toEqual({
      'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':ses:eu-west-1:210987654321:identity/example.com']],
    });
    const template = Template.fromStack(stack);
    template.hasResourceProperties(LOOKUP_RESOURCE_TYPE, { AssumeRoleArn: roleArn, ExternalId: 'ext-123' });
    // The role in the other account reads SES; this one only assumes it.
    template.resourceCountIs('AWS::IAM::ManagedPolicy', 0);
    template.hasResourceProperties('AWS::IAM::Policy', {
      PolicyDocument: {
        Statement: Match.arrayWith([{ Effect: 'Allow', Action: 'sts:AssumeRole', Resource: roleArn }]),
      },
    });
    template.hasResource('AWS::Lambda::Function', { DependsOn: Match.arrayWith([Match.stringLikeRegexp('^SesIdentityLookupRoleDefaultPolicy')]) });
  });

  test('the role ARN may be a token: the account is read from it at deploy time', () => {
    const stack = newStack();
    const roleArn = new CfnParameter(stack, 'RoleArn').valueAsString;
    const lookup = new EmailIdentityLookup(stack, 'Identity', { emailIdentity: 'example.com', assumeRoleArn: roleArn });

    expect(stack.resolve(lookup.identityAccount)).toEqual({ 'Fn::Select': [4, { 'Fn::Split': [':', { Ref: 'RoleArn' }] }] });
  });

  test('the provider\'s role is exposed, for trust policies in other accounts', () => {
    const stack = newStack();
    new EmailIdentityLookup(stack, 'Identity', { emailIdentity: 'example.com' });
    const { role } = EmailIdentityFunctions.getOrCreate(stack);

    const [roleId] = Object.keys(Template.fromStack(stack).findResources('AWS::IAM::Role'));
    expect(stack.resolve(role.roleArn)).toEqual({ 'Fn::GetAtt': [roleId, 'Arn'] });
  });

  test.each([
    ['a region that is not one', { region: 'Europe' }, /region "Europe" is not an AWS region name/],
    ['a role ARN that is not one', { assumeRoleArn: 'SesLookup' }, /assumeRoleArn "SesLookup" is not an IAM role ARN/],
    ['a role ARN whose account is not 12 digits', { assumeRoleArn: 'arn:aws:iam::123:role/x' },
      /: assumeRoleArn "arn:aws:iam::123:role\/x" is not an IAM role ARN: arn:<partition>:iam::<account>:role\/<name>, where the account is 12 digits \(arn:aws:iam::123456789012:role\/SesReader\)\.$/],
    ['an external id without a role', { externalId: 'ext-123' }, /externalId "ext-123" is only used with assumeRoleArn; set both or neither/],
    ['a one-character external id', { assumeRoleArn: 'arn:aws:iam::210987654321:role/R', externalId: 'x' }, /externalId "x" is not an external id STS accepts: it must be 2 to 1224 characters/],
  ])('rejects %s at synth time', (_, extra, message) => {
    expect(() => new EmailIdentityLookup(newStack(), 'Identity', { emailIdentity: 'example.com', ...extra })).toThrow(message);
  });

  test('the same app synthesizes the same template', () => {
    const synth = () => {
      const stack = newStack();
      new EmailIdentityLookup(stack, 'A', { emailIdentity: 'example.com' });
      new EmailIdentityLookup(stack, 'B', { emailIdentity: 'sender@example.com' });
      return JSON.stringify(Template.fromStack(stack).toJSON());
    };
    expect(synth()).toEqual(synth());
  });

  test('refuses to reuse a construct id the provider needs', () => {
    const stack = newStack();
    new Construct(stack, 'SesIdentityLookup');
    expect(() => new EmailIdentityLookup(stack, 'Identity', { emailIdentity: 'example.com' })).toThrow(/^Stack\/SesIdentityLookup: the construct id "SesIdentityLookup" in stack Stack is reserved for the stack's EmailIdentityFunctions: give this construct another id\.$/);
  });
});
