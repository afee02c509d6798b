import { App, Duration, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as cognito from 'aws-cdk-lib/aws-cognito';
import { EmailIdentityLookup, EmailIdentityVerificationGate, VerificationCondition } from '../../src';
import { GATE_RESOURCE_TYPE, LOOKUP_RESOURCE_TYPE } from '../../src/shared/wire';

function setup() {
  const stack = new Stack(new App(), 'Stack', { env: { account: '123456789012', region: 'eu-west-1' } });
  const identity = new EmailIdentityLookup(stack, 'Identity', { emailIdentity: 'example.com' });
  return { stack, identity };
}

describe('EmailIdentityVerificationGate', () => {
  test('waits by default for verification and sending, 30 s apart, for 30 minutes', () => {
    const { stack, identity } = setup();
    new EmailIdentityVerificationGate(stack, 'Gate', { identity });

    const template = Template.fromStack(stack);
    template.resourceCountIs(GATE_RESOURCE_TYPE, 1);
    template.hasResourceProperties(GATE_RESOURCE_TYPE, {
      ServiceToken: { 'Fn::GetAtt': [Match.stringLikeRegexp('^SesIdentityLookupGateFn'), 'Arn'] },
      EmailIdentity: 'example.com',
      Conditions: ['IdentityVerified', 'SendingEnabled'],
      PollIntervalSeconds: '30',
      TimeoutSeconds: '1800',
      // CloudFormation waits a little longer than the gate, never less.
      ServiceTimeout: '1920',
    });
    template.hasResource(GATE_RESOURCE_TYPE, {
      DependsOn: [Match.stringLikeRegexp('^SesIdentityLookupGateInvokesItself')],
    });
  });

  test('a stack with gates gets one gate function, allowed to invoke itself and nothing else', () => {
    const { stack, identity } = setup();
    new EmailIdentityVerificationGate(stack, 'Gate1', { identity });
    new EmailIdentityVerificationGate(stack, 'Gate2', { identity, conditions: [VerificationCondition.DKIM_VERIFIED] });

    const template = Template.fromStack(stack);
    template.resourceCountIs(GATE_RESOURCE_TYPE, 2);
    template.resourceCountIs('AWS::Lambda::Function', 2);
    const functions = template.findResources('AWS::Lambda::Function', { Properties: { Timeout: 900, Runtime: 'nodejs24.x' } });
    expect(Object.keys(functions)).toEqual([expect.stringMatching(/^SesIdentityLookupFn/), expect.stringMatching(/^SesIdentityLookupGateFn/)]);
    const gateFunctionId = Object.keys(functions)[1];
    template.hasResourceProperties('AWS::IAM::Policy', {
      PolicyName: Match.stringLikeRegexp('GateInvokesItself'),
      PolicyDocument: { Statement: [{ Effect: 'Allow', Action: 'lambda:InvokeFunction', Resource: { 'Fn::GetAtt': [gateFunctionId, 'Arn'] } }] },
    });
  });

  test('a stack without gates deploys nothing for them', () => {
    const { stack } = setup();

    const template = Template.fromStack(stack);
    template.resourceCountIs('AWS::Lambda::Function', 1);
    template.resourceCountIs(GATE_RESOURCE_TYPE, 0);
    expect(JSON.stringify(template.toJSON())).not.toContain('lambda:InvokeFunction');
  });

  test('conditions, poll interval and timeout are the user\'s; the longest timeout fills CloudFormation\'s hour', () => {
    const { stack, identity } = setup();
    new EmailIdentityVerificationGate(stack, 'Gate', {
      identity,
      conditions: [VerificationCondition.DKIM_VERIFIED, VerificationCondition.MAIL_FROM_VERIFIED, VerificationCondition.DKIM_VERIFIED],
      pollInterval: Duration.seconds(10),
      timeout: Duration.minutes(58),
    });

    Template.fromStack(stack).hasResourceProperties(GATE_RESOURCE_TYPE, {
      Conditions: ['DkimVerified', 'MailFromVerified'],
      PollIntervalSeconds: '10',
      TimeoutSeconds: '3480',
      ServiceTimeout: '3600',
    });
  });

  test.each([
    ['no condition', { conditions: [] }, /conditions is empty/],
    ['a 1 s poll interval', { pollInterval: Duration.seconds(1) }, /pollInterval is 1 s; it must be between 5 s and 10 minutes/],
    ['a 59-minute timeout', { timeout: Duration.minutes(59) }, /timeout is 3540 s; it must be at least pollInterval and at most 58 minutes/],
    ['a timeout shorter than the poll interval', { pollInterval: Duration.minutes(2), timeout: Duration.minutes(1) }, /timeout is 60 s/],
  ])('rejects %s at synth time', (_, extra, message) => {
    const { stack, identity } = setup();
    expect(() => new EmailIdentityVerificationGate(stack, 'Gate', { identity, ...extra })).toThrow(message);
  });

  test('a user pool waits for the gate with one line', () => {
    const { stack, identity } = setup();
    const gate = new EmailIdentityVerificationGate(stack, 'Gate', { identity });
    const userPool = new cognito.UserPool(stack, 'Users', {
      email: cognito.UserPoolEmail.withSES({ fromEmail: 'noreply@example.com', sesVerifiedDomain: 'example.com', sesRegion: 'eu-west-1' }),
    });
    userPool.node.addDependency(gate);

    const template = Template.fromStack(stack);
    const [gateId] = Object.keys(template.findResources(GATE_RESOURCE_TYPE));
    template.hasResource('AWS::Cognito::UserPool', { DependsOn: Match.arrayWith([gateId]) });
  });

  test('a gate in another stack reads the identity there, without a lookup: no export', () => {
    const app = new App();
    const sesStack = new Stack(app, 'Ses', { env: { account: '123456789012', region: 'eu-west-1' } });
    const appStack = new Stack(app, 'App', { env: { account: '123456789012', region: 'eu-west-1' } });
    const identity = new EmailIdentityLookup(sesStack, 'Identity', {
      emailIdentity: 'example.com',
      region: 'us-east-2',
      assumeRoleArn: 'arn:aws:iam::210987654321:role/SesLookup',
    });
    new EmailIdentityVerificationGate(appStack, 'Gate', { identity });

    const appTemplate = Template.fromStack(appStack);
    // The gate needs where the identity is, not its attributes: no lookup, no lookup function.
    appTemplate.resourceCountIs(LOOKUP_RESOURCE_TYPE, 0);
    appTemplate.resourceCountIs('AWS::Lambda::Function', 1);
    appTemplate.hasResourceProperties('AWS::IAM::Policy', {
      PolicyDocument: { Statement: Match.arrayWith([{ Effect: 'Allow', Action: 'sts:AssumeRole', Resource: 'arn:aws:iam::210987654321:role/SesLookup' }]) },
    });
    appTemplate.hasResourceProperties(GATE_RESOURCE_TYPE, {
      EmailIdentity: 'example.com',
      Region: 'us-east-2',
      AssumeRoleArn: 'arn:aws:iam::210987654321:role/SesLookup',
    });
    expect(JSON.stringify(appTemplate.toJSON())).not.toContain('Fn::ImportValue');
    expect(Template.fromStack(sesStack).toJSON().Outputs).toBeUndefined();
  });
});
