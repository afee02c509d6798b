import type { App } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { synthFindings } from './synth-findings';
import { buildCreatedIdentityApp, CreatedIdentityStack } from '../examples/created-identity-app';
import { buildExampleApp, LookupExampleStack } from '../examples/lookup-app';
import { buildVerifiedSenderApp, VerifiedSenderStack } from '../examples/verified-sender-app';
import { GATE_RESOURCE_TYPE, LOOKUP_RESOURCE_TYPE } from '../src/shared/wire';

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

/** Every example app, by its builder. */
const EXAMPLES: Array<[string, (options: { outdir?: string }) => App]> = [
  ['lookup-app', buildExampleApp],
  ['verified-sender-app', buildVerifiedSenderApp],
  ['created-identity-app', buildCreatedIdentityApp],
];

test.each(EXAMPLES)('examples/%s.ts synthesizes with no warning and no error: annotations, template validation, console', (_, build) => {
  expect(synthFindings((outdir) => build({ outdir }))).toEqual([]);
});
