/**
 * Where an identity is, as the constructs handle it (one `IdentityLocation`,
 * the wire's): the one way a construct finds an identity (`locationOf`), the
 * check of its literal values, reading through a reader role, and the order
 * against an identity this app creates. Nothing here grants access: the
 * functions' `_grantRead` does.
 */
import { Annotations, CfnResource, Stack, Token } from 'aws-cdk-lib';
import type * as ses from 'aws-cdk-lib/aws-ses';
import type { IConstruct } from 'constructs';
import { fail } from './errors';
import { partitionOf, unknownRegionProblem } from './region-facts';
import { locationProblem } from '../shared/validation';
import type { IdentityLocation } from '../shared/wire';

/**
 * An `EmailIdentityReaderRole`, as lookups and gates read through it: known
 * by its shape, since the public constructs import this module, not it them.
 */
export interface ReaderRole extends IConstruct {
  _grantReadTo(scope: IConstruct, emailIdentity: string, region: string | undefined): Pick<IdentityLocation, 'AssumeRoleArn' | 'ExternalId'>;
}

/** An identity that says itself where it is seen from another construct: an `EmailIdentityLookup`. */
interface LocatedIdentity extends IConstruct {
  _locationFrom(scope: IConstruct, readerRole?: ReaderRole): IdentityLocation;
}

/**
 * Where constructs in `scope`'s stack find an identity: a lookup's location
 * as seen from there, or an identity this app creates by its name; through
 * `readerRole`, if given, or the lookup's. Nothing is created or granted;
 * a reader role is checked, and `scope`'s stack deploys after it.
 */
export function locationOf(identity: ses.IEmailIdentity, scope: IConstruct, readerRole?: ReaderRole): IdentityLocation {
  if (isLocated(identity)) {
    return identity._locationFrom(scope, readerRole);
  }
  return throughReaderRole(scope, createdIdentityLocation(identity, scope, readerRole), readerRole);
}

/**
 * Where a construct that reads an identity itself (a gate, a monitor) finds
 * it, checked and passed to `grant` (the stack's functions' `_grantRead`);
 * a lookup in the reader's own stack has already done both.
 */
export function locationToRead(
  identity: ses.IEmailIdentity,
  reader: IConstruct,
  readerRole: ReaderRole | undefined,
  grant: (location: IdentityLocation) => unknown,
): IdentityLocation {
  const location = locationOf(identity, reader, readerRole);
  if (!(isLocated(identity) && Stack.of(identity) === Stack.of(reader))) {
    checkLocation(reader, location);
    grant(location);
  }
  return location;
}

function isLocated(identity: ses.IEmailIdentity): identity is ses.IEmailIdentity & LocatedIdentity {
  return typeof (identity as Partial<LocatedIdentity>)._locationFrom === 'function';
}

/**
 * The location `scope` reads at through `readerRole`: the role's ARN and
 * external id, after checking that nothing else names a role. Without a
 * reader role, `location` itself.
 */
export function throughReaderRole(scope: IConstruct, location: IdentityLocation, readerRole: ReaderRole | undefined): IdentityLocation {
  if (!readerRole) {
    return location;
  }
  if (location.AssumeRoleArn !== undefined) {
    fail(scope, 'readerRole and assumeRoleArn both name a role to assume; give one: readerRole for an '
      + 'EmailIdentityReaderRole of this app, or assumeRoleArn (with externalId) for a role made elsewhere.');
  }
  if (location.ExternalId !== undefined) {
    fail(scope, `externalId comes from the readerRole (${readerRole.node.path}); leave it out here.`);
  }
  return { ...location, ...readerRole._grantReadTo(scope, location.EmailIdentity, location.Region) };
}

/** The required prop of the lookups, for the error that says it is missing. */
export const IDENTITY_REQUIRED = { emailIdentity: 'the SES identity to read: a domain, such as "example.com", or an email address' } as const;

/**
 * Checks a location's literal values, naming `scope` in the error: the input
 * rules (tokens are the handler's, by the same rules) and the region facts.
 */
export function checkLocation(scope: IConstruct, location: IdentityLocation): void {
  const problem = locationProblem(location, Token.isUnresolved);
  if (problem) {
    fail(scope, problem);
  }
  if (location.Region !== undefined) {
    checkRegionFacts(scope, location.Region, Stack.of(scope));
  }
}

/**
 * Where `consumer` finds an identity that is not a lookup: by its name, in
 * its region; in another account, only through a `readerRole`.
 */
export function createdIdentityLocation(identity: ses.IEmailIdentity, consumer: IConstruct, readerRole?: ReaderRole): IdentityLocation {
  const stack = Stack.of(consumer);
  const account = identity.env.account;
  if (!readerRole && !Token.isUnresolved(account) && !Token.isUnresolved(stack.account) && account !== stack.account) {
    fail(consumer, `it reads ${identity.node.path}, which lives in account ${account}, from stack ${stack.node.path} in account ${stack.account}: `
      + `that needs a readerRole (an EmailIdentityReaderRole in account ${account} that trusts account ${stack.account}). `
      + 'Give it to a gate as its readerRole; for records, pass an EmailIdentityLookup of the identity\'s name that has it.');
  }
  return { EmailIdentity: createdName(identity), Region: regionSeenFrom(identity.env.region, stack) };
}

/**
 * Makes `construct` wait until an identity that is not a lookup exists: a
 * dependency in its stack, which aws-cdk-lib turns into the order of the
 * stacks across stacks. Identities that are only references have nothing to
 * wait for.
 */
export function waitForCreatedIdentity(construct: IConstruct, identity: ses.IEmailIdentity): void {
  // A lookup is no identity to wait for: it reads one, and waits itself for one this app creates.
  if (!isLocated(identity) && CfnResource.isCfnResource(identity.node.defaultChild)) {
    construct.node.addDependency(identity);
  }
}

/**
 * A region as another stack needs it to reach the same identity: undefined
 * (the stack's own) when it is the stack's or not known at synth time.
 */
export function regionSeenFrom(region: string, stack: Stack): string | undefined {
  return Token.isUnresolved(region) || region === stack.region ? undefined : region;
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
 * Holds a literal region against aws-cdk-lib's region facts: another
 * partition than the stack's is an error (the function's credentials cannot
 * reach it), a region the facts do not know a warning (a typo, or a region
 * newer than this aws-cdk-lib).
 */
function checkRegionFacts(scope: IConstruct, region: string, stack: Stack): void {
  if (Token.isUnresolved(region)) {
    return;
  }
  const partition = partitionOf(region);
  const unknown = unknownRegionProblem(region);
  if (partition === undefined) {
    Annotations.of(scope).addWarningV2('cdk-ses-identity-lookup:unknownRegion',
      `${unknown} A typo makes the deployment fail; a region newer than this aws-cdk-lib works, and upgrading aws-cdk-lib removes this warning.`);
    return;
  }
  const stackPartition = Token.isUnresolved(stack.region) ? undefined : partitionOf(stack.region);
  if (stackPartition !== undefined && stackPartition !== partition) {
    fail(scope, `region ${JSON.stringify(region)} is in partition ${partition}, and stack ${stack.node.path} `
      + `is in ${stack.region}, partition ${stackPartition}: a stack reads identities in its own partition only.`);
  }
}
