import { App, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { buildCreatedIdentityApp, CreatedIdentityStack } from '../../examples/created-identity-app';
import { buildCrossAccountApp } from '../../examples/cross-account-app';
import { EXAMPLE_ENV } from '../../examples/example-app';
import { buildExampleApp, LookupExampleStack } from '../../examples/lookup-app';
import { buildSynthTimeApp, SynthTimeSenderStack } from '../../examples/synth-time-app';
import { buildVerifiedSenderApp, VerifiedSenderStack } from '../../examples/verified-sender-app';
import { GATE_RESOURCE_TYPE, LOOKUP_RESOURCE_TYPE } from '../../src/shared/wire';
import { cloudControlContext } from '../support/cloud-control-context';
import { synthFindings } from '../support/synth-findings';

test('the example app synthesizes: a lookup, its DKIM records and a sender', () => {
  const app = buildExampleApp();
  const stack = app.node.findChild('SesLookupExample') as LookupExampleStack;
  const template = Template.fromStack(stack);

  template.resourceCountIs(LOOKUP_RESOURCE_TYPE, 1);
  template.resourceCountIs('AWS::Route53::RecordSet', 3);
  const [lookupId] = Object.keys(template.findResources(LOOKUP_RESOURCE_TYPE));
  template.hasResourceProperties('AWS::Route53::RecordSet', {
    Type: 'CNAME',
    Name: { 'Fn::Join': ['', [{ 'Fn::GetAtt': [lookupId, 'DkimToken2'] }, '._domainkey.example.com.']] },
    ResourceRecords: [{ 'Fn::Join': ['', [{ 'Fn::GetAtt': [lookupId, 'DkimToken2'] }, '.', { 'Fn::GetAtt': [lookupId, 'DkimSigningHostedZone'] }]] }],
  });
  template.hasOutput('DkimStatus', { Value: { 'Fn::GetAtt': [lookupId, 'DkimStatus'] } });
  template.hasResourceProperties('AWS::IAM::Policy', {
    Roles: [{ Ref: Match.stringLikeRegexp('^Sender') }],
    PolicyDocument: { Statement: [Match.objectLike({ Action: ['ses:SendEmail', 'ses:SendRawEmail'] })] },
  });
});

test('the verified-sender example: records, a gate, and a user pool that waits for it', () => {
  const app = buildVerifiedSenderApp();
  const template = Template.fromStack(app.node.findChild('VerifiedSender') as VerifiedSenderStack);

  template.resourceCountIs(LOOKUP_RESOURCE_TYPE, 1);
  template.resourceCountIs(GATE_RESOURCE_TYPE, 1);
  // 3 DKIM CNAMEs, the MAIL FROM MX and SPF, DMARC.
  template.resourceCountIs('AWS::Route53::RecordSet', 6);
  const [gateId] = Object.keys(template.findResources(GATE_RESOURCE_TYPE));
  template.hasResource('AWS::Cognito::UserPool', { DependsOn: Match.arrayWith([gateId]) });
  template.hasResourceProperties(GATE_RESOURCE_TYPE, { TimeoutSeconds: '2700', Conditions: ['IdentityVerified', 'SendingEnabled'] });
  template.hasResourceProperties(LOOKUP_RESOURCE_TYPE, { Requirements: ['EasyDkimRecords', 'MailFromRecords'] });
});

test('the created-identity example: identity, then lookup and records, then the gate, then the user pool', () => {
  const app = buildCreatedIdentityApp();
  const stack = app.node.findChild('CreatedIdentity') as CreatedIdentityStack;
  const template = Template.fromStack(stack);

  const [identityId] = Object.keys(template.findResources('AWS::SES::EmailIdentity'));
  const [lookupId] = Object.keys(template.findResources(LOOKUP_RESOURCE_TYPE));
  const [gateId] = Object.keys(template.findResources(GATE_RESOURCE_TYPE));
  template.resourceCountIs(LOOKUP_RESOURCE_TYPE, 1);
  template.resourceCountIs(GATE_RESOURCE_TYPE, 1);
  // aws-cdk-lib creates no records for Identity.domain(): these three are ours.
  template.resourceCountIs('AWS::Route53::RecordSet', 3);
  // The lookup and the gate carry the name the identity is created with, and wait for it.
  template.hasResource(LOOKUP_RESOURCE_TYPE, { Properties: { EmailIdentity: 'example.com' }, DependsOn: [identityId] });
  template.hasResource(GATE_RESOURCE_TYPE, { Properties: { EmailIdentity: 'example.com' }, DependsOn: Match.arrayWith([identityId]) });
  // The records read the lookup's attributes, so CloudFormation creates them after it.
  template.hasResourceProperties('AWS::Route53::RecordSet', {
    Name: { 'Fn::Join': ['', [{ 'Fn::GetAtt': [lookupId, 'DkimToken1'] }, '._domainkey.example.com.']] },
  });
  template.hasResource('AWS::Cognito::UserPool', { DependsOn: [gateId] });
});

/**
 * What the CDK CLI caches for example.com in the synth-time example's account
 * and region: an Easy DKIM domain without a MAIL FROM domain.
 */
function synthTimeContext(): Record<string, unknown> {
  return cloudControlContext(new Stack(new App(), 'Probe', { env: EXAMPLE_ENV }), 'example.com', {
    EmailIdentity: 'example.com',
    DkimAttributes: { SigningEnabled: true },
    MailFromAttributes: { BehaviorOnMxFailure: 'USE_DEFAULT_VALUE' },
    FeedbackAttributes: { EmailForwardingEnabled: true },
    ...Object.fromEntries([1, 2, 3].flatMap((n) => [[`DkimDNSTokenName${n}`, `tok${n}._domainkey.example.com`], [`DkimDNSTokenValue${n}`, `tok${n}.dkim.amazonses.com`]])),
  });
}

test('the synth-time example: exactly the identity\'s records, no lookup to read them; the gate reads SES at deploy time', () => {
  const app = buildSynthTimeApp({ context: synthTimeContext() });
  const template = Template.fromStack(app.node.findChild('SynthTimeSender') as SynthTimeSenderStack);

  expect(app.synth().manifest.missing).toBeUndefined();
  const records = Object.values(template.findResources('AWS::Route53::RecordSet'))
    .map(({ Properties: p }) => `${p.Name} ${p.Type} ${p.ResourceRecords.join(' ')}`).sort();
  // The identity has no MAIL FROM domain: no MX, no SPF.
  expect(records).toEqual([
    '_dmarc.example.com. TXT "v=DMARC1;p=none"',
    ...[1, 2, 3].map((n) => `tok${n}._domainkey.example.com. CNAME tok${n}.dkim.amazonses.com`),
  ]);
  template.resourceCountIs(LOOKUP_RESOURCE_TYPE, 0);
  template.resourceCountIs(GATE_RESOURCE_TYPE, 1);
  const [gateId] = Object.keys(template.findResources(GATE_RESOURCE_TYPE));
  template.hasResource('AWS::Cognito::UserPool', { DependsOn: [gateId] });
  // Only the gate's function: nothing is deployed to read the identity for the records.
  template.resourceCountIs('AWS::Lambda::Function', 1);
});

/** Every example app, by its builder. */
const EXAMPLES: Array<[string, (options: { outdir?: string }) => App]> = [
  ['lookup-app', buildExampleApp],
  ['verified-sender-app', buildVerifiedSenderApp],
  ['created-identity-app', buildCreatedIdentityApp],
  ['synth-time-app', (options) => buildSynthTimeApp({ ...options, context: synthTimeContext() })],
  ['cross-account-app', buildCrossAccountApp],
];

test.each(EXAMPLES)('examples/%s.ts synthesizes with no warning and no error: annotations, template validation, console', (_, build) => {
  expect(synthFindings((outdir) => build({ outdir }))).toEqual([]);
});
