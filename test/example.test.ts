import { Match, Template } from 'aws-cdk-lib/assertions';
import { buildExampleApp, LookupExampleStack } from '../examples/lookup-app';
import { LOOKUP_RESOURCE_TYPE } from '../src/shared/wire';

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
