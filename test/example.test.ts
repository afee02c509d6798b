import { Match, Template } from 'aws-cdk-lib/assertions';
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
