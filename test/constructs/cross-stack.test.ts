/**
 * A lookup's attributes used in another stack (src/private/cross-stack.ts):
 * that stack's own read of the identity, nothing exported, or the error that
 * says why it cannot read it. Moved from fit-stacks.test.ts, names unchanged.
 * Runs on the peer floor and on the newest aws-cdk-lib.
 */
import { App, AspectPriority, Aspects, CfnOutput, CfnParameter, CfnResource, CfnWaitConditionHandle, Fn, NestedStack, Tags, type IAspect } from 'aws-cdk-lib';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import * as ses from 'aws-cdk-lib/aws-ses';
import type { IConstruct } from 'constructs';
import { EmailIdentityDnsRecords, EmailIdentityLookup, type EmailIdentityLookupProps } from '../../src';
import { LOOKUP_RESOURCE_TYPE } from '../../src/shared/wire';
import { att, ENV, grantedArns, idOf, newStack, zoneIn } from '../support/stacks';

describe('attributes used in another stack: its own read of the identity, nothing exported', () => {
  type Env = { account?: string; region?: string };
  function twoStacks(sesEnv: Env = ENV, appEnv = sesEnv, props: Partial<EmailIdentityLookupProps> = {}, context = {}) {
    const app = new App({ context });
    Tags.of(app).add('team', 'mail');
    const sesStack = newStack(app, 'Ses', sesEnv);
    const appStack = newStack(app, 'App', appEnv);
    const identity = new EmailIdentityLookup(sesStack, 'Identity', { emailIdentity: 'example.com', ...props });
    // A template needs a resource.
    new CfnWaitConditionHandle(appStack, 'SomeResource');
    return { app, sesStack, appStack, identity };
  }

  /**
   * The app stack with a lookup of its own, and an output aws-cdk-lib renders
   * before the other stack's attribute (read directly, or through EmailIdentityLookup.of when
   * `explicit`): its provider is rendered once before the new read joins it.
   */
  function withOwnLookup(stacks: ReturnType<typeof twoStacks>, explicit: boolean) {
    const own = new EmailIdentityLookup(stacks.appStack, 'Own', { emailIdentity: 'example.org' });
    new CfnOutput(stacks.appStack, 'A', { value: own.dkimStatus });
    new CfnOutput(stacks.appStack, 'Z', { value: (explicit ? EmailIdentityLookup.of(stacks.identity, stacks.appStack) : stacks.identity).dkimStatus });
    return stacks;
  }

  /** Every template of the app, and the stacks each deploys after. */
  function assembly(app: App) {
    return app.synth().stacks.map((stack) => ({
      name: stack.stackName,
      template: stack.template,
      after: stack.dependencies.map((dependency) => dependency.id).sort(),
    }));
  }

  function expectNothingExported(app: App) {
    for (const { template } of assembly(app)) {
      expect(JSON.stringify(template)).not.toMatch(/Fn::ImportValue|"Export"/);
    }
  }

  test.each([
    ['a string attribute', (identity: EmailIdentityLookup) => identity.dkimStatus],
    ['a list attribute', (identity: EmailIdentityLookup) => Fn.select(0, identity.dkimTokens)],
    ['a DKIM record name', (identity: EmailIdentityLookup) => identity.dkimRecords[1].name],
  ])('%s: the same templates as EmailIdentityLookup.of(lookup, scope) gives, tags and DependsOn included; one read in each stack', (_, read) => {
    const automatic = twoStacks();
    new CfnOutput(automatic.appStack, 'S', { value: read(automatic.identity) });
    const explicit = twoStacks();
    new CfnOutput(explicit.appStack, 'S', { value: read(EmailIdentityLookup.of(explicit.identity, explicit.appStack)) });

    expect(assembly(automatic.app)).toEqual(assembly(explicit.app));
    expectNothingExported(automatic.app);
    const appTemplate = Template.fromStack(automatic.appStack);
    appTemplate.resourceCountIs(LOOKUP_RESOURCE_TYPE, 1);
    Template.fromStack(automatic.sesStack).resourceCountIs(LOOKUP_RESOURCE_TYPE, 1);
    expect(JSON.stringify(appTemplate.toJSON().Outputs.S)).toContain(`{"Fn::GetAtt":["${idOf(appTemplate, LOOKUP_RESOURCE_TYPE)}",`);
    // What the stack's own lookup adds is tagged like the rest of the app.
    appTemplate.hasResourceProperties('AWS::Lambda::Function', { Tags: [{ Key: 'team', Value: 'mail' }] });
    expect(Annotations.fromStack(automatic.appStack).findError('*', Match.anyValue())).toEqual([]);
  });

  test('aspects visit what the new read adds in aws-cdk-lib\'s order: by priority, a scope\'s inherited ones before its own', () => {
    /** Appends its name to each resource's "visited" metadata. */
    class Mark implements IAspect {
      constructor(private readonly name: string) {}
      public visit(node: IConstruct): void {
        if (CfnResource.isCfnResource(node)) {
          node.addMetadata('visited', [...(node.getMetadata('visited') as string[] | undefined ?? []), this.name]);
        }
      }
    }
    const build = (explicit: boolean) => {
      const stacks = twoStacks();
      Aspects.of(stacks.app).add(new Mark('app, read-only'), { priority: AspectPriority.READONLY });
      Aspects.of(stacks.appStack).add(new Mark('stack, mutating'), { priority: AspectPriority.MUTATING });
      Aspects.of(stacks.appStack).add(new Mark('stack, default'));
      Aspects.of(stacks.app).add(new Mark('app, default'));
      new CfnOutput(stacks.appStack, 'S', { value: (explicit ? EmailIdentityLookup.of(stacks.identity, stacks.appStack) : stacks.identity).dkimStatus });
      return stacks;
    };
    const automatic = build(false);

    expect(assembly(automatic.app)).toEqual(assembly(build(true).app));
    const [lookup] = Object.values(Template.fromStack(automatic.appStack).findResources(LOOKUP_RESOURCE_TYPE));
    expect(lookup.Metadata.visited).toEqual(['stack, mutating', 'app, default', 'stack, default', 'app, read-only']);
  });

  test('a stack with lookups of its own: its provider, already rendered once, also grants the new read (and the role to assume)', () => {
    const roleArn = 'arn:aws:iam::123456789012:role/SesReader';
    const build = (explicit: boolean) => withOwnLookup(twoStacks(ENV, ENV, { assumeRoleArn: roleArn }), explicit);
    const automatic = build(false);

    expect(assembly(automatic.app)).toEqual(assembly(build(true).app));
    expect(grantedArns(automatic.appStack)).toEqual(['arn:aws:ses:eu-west-1:123456789012:identity/example.org']);
    Template.fromStack(automatic.appStack).hasResourceProperties('AWS::IAM::Policy', {
      PolicyDocument: { Statement: Match.arrayWith([{ Action: 'sts:AssumeRole', Effect: 'Allow', Resource: roleArn }]) },
    });
  });

  test('and one that reads in its own account: the new identity joins the managed policy rendered before it', () => {
    const build = (explicit: boolean) => withOwnLookup(twoStacks(), explicit);
    const automatic = build(false);

    expect(assembly(automatic.app)).toEqual(assembly(build(true).app));
    expect(grantedArns(automatic.appStack)).toEqual([
      'arn:aws:ses:eu-west-1:123456789012:identity/example.org',
      'arn:aws:ses:eu-west-1:123456789012:identity/example.com',
    ]);
  });

  test('a new managed policy for the new read: the function, already rendered once, waits for it too', () => {
    const { appStack, identity } = twoStacks();
    // A name only known at deploy time has its ARN written out, in a policy of its own; the new read's name starts another.
    const own = new EmailIdentityLookup(appStack, 'Own', { emailIdentity: new CfnParameter(appStack, 'Domain').valueAsString });
    new CfnOutput(appStack, 'A', { value: own.dkimStatus });
    new CfnOutput(appStack, 'Z', { value: identity.dkimStatus });

    const template = Template.fromStack(appStack);
    const policies = Object.keys(template.findResources('AWS::IAM::ManagedPolicy'));
    expect(policies).toHaveLength(2);
    template.hasResource('AWS::Lambda::Function', { DependsOn: Match.arrayWith(policies) });
  });

  test('records and an attribute in the same other stack share its one read', () => {
    const { app, appStack, identity } = twoStacks();
    new EmailIdentityDnsRecords(appStack, 'Records', { identity, hostedZone: zoneIn(appStack) });
    new CfnOutput(appStack, 'S', { value: identity.dkimStatus });

    const template = Template.fromStack(appStack);
    template.resourceCountIs(LOOKUP_RESOURCE_TYPE, 1);
    template.hasOutput('S', { Value: att(idOf(template, LOOKUP_RESOURCE_TYPE), 'DkimStatus') });
    expectNothingExported(app);
  });

  test('with aws-cdk-lib\'s stabilized aspects too (@aws-cdk/core:aspectStabilization)', () => {
    const context = { '@aws-cdk/core:aspectStabilization': true };
    const automatic = twoStacks(ENV, ENV, {}, context);
    new CfnOutput(automatic.appStack, 'S', { value: automatic.identity.dkimStatus });
    const explicit = twoStacks(ENV, ENV, {}, context);
    new CfnOutput(explicit.appStack, 'S', { value: EmailIdentityLookup.of(explicit.identity, explicit.appStack).dkimStatus });

    expect(assembly(automatic.app)).toEqual(assembly(explicit.app));
    expectNothingExported(automatic.app);
  });

  test('an identity this app creates: the stack\'s own read waits for it, as with EmailIdentityLookup.of', () => {
    const build = (explicit: boolean) => {
      const app = new App();
      const sesStack = newStack(app, 'Ses');
      const appStack = newStack(app, 'App');
      const identity = new ses.EmailIdentity(sesStack, 'Identity', { identity: ses.Identity.domain('example.com') });
      const lookup = EmailIdentityLookup.of(identity, sesStack);
      new CfnOutput(appStack, 'S', { value: (explicit ? EmailIdentityLookup.of(identity, appStack) : lookup).dkimStatus });
      return { app, appStack, sesStack };
    };
    const automatic = build(false);

    expect(assembly(automatic.app)).toEqual(assembly(build(true).app));
    expect(automatic.appStack.dependencies).toEqual([automatic.sesStack]);
    expectNothingExported(automatic.app);
  });

  test('and a copy of that lookup made with of waits for it too', () => {
    const app = new App();
    const sesStack = newStack(app, 'Ses');
    const appStack = newStack(app, 'App');
    const identity = new ses.EmailIdentity(sesStack, 'Identity', { identity: ses.Identity.domain('example.com') });
    const copy = EmailIdentityLookup.of(EmailIdentityLookup.of(identity, sesStack), appStack);
    new CfnOutput(appStack, 'S', { value: copy.dkimStatus });

    expect(copy).toBe(EmailIdentityLookup.of(identity, appStack));
    expect(assembly(app).find((stack) => stack.name === 'App')?.after).toEqual(['App.assets', sesStack.artifactId]);
  });

  test('between environment-agnostic stacks, each reads in the region it deploys to, as aws-cdk-lib assumes they share one', () => {
    const { app, appStack, identity } = twoStacks({}, {});
    new CfnOutput(appStack, 'S', { value: identity.dkimStatus });

    Template.fromStack(appStack).hasResourceProperties(LOOKUP_RESOURCE_TYPE, { EmailIdentity: 'example.com', Region: Match.absent() });
    expectNothingExported(app);
  });

  test('another region of the same account and partition: read in the identity\'s region', () => {
    const { app, appStack, identity } = twoStacks(ENV, { account: ENV.account, region: 'us-east-2' });
    new CfnOutput(appStack, 'S', { value: identity.dkimStatus });

    Template.fromStack(appStack).hasResourceProperties(LOOKUP_RESOURCE_TYPE, { EmailIdentity: 'example.com', Region: 'eu-west-1' });
    expectNothingExported(app);
  });

  test('another account, with a role to read it there: the stack\'s own lookup assumes it', () => {
    const roleArn = 'arn:aws:iam::123456789012:role/SesReader';
    const { app, appStack, identity } = twoStacks(ENV, { account: '210987654321', region: 'eu-west-1' }, { assumeRoleArn: roleArn });
    new CfnOutput(appStack, 'S', { value: identity.dkimStatus });

    Template.fromStack(appStack).hasResourceProperties(LOOKUP_RESOURCE_TYPE, { AssumeRoleArn: roleArn });
    expectNothingExported(app);
  });

  test.each([
    ['another account, without a role', ENV, { account: '210987654321', region: 'eu-west-1' }, {},
      'the identity is in account 123456789012, stack App in account 210987654321: a lookup there cannot read the identity without a role. '
      + 'Give the lookup an assumeRoleArn, a role in account 123456789012 that stack App\'s lookups may assume; '
      + 'or read it in stack App with a lookup of its own that has a readerRole (an EmailIdentityReaderRole in account 123456789012 that trusts account 210987654321).'],
    ['an environment-agnostic stack beside one with an env', {}, ENV, {},
      'stack Ses has no account at synth time, so it is unknown whether a lookup in stack App can read the identity. Give both stacks an env with the same account.'],
    ['a region only known when the lookup\'s stack deploys', {}, ENV, { assumeRoleArn: 'arn:aws:iam::123456789012:role/SesReader' },
      'the identity is in the region stack Ses deploys to, unknown until then, and stack App is in eu-west-1. Give stack Ses an env, or the lookup a region.'],
    ['another partition', ENV, { account: ENV.account, region: 'cn-north-1' }, {},
      'the identity is in eu-west-1, partition aws, and stack App in cn-north-1, partition aws-cn: a lookup there cannot read the identity from another partition. '
      + 'Use the attribute in a stack of partition aws.'],
  ])('%s: an error on the construct that uses it, naming the lookup, both stacks, why and what to do; nothing exported', (_, sesEnv, appEnv, props, why) => {
    const { app, appStack, identity } = twoStacks(sesEnv, appEnv, props);
    new CfnOutput(appStack, 'S', { value: identity.dkimStatus });

    Annotations.fromStack(appStack).hasError('/App/S', 'Ses/Identity: its attribute DkimStatus is used in stack App, but the lookup is in stack Ses, and ' + why);
    expectNothingExported(app);
    Template.fromStack(appStack).resourceCountIs(LOOKUP_RESOURCE_TYPE, 0);
  });

  test('properties only known at deploy time: an error that names EmailIdentityLookup.of(lookup, scope), which passes them', () => {
    const app = new App();
    const sesStack = newStack(app, 'Ses');
    const appStack = newStack(app, 'App');
    const identity = new EmailIdentityLookup(sesStack, 'Identity', { emailIdentity: new CfnParameter(sesStack, 'Domain').valueAsString });
    new CfnWaitConditionHandle(appStack, 'SomeResource');
    new CfnOutput(appStack, 'S', { value: identity.dkimStatus });

    Annotations.fromStack(appStack).hasError('/App/S', 'Ses/Identity: its attribute DkimStatus is used in stack App, but the lookup is in stack Ses, and '
      + 'the lookup\'s properties are only known at deploy time. Read the identity in stack App with EmailIdentityLookup.of(lookup, scope), which passes them there.');
  });

  test('name, ARN, region and account are usable anywhere, without an export or a lookup', () => {
    const { app, sesStack, appStack, identity } = twoStacks();
    new CfnOutput(appStack, 'Name', { value: identity.emailIdentityName });
    new CfnOutput(appStack, 'Arn', { value: identity.emailIdentityArn });
    new CfnOutput(appStack, 'Where', { value: `${identity.identityRegion}/${identity.identityAccount}` });

    Template.fromStack(appStack).hasOutput('Name', { Value: 'example.com' });
    Template.fromStack(appStack).resourceCountIs(LOOKUP_RESOURCE_TYPE, 0);
    expectNothingExported(app);
    expect(Template.fromStack(sesStack).toJSON().Outputs).toBeUndefined();
  });

  test('a nested stack of the lookup\'s stack may use them: CloudFormation passes them as parameters, not exports', () => {
    const { sesStack, identity } = twoStacks();
    const nested = new NestedStack(sesStack, 'Nested');
    new CfnOutput(nested, 'S', { value: identity.dkimStatus });

    const template = Template.fromStack(sesStack);
    template.resourceCountIs('AWS::CloudFormation::Stack', 1);
    template.resourceCountIs(LOOKUP_RESOURCE_TYPE, 1);
    expect(template.toJSON().Outputs).toBeUndefined();
  });

  test('a nested stack of another stack: the read is in its parent, passed down as a parameter', () => {
    const { app, appStack, identity } = twoStacks();
    const nested = new NestedStack(appStack, 'Nested');
    new CfnOutput(nested, 'S', { value: identity.dkimStatus });

    Template.fromStack(appStack).resourceCountIs(LOOKUP_RESOURCE_TYPE, 1);
    expectNothingExported(app);
  });
});
