/**
 * A lookup used from another stack: the rules of what that stack's own read
 * of the identity is (`propsSeenFrom`) and when it cannot be relied on
 * (`whyUnreadableFrom`), and the attribute that resolves to that read
 * (`StackLocalAttribute`), decided when aws-cdk-lib prepares the app (where it
 * would otherwise create an export), or, where that read is unsound, an error
 * annotation that `cdk synth` prints at once.
 */
import { Annotations, Aspects, CfnResource, Stack, Stage, Token, type AspectApplication, type IAspect, type IResolvable, type IResolveContext } from 'aws-cdk-lib';
import { Dependable, type IConstruct } from 'constructs';
import { fail } from './errors';
import { regionSeenFrom } from './identity-location';
import { partitionOf } from './region-facts';

/** Where another stack reads a lookup's attributes: a lookup there, or why there can be none. */
export type ReadFrom = { readonly reader: IConstruct & { _getAtt(name: string): IResolvable } } | { readonly problem: string };

/** What the rules read of a lookup's props (`EmailIdentityLookupProps`). */
interface LookupSettings {
  readonly emailIdentity: string;
  readonly region?: string;
  readonly readerRole?: IConstruct;
  readonly assumeRoleArn?: string;
  readonly externalId?: string;
  readonly refreshToken?: string;
}

/** A lookup, as the rules see it. */
interface CrossStackLookup extends IConstruct {
  readonly stack: Stack;
  readonly identityAccount: string;
  readonly identityRegion: string;
}

/** A lookup whose attributes other stacks may use. */
interface StackLocalProducer extends IConstruct {
  /**
   * The lookup that reads the same identity in `stack`, or why `stack`
   * cannot read it. `create` runs when a new one is needed.
   */
  _readerFor(stack: Stack, create: (build: () => IConstruct) => IConstruct): ReadFrom;
}

/**
 * A lookup's props as seen from `stack`: the same identity, in the lookup's
 * region when it is known at synth time, and account (another account needs
 * `readerRole` or `assumeRoleArn`). Between environment-agnostic stacks, each
 * reads in the region it is deployed to. `readerRole` is the one a gate in
 * `stack` brings, which must agree with the lookup's.
 */
export function propsSeenFrom<P extends LookupSettings>(lookup: CrossStackLookup, props: P, stack: Stack, readerRole?: P['readerRole']): P {
  const own = props.readerRole;
  if (readerRole && readerRole !== own && (own || props.assumeRoleArn || stack === lookup.stack)) {
    fail(lookup, `a readerRole (${readerRole.node.path}) reads it from stack ${stack.node.path}, but the lookup reads it `
      + `${own ? `through ${own.node.path}` : props.assumeRoleArn ? 'through its assumeRoleArn' : `in its own account, ${lookup.identityAccount}`}: `
      + 'give both the same readerRole, or leave it out where the lookup has it.');
  }
  if (stack === lookup.stack) {
    return props;
  }
  const account = lookup.identityAccount;
  const role = own ?? readerRole;
  if (!role && !props.assumeRoleArn && !Token.isUnresolved(account) && !Token.isUnresolved(stack.account) && stack.account !== account) {
    fail(lookup, `the identity lives in account ${account}, and stack ${stack.node.path} is in account ${stack.account}: `
      + `give the lookup a readerRole (an EmailIdentityReaderRole in account ${account}), or an assumeRoleArn in account ${account}, to read it from there.`);
  }
  return { ...props, readerRole: role, region: props.region ?? regionSeenFrom(lookup.identityRegion, stack) };
}

/**
 * Why a lookup in `stack` could not be relied on to read the identity of
 * `lookup`, with what to do instead; undefined when it can. Decided on what
 * is known at synth time: an environment-agnostic stack's account and region
 * are only known when it deploys.
 */
export function whyUnreadableFrom(lookup: CrossStackLookup, props: LookupSettings, stack: Stack): string | undefined {
  const here = lookup.stack;
  const known = (value: string) => !Token.isUnresolved(value);
  const reads = 'a lookup there cannot read the identity';
  if (Stage.of(stack) !== Stage.of(here)) {
    return `stack ${stack.node.path} is in another stage, which cannot use it. Read the identity with a lookup in that stage.`;
  }
  if (props.readerRole) {
    // The reader role grants each stack that reads through it, in its own template: before aws-cdk-lib prepares the app.
    return `the lookup reads through the readerRole ${props.readerRole.node.path}, which must grant stack ${stack.node.path} before the app is synthesized. `
      + `Read the identity in stack ${stack.node.path} with EmailIdentityLookup.of(lookup, scope); the role must trust account ${stack.account}.`;
  }
  const values = [props.emailIdentity, props.region, props.assumeRoleArn, props.externalId, props.refreshToken];
  if (values.some((value) => value !== undefined && !known(value))) {
    return `the lookup's properties are only known at deploy time. Read the identity in stack ${stack.node.path} with EmailIdentityLookup.of(lookup, scope), which passes them there.`;
  }
  const account = lookup.identityAccount;
  if (!props.assumeRoleArn && (known(account) || known(stack.account)) && account !== stack.account) {
    return known(account) && known(stack.account)
      ? `the identity is in account ${account}, stack ${stack.node.path} in account ${stack.account}: ${reads} without a role. `
        + `Give the lookup an assumeRoleArn, a role in account ${account} that stack ${stack.node.path}'s lookups may assume; `
        + `or read it in stack ${stack.node.path} with a lookup of its own that has a readerRole (an EmailIdentityReaderRole in account ${account} that trusts account ${stack.account}).`
      : `stack ${(known(stack.account) ? here : stack).node.path} has no account at synth time, so it is unknown whether a lookup in stack ${stack.node.path} can read the identity. `
        + 'Give both stacks an env with the same account.';
  }
  const region = lookup.identityRegion;
  if (!known(region) && known(stack.region)) {
    return `the identity is in the region stack ${here.node.path} deploys to, unknown until then, and stack ${stack.node.path} is in ${stack.region}. `
      + `Give stack ${here.node.path} an env, or the lookup a region.`;
  }
  const partition = known(region) ? partitionOf(region) : undefined;
  const stackPartition = known(stack.region) ? partitionOf(stack.region) : undefined;
  if (partition && stackPartition && partition !== stackPartition) {
    return `the identity is in ${region}, partition ${partition}, and stack ${stack.node.path} in ${stack.region}, partition ${stackPartition}: ${reads} from another partition. `
      + `Use the attribute in a stack of partition ${partition}.`;
  }
  return undefined;
}

/**
 * A lookup attribute: a `Fn::GetAtt` where the consumer is in the lookup's
 * stack (or a stack nested in it); in any other stack, the same attribute of
 * that stack's own lookup of the identity, so that nothing is exported (the
 * value changes, and an export of a changing value blocks the exporting
 * stack's updates). Where that stack cannot read the identity itself (another
 * account without a role, another partition, a region only known at deploy
 * time), an error annotation on the consumer says why and what to do.
 */
export class StackLocalAttribute implements IResolvable {
  public readonly creationStack: string[] = [];
  /**
   * Stacks already told, so that each error is reported once however often
   * the attribute resolves: first while aws-cdk-lib prepares the app, with
   * the construct that uses it as the scope, then with others (the stack).
   */
  private readonly reported = new Set<Stack>();

  constructor(private readonly lookup: StackLocalProducer, private readonly name: string, private readonly getAtt: IResolvable) {}

  public resolve(context: IResolveContext): unknown {
    const consumer = topLevelStack(context.scope);
    const producer = topLevelStack(this.lookup);
    if (!consumer || !producer || consumer === producer) {
      return this.getAtt;
    }
    // While aws-cdk-lib prepares the app, its aspects have run and its
    // construct dependencies are settled: what a new lookup adds gets both here.
    const read = this.lookup._readerFor(consumer, (build) => (context.preparing ? settledAfterAspects(consumer, build) : build()));
    if ('reader' in read) {
      return read.reader._getAtt(this.name);
    }
    if (!this.reported.has(consumer)) {
      this.reported.add(consumer);
      Annotations.of(context.scope).addError(`${this.lookup.node.path}: its attribute ${this.name} is used in stack ${consumer.node.path}, `
        + `but the lookup is in stack ${producer.node.path}, and ${read.problem}`);
    }
    // Nothing exported: the error stops the CLI before anything deploys.
    return `<${this.name} of ${this.lookup.node.path}: unavailable in stack ${consumer.node.path}>`;
  }
}

/**
 * The stack whose template holds a construct's resources and outputs, nested
 * stacks included; undefined outside stacks.
 */
function topLevelStack(scope: IConstruct): Stack | undefined {
  let stack: Stack;
  try {
    stack = Stack.of(scope);
  } catch {
    return undefined;
  }
  while (stack.nestedStackParent) {
    stack = stack.nestedStackParent;
  }
  return stack;
}

/**
 * Builds constructs in `stack` after aws-cdk-lib has run the app's aspects
 * and turned construct dependencies into DependsOn (its prepare phase), and
 * gives them both: each new construct is visited by the aspects it inherits
 * (its stage's and its scopes', such as `Tags.of(app)`), and every
 * construct dependency in the stack, new ones included, becomes a DependsOn
 * or an order of stacks, as aws-cdk-lib does it.
 */
function settledAfterAspects(stack: Stack, build: () => IConstruct): IConstruct {
  const before = new Set(stack.node.findAll());
  const built = build();
  for (const construct of stack.node.findAll().filter((candidate) => !before.has(candidate))) {
    inheritedAspects(construct).forEach((aspect) => aspect.visit(construct));
  }
  for (const source of stack.node.findAll()) {
    for (const dependable of source.node.dependencies) {
      for (const target of Dependable.of(dependable).dependencyRoots) {
        const targets = target.node.findAll().filter(CfnResource.isCfnResource);
        for (const resource of source.node.findAll().filter(CfnResource.isCfnResource)) {
          targets.forEach((targetResource) => dependOn(resource, targetResource));
        }
      }
    }
  }
  return built;
}

/**
 * The aspects aws-cdk-lib applies to a construct, in its order: those of its
 * scopes from its stage down, by priority, an inherited one before a scope's
 * own at the same priority (a stable sort of inherited then own), each once.
 */
function inheritedAspects(construct: IConstruct): IAspect[] {
  const scopes = construct.node.scopes;
  const stage = Stage.of(construct);
  const applications = scopes.slice(stage ? scopes.indexOf(stage) : 0)
    .reduce<AspectApplication[]>((inherited, scope) => [...inherited, ...Aspects.of(scope).applied].sort((a, b) => a.priority - b.priority), []);
  return [...new Set(applications.map((application) => application.aspect))];
}

/** A DependsOn, or an order of stacks: aws-cdk-lib 2.27x names it addResourceDependency, and warns on the older name. */
function dependOn(resource: CfnResource, target: CfnResource): void {
  const renamed = (resource as { addResourceDependency?: (target: CfnResource) => void }).addResourceDependency;
  if (renamed) {
    renamed.call(resource, target);
  } else {
    resource.addDependency(target);
  }
}
