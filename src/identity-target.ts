/**
 * Where an identity is, as a construct in some stack reads it: the checks of
 * a target's literal values, the permission to read it, the stack-local
 * attributes and the order against identities this app creates. Shared by
 * lookups and gates; not exported from the package.
 */
import { Annotations, CfnResource, Fn, Stack, Token, type IResolvable, type IResolveContext } from 'aws-cdk-lib';
import type * as ses from 'aws-cdk-lib/aws-ses';
import { RegionInfo } from 'aws-cdk-lib/region-info';
import type { IConstruct } from 'constructs';
import type { EmailIdentityLookupProps } from './email-identity-lookup';
import type { EmailIdentityReaderRole } from './email-identity-reader-role';
import { identityArns } from './identity-arn';
import { EmailIdentityLookupProvider } from './provider/lookup-provider';
import { readerRoleAccess } from './reader-role-access';
import { targetProblem, type Target } from './shared/validation';
import type { TargetProperties } from './shared/wire';

/** How constructs in a stack read an identity. */
export interface IdentitySource {
  /** Lookup properties that reach the identity from that stack. */
  readonly props: EmailIdentityLookupProps;
  /** Makes a construct in that stack wait until the identity exists. */
  waitFor(construct: IConstruct): void;
}

/** A target whose literal values are checked and that the stack's functions may read. */
export interface ReadableTarget {
  readonly region: string;
  readonly account: string;
  /** The identity's ARN. */
  readonly arn: string;
  /** The ARN as IAM must read it: `$`, `*` and `?` escaped. */
  readonly iamArn: string;
  readonly target: TargetProperties;
}

/**
 * Checks a target's literal values (tokens are the handler's, by the same
 * rules), lets the functions of `scope`'s stack read it, and says where it is.
 */
export function readableTarget(scope: IConstruct, given: EmailIdentityLookupProps): ReadableTarget {
  // A reader role is a role to assume whose ARN and external id it knows.
  const reader = readerRoleAccess(scope, given);
  const props = reader ? { ...given, assumeRoleArn: reader.roleArn, externalId: reader.externalId } : given;
  checkTarget(scope, props);
  const stack = Stack.of(scope);
  const region = props.region ?? stack.region;
  const account = reader?.account ?? (props.assumeRoleArn ? accountOfRole(props.assumeRoleArn) : stack.account);
  const { arn, iamArn } = identityArns(stack, props.emailIdentity, region, account);

  const provider = EmailIdentityLookupProvider.of(stack);
  if (props.assumeRoleArn) {
    provider._grantAssumeRole(props.assumeRoleArn);
  } else {
    provider._grantLookup({ name: props.emailIdentity, region, account, arn: iamArn });
  }
  const target: TargetProperties = {
    EmailIdentity: props.emailIdentity,
    Region: props.region,
    AssumeRoleArn: props.assumeRoleArn,
    ExternalId: props.externalId,
  };
  return { region, account, arn, iamArn, target };
}

/**
 * Checks a target's literal values, naming `scope` in the error: the input
 * rules (tokens are the handler's, by the same rules) and the region facts.
 */
export function checkTarget(scope: IConstruct, target: Target): void {
  const problem = targetProblem(target, Token.isUnresolved);
  if (problem) {
    throw new Error(`${scope.node.path}: ${problem}`);
  }
  if (target.region !== undefined) {
    checkRegionFacts(scope, target.region, Stack.of(scope));
  }
}

/** How constructs in `stack` read an identity that is not a lookup: by its name, after it exists. */
export function createdIdentitySource(identity: ses.IEmailIdentity, stack: Stack, readerRole?: EmailIdentityReaderRole): IdentitySource {
  const account = identity.env.account;
  if (!readerRole && !Token.isUnresolved(account) && !Token.isUnresolved(stack.account) && account !== stack.account) {
    throw new Error(`${identity.node.path}: the identity lives in account ${account}, and stack ${stack.node.path} is in account ${stack.account}: `
      + `read it with a readerRole (an EmailIdentityReaderRole in account ${account}), or an EmailIdentityLookup that has an assumeRoleArn in account ${account}.`);
  }
  return {
    props: { emailIdentity: createdName(identity), region: regionSeenFrom(identity.env.region, stack), readerRole },
    waitFor: (construct) => waitForIdentity(construct, identity),
  };
}

/**
 * A lookup attribute: a `Fn::GetAtt` where the consumer is in the lookup's
 * stack (or a stack nested in it), a synth error naming the fix in any other,
 * where CloudFormation would need an export of a value that changes.
 */
export class StackLocalAttribute implements IResolvable {
  public readonly creationStack: string[] = [];

  constructor(private readonly lookup: IConstruct, private readonly name: string, private readonly getAtt: IResolvable) {}

  public resolve(context: IResolveContext): unknown {
    const consumer = topLevelStack(context.scope);
    const producer = topLevelStack(this.lookup);
    if (consumer && producer && consumer !== producer) {
      throw new Error(`${this.lookup.node.path}: its attribute ${this.name} is used in stack ${consumer.node.path}, `
        + `but the lookup is in stack ${producer.node.path}. An export of a value that changes would block updates of stack ${producer.node.path}: `
        + `read it in stack ${consumer.node.path} through a lookup there, lookup.inStack(scope)`);
    }
    return this.getAtt;
  }
}

/** The construct id of a stack's lookup of an identity. */
export function copyId(identity: IConstruct): string {
  return `EmailIdentityLookup${identity.node.addr}`;
}

/**
 * A region as another stack needs it to reach the same identity: undefined
 * (the stack's own) when it is the stack's or not known at synth time.
 */
export function regionSeenFrom(region: string, stack: Stack): string | undefined {
  return Token.isUnresolved(region) || region === stack.region ? undefined : region;
}

/** The account of a role ARN, literal or token. */
function accountOfRole(roleArn: string): string {
  return Token.isUnresolved(roleArn) ? Fn.select(4, Fn.split(':', roleArn)) : roleArn.split(':')[4];
}

/** The stack whose template holds a construct's resources and outputs, nested stacks included; undefined outside stacks. */
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
 * The name an identity is created with, where it is known at synth time, so
 * that no stack exports it; its `emailIdentityName` (a `Ref`) otherwise.
 */
function createdName(identity: ses.IEmailIdentity): string {
  const resource = identity.node.defaultChild;
  if (CfnResource.isCfnResource(resource) && resource.cfnResourceType === 'AWS::SES::EmailIdentity') {
    const name = (resource as ses.CfnEmailIdentity).emailIdentity;
    if (typeof name === 'string' && !Token.isUnresolved(name)) {
      return name;
    }
  }
  return identity.emailIdentityName;
}

/**
 * Makes `construct` wait until `identity` exists: a dependency in its stack,
 * which aws-cdk-lib turns into the order of the stacks across stacks.
 * Identities that are only references have nothing to wait for.
 */
function waitForIdentity(construct: IConstruct, identity: ses.IEmailIdentity): void {
  if (CfnResource.isCfnResource(identity.node.defaultChild)) {
    construct.node.addDependency(identity);
  }
}

/**
 * Holds a literal region against aws-cdk-lib's region facts: another
 * partition than the stack's is an error (the function's credentials cannot
 * reach it), a region the facts do not know a warning (a typo, or a region
 * newer than this aws-cdk-lib).
 */
function checkRegionFacts(scope: IConstruct, region: string, stack: Stack): void {
  if (Token.isUnresolved(region)) {
    return;
  }
  const partition = RegionInfo.get(region).partition;
  if (partition === undefined) {
    Annotations.of(scope).addWarningV2('cdk-ses-identity-lookup:unknownRegion',
      `region ${JSON.stringify(region)} is not a region aws-cdk-lib knows (such as "eu-west-1"). A typo makes the deployment fail; `
      + 'a region newer than this aws-cdk-lib works, and upgrading aws-cdk-lib removes this warning.');
    return;
  }
  const stackPartition = Token.isUnresolved(stack.region) ? undefined : RegionInfo.get(stack.region).partition;
  if (stackPartition !== undefined && stackPartition !== partition) {
    throw new Error(`${scope.node.path}: region ${JSON.stringify(region)} is in partition ${partition}, and stack ${stack.node.path} `
      + `is in ${stack.region}, partition ${stackPartition}: a stack reads identities in its own partition only.`);
  }
}
