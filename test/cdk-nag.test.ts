import { App, CfnParameter, Stack } from 'aws-cdk-lib';
import * as route53 from 'aws-cdk-lib/aws-route53';
import * as cr from 'aws-cdk-lib/custom-resources';
import { AwsSolutionsChecks } from 'cdk-nag';
import { buildCrossAccountApp } from '../examples/cross-account-app';
import { EmailIdentityDnsRecords, EmailIdentityLookup, EmailIdentityLookupProvider, EmailIdentityReaderRole, EmailIdentityVerificationGate } from '../src';

/**
 * The AwsSolutions pack over a whole app. `validateScope` runs the same rules
 * as `Validations.of(app).addPlugins(new AwsSolutionsChecks(app))`, which needs
 * a newer aws-cdk-lib than the oldest this library supports.
 */
function findings(app: App): string[] {
  const report = new AwsSolutionsChecks(app).validateScope(app);
  return report.violations.map((violation) => violation.ruleName);
}

/** The aws-cdk-lib these tests run on: the peer floor, or the newest. */
// eslint-disable-next-line @typescript-eslint/no-require-imports
const AWS_CDK_LIB_VERSION: string = require('aws-cdk-lib/package.json').version;

function newStack(app: App): Stack {
  return new Stack(app, 'Stack', { env: { account: '123456789012', region: 'eu-west-1' } });
}

test('lookups of every kind, DNS records and a gate: zero AwsSolutions findings, no suppressions', () => {
  const app = new App();
  const stack = newStack(app);
  const identity = new EmailIdentityLookup(stack, 'Domain', { emailIdentity: 'example.com' });
  new EmailIdentityLookup(stack, 'Address', { emailIdentity: 'sender@example.com' });
  new EmailIdentityLookup(stack, 'OtherRegion', { emailIdentity: 'example.org', region: 'us-east-2' });
  new EmailIdentityLookup(stack, 'OtherAccount', { emailIdentity: 'example.net', assumeRoleArn: 'arn:aws:iam::210987654321:role/SesReader', externalId: 'dns' });
  new EmailIdentityLookup(stack, 'FromParameter', { emailIdentity: new CfnParameter(stack, 'DomainName').valueAsString });
  const zone = route53.HostedZone.fromHostedZoneAttributes(stack, 'Zone', { hostedZoneId: 'Z123', zoneName: 'example.com' });
  new EmailIdentityDnsRecords(stack, 'Records', { identity, hostedZone: zone, mailFrom: true });
  new EmailIdentityVerificationGate(stack, 'Gate', { identity });

  expect(findings(app)).toEqual([]);
});

test('across accounts: the reader role\'s stack and the lookup\'s (records, a gate), zero findings, no suppressions', () => {
  const app = buildCrossAccountApp();

  expect(app.node.findAll().filter((construct) => construct instanceof EmailIdentityReaderRole)).toHaveLength(1);
  expect(findings(app)).toEqual([]);
});

test('the same checks find what they should: AwsCustomResource\'s managed policy, and before aws-cdk-lib 2.276 its older runtime', () => {
  const app = new App();
  const stack = newStack(app);
  new cr.AwsCustomResource(stack, 'Lookup', {
    onCreate: {
      service: 'SESV2',
      action: 'getEmailIdentity',
      parameters: { EmailIdentity: 'example.com' },
      physicalResourceId: cr.PhysicalResourceId.of('example.com'),
    },
    policy: cr.AwsCustomResourcePolicy.fromSdkCalls({ resources: [stack.formatArn({ service: 'ses', resource: 'identity', resourceName: 'example.com' })] }),
  });

  // aws-cdk-lib 2.276 moved AwsCustomResource to the newest Node.js runtime (REFERENCE: 1 finding there).
  const olderRuntime = Number(AWS_CDK_LIB_VERSION.split('.')[1]) < 276;
  expect(findings(app)).toEqual([
    'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole]',
    ...(olderRuntime ? ['AwsSolutions-L1'] : []),
  ]);
});

test('opting in to read every identity is a wildcard, and the pack says so', () => {
  const app = new App();
  const stack = newStack(app);
  EmailIdentityLookupProvider.configure(stack, { readAllIdentities: true });
  new EmailIdentityLookup(stack, 'Domain', { emailIdentity: 'example.com' });

  expect(findings(app)).toEqual(['AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:ses:*:123456789012:identity/*]']);
});

test('a reader role opted in to read every identity is a wildcard too, and the pack says so', () => {
  const app = new App();
  new EmailIdentityReaderRole(newStack(app), 'Reader', { emailIdentities: [], readAllIdentities: true, trustedAccounts: ['222222222222'] });

  expect(findings(app)).toEqual(['AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:ses:eu-west-1:123456789012:identity/*]']);
});
