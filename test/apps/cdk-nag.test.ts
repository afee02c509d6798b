import { App, CfnOutput, CfnParameter, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as route53 from 'aws-cdk-lib/aws-route53';
import * as cr from 'aws-cdk-lib/custom-resources';
import { AwsSolutionsChecks } from 'cdk-nag';
import { buildCrossAccountApp } from '../../examples/cross-account-app';
import { EmailIdentityDnsRecords, EmailIdentityLookup, EmailIdentityFunctions, EmailIdentityReaderRole, EmailIdentityVerificationGate } from '../../src';

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

/** The newest Node.js runtime this aws-cdk-lib lists, as AwsSolutions-L1 picks it (a preview included). */
function newestListedNodeRuntime(): string {
  return lambda.Runtime.ALL.map((runtime) => runtime.name)
    .filter((name) => /^nodejs\d/.test(name))
    .sort((a, b) => a.localeCompare(b, undefined, { numeric: true }))
    .pop()!;
}

function awsCustomResourceRuntime(stack: Stack): string {
  const functions = Object.values(Template.fromStack(stack).findResources('AWS::Lambda::Function'));
  expect(functions).toHaveLength(1);
  return functions[0].Properties.Runtime;
}

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

test('an attribute used in another stack: that stack\'s own read of the identity, made at synth, has zero findings too', () => {
  const app = new App();
  const sesStack = newStack(app);
  const appStack = new Stack(app, 'App', { env: { account: '123456789012', region: 'eu-west-1' } });
  const identity = new EmailIdentityLookup(sesStack, 'Domain', { emailIdentity: 'example.com' });
  new CfnOutput(appStack, 'DkimStatus', { value: identity.dkimStatus });

  // The other stack's lookup (and its function) only exists once aws-cdk-lib has prepared the app.
  app.synth();
  expect(appStack.node.findAll().filter((construct) => construct instanceof EmailIdentityLookup)).toHaveLength(1);
  expect(findings(app)).toEqual([]);
});

test('the same checks find what they should: AwsCustomResource\'s managed policy, and its runtime when aws-cdk-lib lists a newer one', () => {
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

  // aws-cdk-lib 2.276 moved AwsCustomResource to nodejs24.x, the newest it listed;
  // 2.278 lists nodejs26.x (a preview), and L1 asks for it again.
  const olderRuntime = awsCustomResourceRuntime(stack) !== newestListedNodeRuntime();
  expect(olderRuntime).toBe(!AWS_CDK_LIB_VERSION.startsWith('2.276.') && !AWS_CDK_LIB_VERSION.startsWith('2.277.'));
  expect(findings(app)).toEqual([
    'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole]',
    ...(olderRuntime ? ['AwsSolutions-L1'] : []),
  ]);
});

test('opting in to read every identity is a wildcard, and the pack says so', () => {
  const app = new App();
  const stack = newStack(app);
  EmailIdentityFunctions.configure(stack, { readAllIdentities: true });
  new EmailIdentityLookup(stack, 'Domain', { emailIdentity: 'example.com' });

  expect(findings(app)).toEqual(['AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:ses:*:123456789012:identity/*]']);
});

test("the library's functions acknowledge AwsSolutions-L1 with the runtime policy; a user's function is still checked", () => {
  const app = new App();
  const stack = newStack(app);
  const identity = new EmailIdentityLookup(stack, 'Domain', { emailIdentity: 'example.com' });
  new EmailIdentityVerificationGate(stack, 'Gate', { identity });
  new lambda.Function(stack, 'UsersFunction', { runtime: lambda.Runtime.NODEJS_22_X, handler: 'index.handler', code: lambda.Code.fromInline('exports.handler = async () => {}') });

  const report = new AwsSolutionsChecks(app).validateScope(app);
  const l1 = report.violations.filter((violation) => violation.ruleName === 'AwsSolutions-L1');
  expect(l1.flatMap((violation) => violation.violatingResources.map((resource) => resource.constructPath))).toEqual(['Stack/UsersFunction/Resource']);

  // Both functions carry the reason, naming the runtime they run; the user's carries none.
  const functions = Template.fromStack(stack).findResources('AWS::Lambda::Function');
  const reasons = Object.fromEntries(Object.entries(functions).map(([id, fn]) => [id.replace(/[0-9A-F]{8}$/, ''), fn.Metadata?.cdk_nag]));
  const acknowledged = {
    rules_to_suppress: [{
      id: 'AwsSolutions-L1',
      reason: 'nodejs24.x is the newest Node.js runtime that Lambda offers generally available in every region. '
        + 'cdk-ses-identity-lookup never uses a preview runtime, and moves to a newer one once Lambda makes it generally available.',
    }],
  };
  expect(reasons).toEqual({ SesIdentityLookupFn: acknowledged, SesIdentityLookupGateFn: acknowledged, UsersFunction: undefined });
  expect(Object.values(functions).map((fn) => fn.Properties.Runtime).sort()).toEqual(['nodejs22.x', 'nodejs24.x', 'nodejs24.x']);
});

test('a reader role opted in to read every identity is a wildcard too, and the pack says so', () => {
  const app = new App();
  new EmailIdentityReaderRole(newStack(app), 'Reader', { emailIdentities: [], readAllIdentities: true, trustedAccounts: ['222222222222'] });

  expect(findings(app)).toEqual(['AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:ses:eu-west-1:123456789012:identity/*]']);
});
