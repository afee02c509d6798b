/**
 * How the constructs fit the stacks users write: identities aws-cdk-lib
 * creates, regions of every partition, and input checks that name the value
 * and the rule; attributes used in another stack are cross-stack.test.ts's.
 * Runs on the peer floor and on the newest aws-cdk-lib.
 */
import { App, CfnOutput, CfnParameter, Duration, Stack } from 'aws-cdk-lib';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import * as ses from 'aws-cdk-lib/aws-ses';
import { RegionInfo } from 'aws-cdk-lib/region-info';
import { DmarcPolicy, EmailIdentityDnsRecords, EmailIdentityLookup, EmailIdentityVerificationGate } from '../../src';
import { regionProblem } from '../../src/shared/validation';
import { GATE_RESOURCE_TYPE, LOOKUP_RESOURCE_TYPE } from '../../src/shared/wire';
import { att, ENV, grantedArns, idOf, newStack, zoneIn } from '../support/stacks';
import { synthFindings } from '../support/synth-findings';

describe('an identity aws-cdk-lib creates', () => {
  function created(stack: Stack, domain = 'example.com') {
    return new ses.EmailIdentity(stack, 'Identity', { identity: ses.Identity.domain(domain) });
  }

  test('records and a gate take it; the lookup reads its name once it exists', () => {
    const stack = newStack();
    const identity = created(stack);
    new EmailIdentityDnsRecords(stack, 'Records', { identity, hostedZone: zoneIn(stack) });
    new EmailIdentityVerificationGate(stack, 'Gate', { identity });

    const template = Template.fromStack(stack);
    const identityId = idOf(template, 'AWS::SES::EmailIdentity');
    const lookupId = idOf(template, LOOKUP_RESOURCE_TYPE);
    // The name as created, known at synth time: checked now, compact in IAM.
    template.hasResource(LOOKUP_RESOURCE_TYPE, { Properties: { EmailIdentity: 'example.com' }, DependsOn: [identityId] });
    template.hasResource(GATE_RESOURCE_TYPE, { Properties: { EmailIdentity: 'example.com' }, DependsOn: Match.arrayWith([identityId]) });
    template.hasResourceProperties('AWS::Route53::RecordSet', {
      Name: { 'Fn::Join': ['', [att(lookupId, 'DkimToken1'), '._domainkey.example.com.']] },
    });
    expect(grantedArns(stack)).toEqual(['arn:aws:ses:eu-west-1:123456789012:identity/example.com']);
  });

  test('with Identity.publicHostedZone(), aws-cdk-lib publishes the records: creating them again is a synth error, not a failed deployment', () => {
    const stack = newStack();
    const zone = zoneIn(stack);
    const identity = new ses.EmailIdentity(stack, 'Identity', { identity: ses.Identity.publicHostedZone(zone), mailFromDomain: 'mail.example.com' });

    expect(() => new EmailIdentityDnsRecords(stack, 'Records', { identity, hostedZone: zone, mailFrom: true })).toThrow(
      "Stack/Records: Stack/Identity publishes its own DKIM CNAMEs (set dkim: false) and MAIL FROM records (leave mailFrom unset): aws-cdk-lib's "
      + 'EmailIdentity creates them for Identity.publicHostedZone(), and the same records twice fail the deployment. Or create the identity with Identity.domain().');
    // What it does not publish may still come from here.
    new EmailIdentityDnsRecords(stack, 'Dmarc', { identity, hostedZone: zone, dkim: false, dmarcPolicy: DmarcPolicy.NONE });
    Template.fromStack(stack).hasResourceProperties('AWS::Route53::RecordSet', { Name: '_dmarc.example.com.', Type: 'TXT' });
  });

  test('one lookup per identity per stack, however many constructs read it', () => {
    const stack = newStack();
    const identity = created(stack);
    new EmailIdentityDnsRecords(stack, 'Dkim', { identity, hostedZone: zoneIn(stack) });
    new EmailIdentityDnsRecords(stack, 'Dmarc', { identity, dkim: false, dmarcPolicy: DmarcPolicy.NONE });

    expect(EmailIdentityLookup.of(identity, stack)).toBe(EmailIdentityLookup.of(identity, stack));
    Template.fromStack(stack).resourceCountIs(LOOKUP_RESOURCE_TYPE, 1);
  });

  test("the lookup's id reads as the identity's path, the same on every synth, and never another identity's", () => {
    const app = new App();
    const sesStack = newStack(app, 'Ses');
    const appStack = newStack(app, 'App');
    const identity = created(sesStack);
    const here = EmailIdentityLookup.of(identity, sesStack);
    const there = EmailIdentityLookup.of(identity, appStack);

    expect([here.node.path, there.node.path]).toEqual(['Ses/EmailIdentityLookup.Ses.Identity', 'App/EmailIdentityLookup.Ses.Identity']);
    expect(idOf(Template.fromStack(appStack), LOOKUP_RESOURCE_TYPE)).toMatch(/^EmailIdentityLookupSesIdentity[0-9A-F]{8}$/);
    // A copy of a lookup is named after the lookup it copies.
    const lookup = new EmailIdentityLookup(sesStack, 'Lookup', { emailIdentity: 'example.org' });
    expect(EmailIdentityLookup.of(lookup, appStack).node.path).toBe('App/EmailIdentityLookup.Ses.Lookup');
    // Another app built the same way gives the same ids.
    const again = new App();
    expect(EmailIdentityLookup.of(created(newStack(again, 'Ses')), newStack(again, 'App')).node.path).toBe(there.node.path);
    // The id is readable, so a construct of the user's can hold it: an error, never the wrong lookup.
    const other = newStack(new App(), 'Other');
    new EmailIdentityLookup(other, 'EmailIdentityLookup.Ses.Identity', { emailIdentity: 'example.net' });
    const clash = created(new Stack(other.node.root as App, 'Ses', { env: ENV }));
    expect(() => EmailIdentityLookup.of(clash, other)).toThrow(
      'Other/EmailIdentityLookup.Ses.Identity: the construct id "EmailIdentityLookup.Ses.Identity" in stack Other is where this library keeps its lookup of Ses/Identity; '
      + 'give that construct another id.');
  });

  test('an imported identity is read by its name, with nothing to wait for', () => {
    const stack = newStack();
    const identity = ses.EmailIdentity.fromEmailIdentityName(stack, 'Imported', 'example.org');
    new EmailIdentityVerificationGate(stack, 'Gate', { identity });
    const lookup = EmailIdentityLookup.of(identity, stack);

    expect(lookup.emailIdentityName).toBe('example.org');
    const template = Template.fromStack(stack);
    template.hasResource(LOOKUP_RESOURCE_TYPE, { Properties: { EmailIdentity: 'example.org' }, DependsOn: Match.absent() });
    template.hasResource(GATE_RESOURCE_TYPE, { DependsOn: [Match.stringLikeRegexp('GateInvokesItself')] });
  });

  test('in another stack: read by its literal name, nothing exported, that stack deploys first', () => {
    const app = new App();
    const sesStack = newStack(app, 'Ses');
    const appStack = newStack(app, 'App');
    const identity = created(sesStack);
    new EmailIdentityDnsRecords(appStack, 'Records', { identity, hostedZone: zoneIn(appStack) });
    new EmailIdentityVerificationGate(appStack, 'Gate', { identity });

    const appTemplate = Template.fromStack(appStack);
    appTemplate.hasResourceProperties(LOOKUP_RESOURCE_TYPE, { EmailIdentity: 'example.com' });
    appTemplate.hasResourceProperties(GATE_RESOURCE_TYPE, { EmailIdentity: 'example.com' });
    expect(JSON.stringify(appTemplate.toJSON())).not.toContain('Fn::ImportValue');
    expect(Template.fromStack(sesStack).toJSON().Outputs).toBeUndefined();
    expect(appStack.dependencies).toEqual([sesStack]);
  });

  test('in another region\'s stack: read in that region', () => {
    const app = new App();
    const sesStack = newStack(app, 'Ses', { account: '123456789012', region: 'us-east-2' });
    const appStack = newStack(app, 'App');
    const identity = created(sesStack);
    new EmailIdentityVerificationGate(appStack, 'Gate', { identity });

    Template.fromStack(appStack).hasResourceProperties(GATE_RESOURCE_TYPE, { EmailIdentity: 'example.com', Region: 'us-east-2' });
    expect(grantedArns(appStack)).toEqual(['arn:aws:ses:us-east-2:123456789012:identity/example.com']);
  });

  test('in another account\'s stack: a synth error that says how to read it from there', () => {
    const app = new App();
    const identity = created(newStack(app, 'Ses', { account: '111111111111', region: 'eu-west-1' }));
    const appStack = newStack(app, 'App', { account: '222222222222', region: 'eu-west-1' });

    expect(() => new EmailIdentityVerificationGate(appStack, 'Gate', { identity })).toThrow(
      'App/Gate: it reads Ses/Identity, which lives in account 111111111111, from stack App in account 222222222222: '
      + 'that needs a readerRole (an EmailIdentityReaderRole in account 111111111111 that trusts account 222222222222). '
      + 'Give it to a gate as its readerRole; for records, pass an EmailIdentityLookup of the identity\'s name that has it.');
  });

  test('a name only known at deploy time, in another stack: the name, and nothing else, is exported', () => {
    const app = new App();
    const sesStack = newStack(app, 'Ses');
    const appStack = newStack(app, 'App');
    const domain = new CfnParameter(sesStack, 'Domain').valueAsString;
    const identity = new ses.EmailIdentity(sesStack, 'Identity', { identity: ses.Identity.domain(domain) });
    new EmailIdentityVerificationGate(appStack, 'Gate', { identity });

    const outputs = Object.values(Template.fromStack(sesStack).toJSON().Outputs ?? {}) as Array<{ Value: unknown }>;
    expect(outputs.map((output) => output.Value)).toEqual([{ Ref: idOf(Template.fromStack(sesStack), 'AWS::SES::EmailIdentity') }]);
    Template.fromStack(appStack).hasResourceProperties(GATE_RESOURCE_TYPE, { EmailIdentity: { 'Fn::ImportValue': Match.anyValue() } });
  });
});

describe("aws-cdk-lib's DKIM names", () => {
  test('dkimDnsTokenName1..3, dkimDnsTokenValue1..3 and dkimRecords, as aws_ses.EmailIdentity spells them', () => {
    const stack = newStack();
    const lookup = new EmailIdentityLookup(stack, 'Identity', { emailIdentity: 'Bücher.example' });
    const id = idOf(Template.fromStack(stack), LOOKUP_RESOURCE_TYPE);
    const name = (n: number) => ({ 'Fn::Join': ['', [att(id, `DkimToken${n}`), '._domainkey.xn--bcher-kva.example']] });
    const value = (n: number) => ({ 'Fn::Join': ['', [att(id, `DkimToken${n}`), '.', att(id, 'DkimCnameDomain')]] });

    expect(stack.resolve([lookup.dkimDnsTokenName1, lookup.dkimDnsTokenName2, lookup.dkimDnsTokenName3])).toEqual([name(1), name(2), name(3)]);
    expect(stack.resolve([lookup.dkimDnsTokenValue1, lookup.dkimDnsTokenValue2, lookup.dkimDnsTokenValue3])).toEqual([value(1), value(2), value(3)]);
    expect(stack.resolve(lookup.dkimRecords)).toEqual([1, 2, 3].map((n) => ({ name: name(n), value: value(n) })));
  });

  test('an email-address identity\'s names are under its domain', () => {
    const stack = newStack();
    const lookup = new EmailIdentityLookup(stack, 'Identity', { emailIdentity: 'sender@Example.com' });

    expect(JSON.stringify(stack.resolve(lookup.dkimDnsTokenName1))).toContain('"._domainkey.example.com"');
  });

  test('the records construct publishes the same CNAMEs, with Route53\'s trailing dot', () => {
    const stack = newStack();
    const lookup = new EmailIdentityLookup(stack, 'Identity', { emailIdentity: 'example.com' });
    const records = new EmailIdentityDnsRecords(stack, 'Records', { identity: lookup });

    expect(stack.resolve(records.records.map((record) => record.name))).toEqual(stack.resolve(lookup.dkimRecords.map((record) => `${record.name}.`)));
    expect(stack.resolve(records.records.map((record) => record.value))).toEqual(stack.resolve(lookup.dkimRecords.map((record) => record.value)));
  });
});

describe('regions are checked against aws-cdk-lib\'s region facts', () => {
  test.each(['eu-west-9', 'us-east-3', 'xx-north-1'])('%s, which no partition knows, is a synth warning', (region) => {
    const stack = newStack();
    new EmailIdentityLookup(stack, 'Identity', { emailIdentity: 'example.com', region });

    Annotations.fromStack(stack).hasWarning('/Stack/Identity', Match.stringLikeRegexp(
      `^region "${region}" is not a region aws-cdk-lib knows \\(such as "eu-west-1"\\)\\. A typo makes the deployment fail`));
  });

  test('a region of another partition than the stack\'s is a synth error', () => {
    expect(() => new EmailIdentityLookup(newStack(), 'Identity', { emailIdentity: 'example.com', region: 'cn-north-1' })).toThrow(
      'Stack/Identity: region "cn-north-1" is in partition aws-cn, and stack Stack is in eu-west-1, partition aws: a stack reads identities in its own partition only.');
    expect(() => new EmailIdentityLookup(newStack(), 'Identity', { emailIdentity: 'example.com', region: 'eusc-de-east-1' })).toThrow(
      /region "eusc-de-east-1" is in partition aws-eusc, and stack Stack is in eu-west-1, partition aws/);
  });

  test('so is a gate\'s, for an identity whose region it takes from another stack', () => {
    const app = new App();
    const chinaStack = newStack(app, 'China', { account: '123456789012', region: 'cn-north-1' });
    const identity = new EmailIdentityLookup(chinaStack, 'Identity', { emailIdentity: 'example.com' });

    expect(() => new EmailIdentityVerificationGate(newStack(app, 'Global'), 'Gate', { identity })).toThrow(/^Global\/Gate: region "cn-north-1" is in partition aws-cn/);
  });

  test('every region aws-cdk-lib knows, of every partition, has the shape the handler checks', () => {
    const regions = RegionInfo.regions.map((region) => region.name);
    expect(regions).toEqual(expect.arrayContaining(['eusc-de-east-1', 'us-gov-west-1', 'cn-north-1', 'us-isob-east-1']));
    expect(regions.filter((region) => regionProblem(region) !== undefined)).toEqual([]);
  });

  test.each([
    ['eusc-de-east-1', 'aws-eusc'],
    ['us-gov-east-1', 'aws-us-gov'],
    ['cn-northwest-1', 'aws-cn'],
  ])('a stack in %s reads identities of its partition, with ARNs in %s', (region, partition) => {
    const stack = newStack(new App({ context: { '@aws-cdk/core:enablePartitionLiterals': true } }), 'Stack', { account: '123456789012', region });
    const lookup = new EmailIdentityLookup(stack, 'Identity', { emailIdentity: 'example.com', region });

    expect(stack.resolve(lookup.emailIdentityArn)).toBe(`arn:${partition}:ses:${region}:123456789012:identity/example.com`);
    expect(grantedArns(stack, partition)).toEqual([`arn:${partition}:ses:${region}:123456789012:identity/example.com`]);
    expect(Annotations.fromStack(stack).findWarning('*', Match.anyValue())).toEqual([]);
  });

  test('without partition literals the ARN names the partition the stack deploys to', () => {
    const stack = newStack(new App(), 'Stack', { account: '123456789012', region: 'eusc-de-east-1' });
    const lookup = new EmailIdentityLookup(stack, 'Identity', { emailIdentity: 'example.com' });

    expect(stack.resolve(lookup.emailIdentityArn)).toEqual({
      'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':ses:eusc-de-east-1:123456789012:identity/example.com']],
    });
    expect(grantedArns(stack, 'aws-eusc')).toEqual(['arn:aws-eusc:ses:eusc-de-east-1:123456789012:identity/example.com']);
  });

  test('an environment-agnostic stack may name a region of any partition: it deploys there', () => {
    const stack = newStack(new App(), 'Stack', {});
    new EmailIdentityLookup(stack, 'Identity', { emailIdentity: 'example.com', region: 'eusc-de-east-1' });

    Template.fromStack(stack).hasResourceProperties(LOOKUP_RESOURCE_TYPE, { Region: 'eusc-de-east-1' });
  });
});

describe('each input check names the value and the rule', () => {
  test('dmarcReportEmail must be an email address', () => {
    const stack = newStack();
    const identity = new EmailIdentityLookup(stack, 'Identity', { emailIdentity: 'example.com' });

    expect(() => new EmailIdentityDnsRecords(stack, 'Records', { identity, dmarcPolicy: DmarcPolicy.NONE, dmarcReportEmail: 'not an email' }))
      .toThrow('Stack/Records: dmarcReportEmail "not an email" is not an email address: it has no "@".');
    expect(() => new EmailIdentityDnsRecords(stack, 'Records2', { identity, dmarcPolicy: DmarcPolicy.NONE, dmarcReportEmail: 'dmarc reports@example.com' }))
      .toThrow('Stack/Records2: dmarcReportEmail "dmarc reports@example.com" is not an email address: it contains whitespace or control characters.');
    expect(() => new EmailIdentityDnsRecords(stack, 'Records3', { identity, dmarcPolicy: DmarcPolicy.NONE, dmarcReportEmail: 'a;p=reject@example.com' }))
      .toThrow('Stack/Records3: dmarcReportEmail "a;p=reject@example.com" cannot be a DMARC report address: ";", "," and "!" have meanings in a DMARC record.');
    // DMARC reports go by email: a URI of another scheme names the value and the two forms that work.
    expect(() => new EmailIdentityDnsRecords(stack, 'Records6', { identity, dmarcPolicy: DmarcPolicy.NONE, dmarcReportEmail: 'https://dmarc.example.com/reports' }))
      .toThrow('Stack/Records6: dmarcReportEmail "https://dmarc.example.com/reports" is a URI of scheme https: DMARC sends aggregate reports by email. '
        + 'Give an email address (dmarc@example.com) or a mailto: URI.');
    // A mailto: URI is held to the address rules like an address.
    expect(() => new EmailIdentityDnsRecords(stack, 'Records7', { identity, dmarcPolicy: DmarcPolicy.NONE, dmarcReportEmail: 'mailto:a;p=reject@example.com' }))
      .toThrow('Stack/Records7: dmarcReportEmail "mailto:a;p=reject@example.com" cannot be a DMARC report address');
    // What a TXT string cannot hold as it is, and what its byte-counted strings would cut.
    for (const [id, address] of [['Records4', 'a"b@example.com'], ['Records5', 'dmarc@exämple.com']]) {
      expect(() => new EmailIdentityDnsRecords(stack, id, { identity, dmarcPolicy: DmarcPolicy.NONE, dmarcReportEmail: address }))
        .toThrow(`Stack/${id}: dmarcReportEmail ${JSON.stringify(address)} cannot be a DMARC report address: it must be printable ASCII without '"' or "\\" `
          + '(write an internationalized domain in its xn-- form).');
    }
  });

  test('externalId without assumeRoleArn names the pairing, not the length', () => {
    expect(() => new EmailIdentityLookup(newStack(), 'Identity', { emailIdentity: 'example.com', externalId: 'x' }))
      .toThrow('Stack/Identity: externalId "x" is only used with assumeRoleArn; set both or neither.');
  });

  test('a poll interval longer than the timeout names both', () => {
    const stack = newStack();
    const identity = new EmailIdentityLookup(stack, 'Identity', { emailIdentity: 'example.com' });

    expect(() => new EmailIdentityVerificationGate(stack, 'Gate', { identity, pollInterval: Duration.minutes(2), timeout: Duration.minutes(1) }))
      .toThrow('Stack/Gate: timeout is 60 s; it must be at least pollInterval and at most 58 minutes (CloudFormation waits an hour at most); pollInterval is 120 s.');
  });

  test('toZoneFile() of no records is an empty zone', () => {
    const stack = newStack();
    const identity = new EmailIdentityLookup(stack, 'Identity', { emailIdentity: 'example.com' });
    const records = new EmailIdentityDnsRecords(stack, 'Records', { identity, dkim: false });
    new CfnOutput(stack, 'Zone', { value: records.toZoneFile() });

    expect(records.toZoneFile()).toBe('');
    Template.fromStack(stack).hasOutput('Zone', { Value: '' });
  });
});

describe('no resource that nothing uses, no permission twice', () => {
  test('a gate in another stack than its lookup deploys no lookup there', () => {
    const app = new App();
    const sesStack = newStack(app, 'Ses');
    const appStack = newStack(app, 'App');
    const identity = new EmailIdentityLookup(sesStack, 'Identity', { emailIdentity: 'example.com', region: 'us-east-2' });
    new EmailIdentityVerificationGate(appStack, 'Gate', { identity });

    const template = Template.fromStack(appStack);
    template.resourceCountIs(LOOKUP_RESOURCE_TYPE, 0);
    template.resourceCountIs('AWS::Lambda::Function', 1);
    template.hasResourceProperties(GATE_RESOURCE_TYPE, { EmailIdentity: 'example.com', Region: 'us-east-2' });
    // Only the gate function, allowed to read the identity.
    expect(grantedArns(appStack)).toEqual(['arn:aws:ses:us-east-2:123456789012:identity/example.com']);
    expect(appStack.dependencies).toEqual([]);
  });

  test('two lookups, records and a gate of one identity: its ARN once in the policy', () => {
    const stack = newStack();
    const first = new EmailIdentityLookup(stack, 'First', { emailIdentity: 'example.com' });
    new EmailIdentityLookup(stack, 'Second', { emailIdentity: 'example.com' });
    new EmailIdentityDnsRecords(stack, 'Records', { identity: first });
    new EmailIdentityVerificationGate(stack, 'Gate', { identity: first });

    expect(grantedArns(stack)).toEqual(['arn:aws:ses:eu-west-1:123456789012:identity/example.com']);
  });

  test('a stack whose only lookup reads another region: no unused Fn::Sub variable (W1019)', () => {
    const build = (outdir?: string) => {
      const app = new App({ outdir });
      new EmailIdentityLookup(newStack(app), 'Identity', { emailIdentity: 'example.com', region: 'us-east-2' });
      return app;
    };
    expect(synthFindings(build)).toEqual([]);

    const stack = build().node.findChild('Stack') as Stack;

    const [policy] = Object.values(Template.fromStack(stack).findResources('AWS::IAM::ManagedPolicy'));
    expect(policy.Properties.PolicyDocument.Statement[0].Resource).toEqual({
      'Fn::Split': [' ', { 'Fn::Sub': 'arn:${AWS::Partition}:ses:us-east-2:${AWS::AccountId}:identity/example.com' }],
    });
  });
});
