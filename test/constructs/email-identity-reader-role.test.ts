import { createHash } from 'node:crypto';
import { App, CfnOutput, CfnParameter, CfnWaitConditionHandle, NestedStack, Stack, Token, type Environment } from 'aws-cdk-lib';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import type * as iam from 'aws-cdk-lib/aws-iam';
import * as route53 from 'aws-cdk-lib/aws-route53';
import * as ses from 'aws-cdk-lib/aws-ses';
import { buildCrossAccountApp, DNS_ENV, EXTERNAL_ID, SENDING_ENV } from '../../examples/cross-account-app';
import {
  EmailIdentityDnsRecords,
  EmailIdentityLookup,
  EmailIdentityFunctions,
  EmailIdentityReaderRole,
  EmailIdentityVerificationGate,
  type EmailIdentityReaderRoleProps,
} from '../../src';
import { POLICY_OVERHEAD } from '../../src/private/identity-policies';
import { GATE_RESOURCE_TYPE, LOOKUP_RESOURCE_TYPE } from '../../src/shared/wire';

const partitionArn = (rest: string) => ({ 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, rest]] });
const READER_ARN = 'arn:aws:iam::111111111111:role/SesIdentityReader-eu-west-1-Ses';

/** The sending account's stack and the DNS account's, in one app. */
function twoAccounts(readerProps: Partial<EmailIdentityReaderRoleProps> = {}, dnsEnv: Environment = DNS_ENV) {
  const app = new App();
  const sesStack = new Stack(app, 'Ses', { env: SENDING_ENV });
  const dnsStack = new Stack(app, 'Dns', { env: dnsEnv });
  const reader = new EmailIdentityReaderRole(sesStack, 'Reader', {
    emailIdentities: ['example.com'],
    trustedAccounts: ['222222222222'],
    externalId: 'dns-account',
    ...readerProps,
  });
  return { app, sesStack, dnsStack, reader };
}

/** The template of a stack with a reader role and nothing else. */
function readerOnly(readerProps: Partial<EmailIdentityReaderRoleProps>): Template {
  const sesStack = new Stack(new App(), 'Ses', { env: SENDING_ENV });
  new EmailIdentityReaderRole(sesStack, 'Reader', { emailIdentities: ['example.com'], trustedAccounts: ['222222222222'], ...readerProps });
  return Template.fromStack(sesStack);
}

function roleOf(template: Template): Record<string, any> {
  const roles = Object.values(template.findResources('AWS::IAM::Role'));
  expect(roles).toHaveLength(1);
  return roles[0].Properties;
}

describe('the example app: two accounts', () => {
  // Synthesized in each test, not while jest collects the file: code that runs
  // then makes every mutant it reaches "static" for Stryker, and a static mutant
  // runs every test of the mutation set (docs/mutation-testing.md).
  function example() {
    const assembly = buildCrossAccountApp().synth();
    const sending = assembly.getStackByName('SendingAccount');
    const dns = assembly.getStackByName('DnsAccount');
    return { sending, dns, sendingTemplate: Template.fromJSON(sending.template), dnsTemplate: Template.fromJSON(dns.template) };
  }
  const readerArn = 'arn:aws:iam::111111111111:role/SesIdentityReader-eu-west-1-SendingAccount';

  test('the reader role: a name known at synth, trusted by the DNS account\'s lookup role with the external id, reading one identity', () => {
    const { sendingTemplate } = example();
    expect(roleOf(sendingTemplate)).toEqual({
      RoleName: 'SesIdentityReader-eu-west-1-SendingAccount',
      Description: 'Lets EmailIdentityLookup functions of other accounts read SES email identities',
      AssumeRolePolicyDocument: {
        Version: '2012-10-17',
        Statement: [{
          Action: 'sts:AssumeRole',
          Effect: 'Allow',
          Principal: { AWS: partitionArn(':iam::222222222222:root') },
          Condition: {
            ArnLike: { 'aws:PrincipalArn': partitionArn(':iam::222222222222:role/SesIdentityLookup-*') },
            StringEquals: { 'sts:ExternalId': EXTERNAL_ID },
          },
        }],
      },
      Policies: [{
        PolicyName: 'ReadEmailIdentities',
        PolicyDocument: {
          Version: '2012-10-17',
          Statement: [{ Action: 'ses:GetEmailIdentity', Effect: 'Allow', Resource: partitionArn(':ses:eu-west-1:111111111111:identity/example.com') }],
        },
      }],
    });
    // The reader's stack holds the role and nothing else.
    expect(Object.keys(sendingTemplate.toJSON().Resources)).toHaveLength(1);
  });

  test('the lookup and the gate assume the role, with its external id, and their function may assume that role and read nothing itself', () => {
    const { dns, dnsTemplate } = example();
    const target = { EmailIdentity: 'example.com', Region: 'eu-west-1', AssumeRoleArn: readerArn, ExternalId: EXTERNAL_ID };
    dnsTemplate.hasResourceProperties(LOOKUP_RESOURCE_TYPE, target);
    dnsTemplate.hasResourceProperties(GATE_RESOURCE_TYPE, target);
    dnsTemplate.hasResourceProperties('AWS::IAM::Role', { RoleName: 'SesIdentityLookup-eu-west-1-DnsAccount' });
    dnsTemplate.hasResourceProperties('AWS::IAM::Policy', {
      PolicyDocument: { Statement: Match.arrayWith([{ Action: 'sts:AssumeRole', Effect: 'Allow', Resource: readerArn }]) },
    });
    expect(JSON.stringify(dns.template)).not.toContain('ses:GetEmailIdentity');
    dnsTemplate.resourceCountIs('AWS::IAM::ManagedPolicy', 0);
  });

  test('records built from the lookup are the usual ones, from its attributes in its own stack', () => {
    const { dnsTemplate } = example();
    const [lookupId] = Object.keys(dnsTemplate.findResources(LOOKUP_RESOURCE_TYPE));
    dnsTemplate.resourceCountIs('AWS::Route53::RecordSet', 3);
    dnsTemplate.hasResourceProperties('AWS::Route53::RecordSet', {
      Type: 'CNAME',
      Name: { 'Fn::Join': ['', [{ 'Fn::GetAtt': [lookupId, 'DkimToken1'] }, '._domainkey.example.com.']] },
    });
  });

  test('the DNS stack deploys after the reader\'s, and nothing is exported or imported', () => {
    const { sending, dns } = example();
    expect(dns.dependencies.map((artifact) => artifact.id)).toContain('SendingAccount');
    expect(sending.dependencies.map((artifact) => artifact.id)).not.toContain('DnsAccount');
    for (const stack of [sending, dns]) {
      expect(stack.template.Outputs).toBeUndefined();
      expect(JSON.stringify(stack.template)).not.toContain('Fn::ImportValue');
    }
  });
});

describe('what the role may do', () => {
  test('regions: the identities in each of them, and in no other', () => {
    expect(roleOf(readerOnly({ emailIdentities: ['example.com', 'sender@example.org'], regions: ['eu-west-1', 'us-east-1'] })).Policies[0].PolicyDocument.Statement).toEqual([{
      Action: 'ses:GetEmailIdentity',
      Effect: 'Allow',
      Resource: [
        partitionArn(':ses:eu-west-1:111111111111:identity/example.com'),
        partitionArn(':ses:eu-west-1:111111111111:identity/sender@example.org'),
        partitionArn(':ses:us-east-1:111111111111:identity/example.com'),
        partitionArn(':ses:us-east-1:111111111111:identity/sender@example.org'),
      ],
    }]);
  });

  test('a mixed-case domain: as given and in lower case, as the lookup functions\' own policies name it', () => {
    expect(roleOf(readerOnly({ emailIdentities: ['Example.COM', 'Sender@Example.ORG'] })).Policies[0].PolicyDocument.Statement[0].Resource).toEqual([
      partitionArn(':ses:eu-west-1:111111111111:identity/Example.COM'),
      partitionArn(':ses:eu-west-1:111111111111:identity/example.com'),
      partitionArn(':ses:eu-west-1:111111111111:identity/Sender@Example.ORG'),
      partitionArn(':ses:eu-west-1:111111111111:identity/Sender@example.org'),
    ]);
  });

  test('trusting its own account is a warning: a lookup there needs no role; other accounts alone, no warning', () => {
    const own = new Stack(new App(), 'Ses', { env: SENDING_ENV });
    new EmailIdentityReaderRole(own, 'Reader', { emailIdentities: ['example.com'], trustedAccounts: ['222222222222', SENDING_ENV.account!] });
    Annotations.fromStack(own).hasWarning('/Ses/Reader', `trustedAccounts includes ${SENDING_ENV.account}, this stack's own account: `
      + 'a lookup or gate in that account reads its identities without a role, so it needs no readerRole. Leave the account out. '
      + '[ack: cdk-ses-identity-lookup:readerRoleTrustsOwnAccount]');
    const others = new Stack(new App(), 'Ses', { env: SENDING_ENV });
    new EmailIdentityReaderRole(others, 'Reader', { emailIdentities: ['example.com'], trustedAccounts: ['222222222222'] });
    Annotations.fromStack(others).hasNoWarning('*', Match.anyValue());
  });

  test('identity/* only when opted in', () => {
    expect(roleOf(readerOnly({ emailIdentities: [], readAllIdentities: true })).Policies[0].PolicyDocument.Statement[0].Resource)
      .toEqual(partitionArn(':ses:eu-west-1:111111111111:identity/*'));
    // A name with a wildcard character is that name, not a wildcard.
    expect(roleOf(readerOnly({ emailIdentities: ['*@example.com'] })).Policies[0].PolicyDocument.Statement[0].Resource)
      .toEqual(partitionArn(':ses:eu-west-1:111111111111:identity/${*}@example.com'));
  });

  test('several trusted accounts, no external id: each account\'s lookup role, no external id condition', () => {
    expect(roleOf(readerOnly({ trustedAccounts: ['222222222222', '333333333333'] })).AssumeRolePolicyDocument.Statement).toEqual(['222222222222', '333333333333'].map((account) => ({
      Action: 'sts:AssumeRole',
      Effect: 'Allow',
      Principal: { AWS: partitionArn(`:iam::${account}:root`) },
      Condition: { ArnLike: { 'aws:PrincipalArn': partitionArn(`:iam::${account}:role/SesIdentityLookup-*`) } },
    })));
  });

  test('as many identities as IAM\'s 10,240 characters for a role\'s inline policies hold, measured in the longest partition; one more is a synth error', () => {
    // 64-character names, the longest domains make the policy fill fastest per identity.
    const names = (count: number) => Array.from({ length: count }, (_, index) => `${String(index).padStart(4, '0')}${'x'.repeat(49)}.example.com`);
    const fits = (count: number) => {
      try {
        readerOnly({ emailIdentities: names(count), regions: ['us-isob-east-1'] });
        return true;
      } catch {
        return false;
      }
    };
    let most = 1;
    while (fits(most + 1)) most++;
    expect(most).toBeGreaterThan(50);

    const policy = roleOf(readerOnly({ emailIdentities: names(most), regions: ['us-isob-east-1'] })).Policies[0];
    const asDeployed = JSON.stringify(policy.PolicyDocument).replace(/\{"Fn::Join":\["",\["arn:",\{"Ref":"AWS::Partition"\},"([^"]*)"\]\]\}/g, '"arn:aws-iso-b$1"');
    expect(asDeployed).not.toContain('Fn::');
    expect(asDeployed.length).toBeLessThanOrEqual(10_240);
    expect(() => readerOnly({ emailIdentities: names(most + 1), regions: ['us-isob-east-1'] })).toThrow(
      new RegExp(`^Ses/Reader: ${most + 1} identities in 1 region make a policy of about \\d+ characters, more than IAM's 10000 for a role: `
        + 'split them over more reader roles, or set readAllIdentities\\.$'));
  });

  test('roleArn: a literal in the partition of the role\'s region; the deploy-time partition where aws-cdk-lib does not know the region', () => {
    const readerIn = (region: string) => new EmailIdentityReaderRole(new Stack(new App(), 'Ses', { env: { account: '111111111111', region } }), 'Reader', {
      emailIdentities: ['example.com'], trustedAccounts: ['222222222222'],
    });
    expect(readerIn('cn-north-1').roleArn).toBe('arn:aws-cn:iam::111111111111:role/SesIdentityReader-cn-north-1-Ses');
    const future = readerIn('eu-future-9');
    expect(Stack.of(future).resolve(future.roleArn)).toEqual(partitionArn(':iam::111111111111:role/SesIdentityReader-eu-future-9-Ses'));
  });

  test('an attribute of a lookup through a reader role, used in a third stack: an error naming EmailIdentityLookup.of, which grants that stack first', () => {
    const { app, dnsStack, reader } = twoAccounts();
    const other = new Stack(app, 'Other', { env: DNS_ENV });
    new CfnWaitConditionHandle(other, 'SomeResource');
    const identity = new EmailIdentityLookup(dnsStack, 'Identity', { emailIdentity: 'example.com', readerRole: reader });
    new CfnOutput(other, 'S', { value: identity.dkimStatus });

    Annotations.fromStack(other).hasError('/Other/S', 'Dns/Identity: its attribute DkimStatus is used in stack Other, but the lookup is in stack Dns, and '
      + 'the lookup reads through the readerRole Ses/Reader, which must grant stack Other before the app is synthesized. '
      + 'Read the identity in stack Other with EmailIdentityLookup.of(lookup, scope); the role must trust account 222222222222.');
  });

  test('an explicit roleName', () => {
    const { sesStack, dnsStack, reader } = twoAccounts({ roleName: 'DnsAccountReadsSes' });
    new EmailIdentityLookup(dnsStack, 'Identity', { emailIdentity: 'example.com', readerRole: reader });
    expect(roleOf(Template.fromStack(sesStack)).RoleName).toBe('DnsAccountReadsSes');
    Template.fromStack(dnsStack).hasResourceProperties(LOOKUP_RESOURCE_TYPE, { AssumeRoleArn: 'arn:aws:iam::111111111111:role/DnsAccountReadsSes' });
  });
});

describe('the lookup functions\' role name', () => {
  const roleNameIn = (stack: Stack) => {
    new EmailIdentityLookup(stack, 'Identity', { emailIdentity: 'example.com' });
    return Template.fromStack(stack).findResources('AWS::IAM::Role');
  };

  test('a stack name of 29 characters is kept whole; a longer one is cut to 20, with 8 hex digits of its SHA-256', () => {
    const short = 'A'.repeat(29);
    const long = 'Production-Dns-Records-Stack-2';
    const [shortRole] = Object.values(roleNameIn(new Stack(new App(), short, { env: DNS_ENV })));
    const [longRole] = Object.values(roleNameIn(new Stack(new App(), long, { env: { account: DNS_ENV.account, region: 'us-isof-south-1' } })));
    const hash = createHash('sha256').update(long).digest('hex').slice(0, 8);

    expect(shortRole.Properties.RoleName).toBe(`SesIdentityLookup-eu-west-1-${short}`);
    expect(longRole.Properties.RoleName).toBe(`SesIdentityLookup-us-isof-south-1-Production-Dns-Recor-${hash}`);
    // The longest region today: 63 characters, within IAM's 64.
    expect(longRole.Properties.RoleName).toHaveLength(63);
  });

  test('an environment-agnostic stack: the region it is deployed to', () => {
    const [role] = Object.values(roleNameIn(new Stack(new App(), 'Agnostic')));
    expect(role.Properties.RoleName).toEqual({ 'Fn::Join': ['', ['SesIdentityLookup-', { Ref: 'AWS::Region' }, '-Agnostic']] });
  });

  test('a nested stack, whose name is only known at deploy time: CloudFormation names it', () => {
    const nested = new NestedStack(new Stack(new App(), 'Parent', { env: DNS_ENV }), 'Nested');
    const [role] = Object.values(roleNameIn(nested));
    expect(role.Properties.RoleName).toBeUndefined();
  });

  test('EmailIdentityFunctions.role is that role', () => {
    const stack = new Stack(new App(), 'Dns', { env: DNS_ENV });
    const role = EmailIdentityFunctions.getOrCreate(stack).role.node.defaultChild as iam.CfnRole;
    expect(role.roleName).toBe('SesIdentityLookup-eu-west-1-Dns');
  });
});

describe('gates across accounts', () => {
  test('a gate in another stack of the DNS account takes the reader role from the lookup it waits on', () => {
    const { app, dnsStack, reader } = twoAccounts();
    const identity = new EmailIdentityLookup(dnsStack, 'Identity', { emailIdentity: 'example.com', readerRole: reader });
    const appStack = new Stack(app, 'App', { env: DNS_ENV });
    new EmailIdentityVerificationGate(appStack, 'Gate', { identity });

    Template.fromStack(appStack).hasResourceProperties(GATE_RESOURCE_TYPE, { EmailIdentity: 'example.com', AssumeRoleArn: READER_ARN, ExternalId: 'dns-account' });
    expect(app.synth().getStackByName('App').dependencies.map((artifact) => artifact.id)).toContain('Ses');
  });

  test('readerRole on the gate, for an identity the sending account creates: nothing exported, the gate\'s stack after the identity\'s', () => {
    const { app, sesStack, dnsStack, reader } = twoAccounts();
    const identity = new ses.EmailIdentity(sesStack, 'Created', { identity: ses.Identity.domain('example.com') });
    new EmailIdentityVerificationGate(dnsStack, 'Gate', { identity, readerRole: reader });

    Template.fromStack(dnsStack).hasResourceProperties(GATE_RESOURCE_TYPE, { EmailIdentity: 'example.com', AssumeRoleArn: READER_ARN, ExternalId: 'dns-account' });
    const assembly = app.synth();
    expect(assembly.getStackByName('Dns').dependencies.map((artifact) => artifact.id)).toContain('Ses');
    expect(JSON.stringify(assembly.getStackByName('Dns').template)).not.toContain('Fn::ImportValue');
  });

  test('a gate whose readerRole contradicts its lookup\'s: a synth error', () => {
    const { sesStack, dnsStack, reader } = twoAccounts();
    const other = new EmailIdentityReaderRole(sesStack, 'Other', { emailIdentities: ['example.com'], trustedAccounts: ['222222222222'], roleName: 'Other' });
    const identity = new EmailIdentityLookup(dnsStack, 'Identity', { emailIdentity: 'example.com', readerRole: reader });
    expect(() => new EmailIdentityVerificationGate(dnsStack, 'Gate', { identity, readerRole: other })).toThrow(
      'Dns/Identity: a readerRole (Ses/Other) reads it from stack Dns, but the lookup reads it through Ses/Reader: '
      + 'give both the same readerRole, or leave it out where the lookup has it.');
  });
});

describe('mistakes are synth errors that say what is needed', () => {
  test('a reader role in an environment-agnostic stack', () => {
    expect(() => new EmailIdentityReaderRole(new Stack(new App(), 'Ses'), 'Reader', { emailIdentities: ['example.com'], trustedAccounts: ['222222222222'] }))
      .toThrow('Ses/Reader: an EmailIdentityReaderRole needs a stack with an explicit account and region (env: { account, region }), and stack Ses '
        + 'has no account known at synth time: lookups in other accounts write the role\'s ARN and the identities it reads into their own templates.');
  });

  test('a reader role whose account is unresolved', () => {
    const stack = new Stack(new App(), 'Ses', { env: { account: Token.asString({ Ref: 'AWS::AccountId' }), region: 'eu-west-1' } });
    expect(() => new EmailIdentityReaderRole(stack, 'Reader', { emailIdentities: ['example.com'], trustedAccounts: ['222222222222'] }))
      .toThrow('Ses/Reader: an EmailIdentityReaderRole needs a stack with an explicit account and region (env: { account, region }), and stack Ses '
        + 'has no account known at synth time');
  });

  test('readerRole together with assumeRoleArn', () => {
    const { dnsStack, reader } = twoAccounts();
    expect(() => new EmailIdentityLookup(dnsStack, 'Identity', {
      emailIdentity: 'example.com', readerRole: reader, assumeRoleArn: 'arn:aws:iam::111111111111:role/Elsewhere',
    })).toThrow('Dns/Identity: readerRole and assumeRoleArn both name a role to assume; give one: readerRole for an EmailIdentityReaderRole of this app, '
      + 'or assumeRoleArn (with externalId) for a role made elsewhere.');
  });

  test('readerRole together with externalId', () => {
    const { dnsStack, reader } = twoAccounts();
    expect(() => new EmailIdentityLookup(dnsStack, 'Identity', { emailIdentity: 'example.com', readerRole: reader, externalId: 'dns-account' }))
      .toThrow('Dns/Identity: externalId comes from the readerRole (Ses/Reader); leave it out here.');
  });

  test('a lookup whose account the role does not trust', () => {
    const { dnsStack, reader } = twoAccounts({}, { account: '333333333333', region: 'eu-west-1' });
    expect(() => new EmailIdentityLookup(dnsStack, 'Identity', { emailIdentity: 'example.com', readerRole: reader }))
      .toThrow('Dns/Identity: stack Dns is in account 333333333333, which the reader role Ses/Reader does not trust: add 333333333333 to its trustedAccounts (222222222222).');
  });

  test('a lookup in an environment-agnostic stack', () => {
    const { dnsStack, reader } = twoAccounts({}, {});
    expect(() => new EmailIdentityLookup(dnsStack, 'Identity', { emailIdentity: 'example.com', region: 'eu-west-1', readerRole: reader }))
      .toThrow('Dns/Identity: a lookup through the reader role Ses/Reader needs a stack with an explicit account, one of the role\'s trustedAccounts '
        + '(222222222222); stack Dns has no account known at synth time.');
  });

  test('an identity the role does not cover', () => {
    const { dnsStack, reader } = twoAccounts();
    expect(() => new EmailIdentityLookup(dnsStack, 'Identity', { emailIdentity: 'example.org', readerRole: reader }))
      .toThrow('Dns/Identity: the reader role Ses/Reader does not cover emailIdentity "example.org" in region eu-west-1: '
        + 'it may read example.com in eu-west-1. Add the identity to its emailIdentities.');
  });

  test('a region the role does not cover', () => {
    const { dnsStack, reader } = twoAccounts();
    expect(() => new EmailIdentityLookup(dnsStack, 'Identity', { emailIdentity: 'example.com', region: 'us-east-1', readerRole: reader }))
      .toThrow('Dns/Identity: the reader role Ses/Reader does not cover emailIdentity "example.com" in region us-east-1: '
        + 'it may read example.com in eu-west-1. Add us-east-1 to its regions.');
  });

  test('a lookup in a stack without a region, and no region of its own', () => {
    const { dnsStack, reader } = twoAccounts({}, { account: '222222222222' });
    expect(() => new EmailIdentityLookup(dnsStack, 'Identity', { emailIdentity: 'example.com', readerRole: reader }))
      .toThrow('Dns/Identity: a lookup through the reader role Ses/Reader needs the identity\'s region known at synth time: give it a region (one of eu-west-1).');
  });

  test('names only known at deploy time', () => {
    const stack = new Stack(new App(), 'Ses', { env: SENDING_ENV });
    const name = new CfnParameter(stack, 'Name').valueAsString;
    expect(() => new EmailIdentityReaderRole(stack, 'Reader', { emailIdentities: [name], trustedAccounts: ['222222222222'] }))
      .toThrow('Ses/Reader: emailIdentities must be known at synth time: lookups in other accounts check against them.');
  });

  test('a lookup in a nested stack, whose functions\' role has no predictable name', () => {
    const { dnsStack, reader } = twoAccounts();
    const nested = new NestedStack(dnsStack, 'Nested');
    expect(() => new EmailIdentityLookup(nested, 'Identity', { emailIdentity: 'example.com', readerRole: reader }))
      .toThrow('Dns/Nested/Identity: a lookup through the reader role Ses/Reader needs a stack whose name is known at synth time (the role trusts the lookup '
        + 'functions\' role, named after its stack); stack Dns/Nested is a nested stack: put the lookup in a top-level stack.');
  });

  test.each<[string, Partial<EmailIdentityReaderRoleProps>, string]>([
    ['no identities', { emailIdentities: [] }, 'emailIdentities is empty: name the identities the role may read (or set readAllIdentities).'],
    ['no trusted account', { trustedAccounts: [] }, 'trustedAccounts is empty: name the accounts whose lookups may assume the role.'],
    ['an account that is no account id', { trustedAccounts: ['2222'] }, 'trustedAccounts: "2222" is not an AWS account id (12 digits).'],
    ['a region that is no region', { regions: ['Ireland'] }, 'region "Ireland" is not an AWS region name (such as "eu-west-1").'],
    ['an identity that is no identity', { emailIdentities: ['not a domain'] }, 'emailIdentity "not a domain" is not a domain or email address SES accepts'],
    ['an external id STS refuses', { externalId: 'x' }, 'externalId "x" is not an external id STS accepts'],
    ['a role name IAM refuses', { roleName: 'no spaces' }, 'roleName "no spaces" is not an IAM role name'],
    ['an empty role name', { roleName: '' }, 'roleName "" is not an IAM role name: 1 to 64 letters, digits and +=,.@_- .'],
    ['a role name of 65 characters', { roleName: 'r'.repeat(65) }, `roleName "${'r'.repeat(65)}" is not an IAM role name`],
    ['no region', { regions: [] }, 'regions is empty: leave it out for the stack\'s region.'],
    ['an account id of 13 digits', { trustedAccounts: ['2222222222223'] }, 'trustedAccounts: "2222222222223" is not an AWS account id (12 digits).'],
    ['12 digits after something else', { trustedAccounts: ['x222222222222'] }, 'trustedAccounts: "x222222222222" is not an AWS account id (12 digits).'],
    ['trusted accounts known only at deploy time', { trustedAccounts: [Token.asString({ Ref: 'Trusted' })] },
      'trustedAccounts must be known at synth time: lookups in other accounts check against them.'],
    ['regions known only at deploy time', { regions: [Token.asString({ Ref: 'Region' })] },
      'regions must be known at synth time: lookups in other accounts check against them.'],
  ])('a reader role with %s', (_, props, message) => {
    expect(() => twoAccounts(props)).toThrow(`Ses/Reader: ${message}`);
  });

  describe('a role with several identities, accounts and regions: each list named in full', () => {
    const several = (dnsEnv: Environment = DNS_ENV) => twoAccounts({
      emailIdentities: ['example.com', 'example.net'], trustedAccounts: ['222222222222', '444444444444'], regions: ['eu-west-1', 'us-east-1'],
    }, dnsEnv);

    test('an account it does not trust', () => {
      const { dnsStack, reader } = several({ account: '333333333333', region: 'eu-west-1' });
      expect(() => new EmailIdentityLookup(dnsStack, 'Identity', { emailIdentity: 'example.com', readerRole: reader }))
        .toThrow('Dns/Identity: stack Dns is in account 333333333333, which the reader role Ses/Reader does not trust: '
          + 'add 333333333333 to its trustedAccounts (222222222222, 444444444444).');
    });

    test('no region known', () => {
      const { dnsStack, reader } = several({ account: '222222222222' });
      expect(() => new EmailIdentityLookup(dnsStack, 'Identity', { emailIdentity: 'example.com', readerRole: reader }))
        .toThrow('Dns/Identity: a lookup through the reader role Ses/Reader needs the identity\'s region known at synth time: give it a region '
          + '(one of eu-west-1, us-east-1).');
    });

    test('an identity it does not cover', () => {
      const { dnsStack, reader } = several();
      expect(() => new EmailIdentityLookup(dnsStack, 'Identity', { emailIdentity: 'example.org', readerRole: reader }))
        .toThrow('Dns/Identity: the reader role Ses/Reader does not cover emailIdentity "example.org" in region eu-west-1: '
          + 'it may read example.com, example.net in eu-west-1, us-east-1. Add the identity to its emailIdentities.');
    });
  });

  test('a role name and an external id only known at deploy time are taken as they are', () => {
    const sesStack = new Stack(new App(), 'Ses', { env: SENDING_ENV });
    const roleName = new CfnParameter(sesStack, 'RoleName').valueAsString;
    const externalId = new CfnParameter(sesStack, 'ExternalId').valueAsString;
    new EmailIdentityReaderRole(sesStack, 'Reader', { emailIdentities: ['example.com'], trustedAccounts: ['222222222222'], roleName, externalId });
    const role = roleOf(Template.fromStack(sesStack));
    expect(role.RoleName).toEqual({ Ref: 'RoleName' });
    expect(role.AssumeRolePolicyDocument.Statement[0].Condition.StringEquals).toEqual({ 'sts:ExternalId': { Ref: 'ExternalId' } });
  });

  test('the policy size at the budget exactly (10,000 characters as estimated) is taken; one character more is a synth error', () => {
    // The estimate: the statement (POLICY_OVERHEAD), then per ARN its characters in the longest partition (aws-iso-b), quotes and comma.
    const arnBesidesName = 'arn:aws-iso-b:ses:eu-west-1:123456789012:identity/'.length + '"",'.length;
    const count = 60;
    const forNames = 10_000 - POLICY_OVERHEAD - count * arnBesidesName;
    const length = Math.floor(forNames / count);
    const names = (extra: number) => Array.from({ length: count }, (_, i) => {
      const size = (i === 0 ? forNames - (count - 1) * length : length) + (i === 0 ? extra : 0);
      const suffix = `.${String(i).padStart(3, '0')}.example.com`;
      // Labels of at most 60 characters, as DNS allows.
      const labels: string[] = [];
      let rest = size - suffix.length;
      for (; rest > 61; rest -= 61) labels.push('a'.repeat(60));
      labels.push('a'.repeat(rest));
      return `${labels.join('.')}${suffix}`;
    });
    expect(() => readerOnly({ emailIdentities: names(0) })).not.toThrow();
    expect(() => readerOnly({ emailIdentities: names(1) })).toThrow(/^Ses\/Reader: 60 identities in 1 region make a policy of about 10001 characters/);
  });

  test('readAllIdentities in more regions than the policy holds (names IAM would take, 200 of them): a synth error too', () => {
    const regions = Array.from({ length: 200 }, (_, i) => `zz-${String.fromCharCode(97 + (i % 26))}${String.fromCharCode(97 + Math.floor(i / 26))}-1`);
    expect(() => readerOnly({ emailIdentities: [], readAllIdentities: true, regions }))
      .toThrow(/^Ses\/Reader: 0 identities in 200 regions make a policy of about \d+ characters, more than IAM's 10000 for a role: /);
  });

  test('a role name of 64 characters, IAM\'s longest, is taken', () => {
    const { sesStack, dnsStack, reader } = twoAccounts({ roleName: 'r'.repeat(64) });
    new EmailIdentityLookup(dnsStack, 'Identity', { emailIdentity: 'example.com', readerRole: reader });
    expect(roleOf(Template.fromStack(sesStack)).RoleName).toBe('r'.repeat(64));
    Template.fromStack(dnsStack).hasResourceProperties(LOOKUP_RESOURCE_TYPE, { AssumeRoleArn: `arn:aws:iam::111111111111:role/${'r'.repeat(64)}` });
  });

  test('a reader role in a stack with an account but no region', () => {
    expect(() => new EmailIdentityReaderRole(new Stack(new App(), 'Ses', { env: { account: '111111111111' } }), 'Reader', {
      emailIdentities: ['example.com'], trustedAccounts: ['222222222222'],
    })).toThrow('Ses/Reader: an EmailIdentityReaderRole needs a stack with an explicit account and region (env: { account, region }), and stack Ses '
      + 'has no region known at synth time');
  });

  test('too many identities for the policy, in several regions: the regions counted', () => {
    const names = Array.from({ length: 60 }, (_, index) => `${String(index).padStart(4, '0')}${'x'.repeat(49)}.example.com`);
    expect(() => twoAccounts({ emailIdentities: names, regions: ['eu-west-1', 'us-east-1'] }))
      .toThrow(/^Ses\/Reader: 60 identities in 2 regions make a policy of about \d+ characters, more than IAM's 10000 for a role: /);
  });

  test('readAllIdentities: any name in its regions, and a region it lacks named', () => {
    const { dnsStack, reader } = twoAccounts({ emailIdentities: [], readAllIdentities: true });
    new EmailIdentityLookup(dnsStack, 'Any', { emailIdentity: 'example.org', readerRole: reader });
    expect(() => new EmailIdentityLookup(dnsStack, 'Elsewhere', { emailIdentity: 'example.org', region: 'us-east-1', readerRole: reader }))
      .toThrow('Dns/Elsewhere: the reader role Ses/Reader does not cover emailIdentity "example.org" in region us-east-1: '
        + 'it may read every identity in eu-west-1. Add us-east-1 to its regions.');
  });

  test('a name only known at deploy time, through a role that names its identities: taken, the role decides at deploy time', () => {
    const { dnsStack, reader } = twoAccounts();
    const name = new CfnParameter(dnsStack, 'Name').valueAsString;
    new EmailIdentityLookup(dnsStack, 'Identity', { emailIdentity: name, readerRole: reader });
    Template.fromStack(dnsStack).hasResourceProperties(LOOKUP_RESOURCE_TYPE, { EmailIdentity: { Ref: 'Name' }, AssumeRoleArn: READER_ARN });
  });
});

test('a lookup through a reader role in a stack of its own, copied into another stack: the copy reads through the same role', () => {
  const { app, dnsStack, reader } = twoAccounts();
  const identity = new EmailIdentityLookup(dnsStack, 'Identity', { emailIdentity: 'example.com', readerRole: reader });
  const consumer = new Stack(app, 'Consumer', { env: DNS_ENV });
  const zone = route53.HostedZone.fromHostedZoneAttributes(consumer, 'Zone', { hostedZoneId: 'Z123', zoneName: 'example.com' });
  new EmailIdentityDnsRecords(consumer, 'Records', { identity, hostedZone: zone });

  Template.fromStack(consumer).hasResourceProperties(LOOKUP_RESOURCE_TYPE, { AssumeRoleArn: READER_ARN, ExternalId: 'dns-account' });
  Template.fromStack(consumer).resourceCountIs('AWS::Route53::RecordSet', 3);
});
