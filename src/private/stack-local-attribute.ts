/**
 * A lookup attribute used in another stack: that stack gets its own read of
 * the identity, decided when aws-cdk-lib prepares the app (where it would
 * otherwise create an export), or, where its own read is unsound, an error
 * annotation that `cdk synth` prints at once. Not exported from the package.
 */
import { Annotations, Aspects, CfnResource, Stack, Stage, type AspectApplication, type IAspect, type IResolvable, type IResolveContext } from 'aws-cdk-lib';
import { Dependable, type IConstruct } from 'constructs';

/** Where another stack reads a lookup's attributes: a lookup there, or why there can be none. */
export type ReaderIn = { readonly reader: IConstruct & { _getAtt(name: string): IResolvable } } | { readonly problem: string };

/** A lookup whose attributes other stacks may use. */
interface StackLocalProducer extends IConstruct {
  /**
   * The lookup that reads the same identity in `stack`, or why `stack`
   * cannot read it. `create` runs when a new one is needed.
   */
  _readerIn(stack: Stack, create: (build: () => IConstruct) => IConstruct): ReaderIn;
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
    const read = this.lookup._readerIn(consumer, (build) => (context.preparing ? settledAfterAspects(consumer, build) : build()));
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
