/**
 * Where an identity is, as the constructs handle it (one `IdentityLocation`,
 * the wire's): the check of its literal values, the location of an identity
 * this app creates, and the order against it. Nothing here grants access:
 * the provider's `_grantRead` does. Shared by lookups and gates; not
 * exported from the package.
 */
import { Annotations, CfnResource, Stack, Token } from 'aws-cdk-lib';
import type * as ses from 'aws-cdk-lib/aws-ses';
import type { IConstruct } from 'constructs';
import type { EmailIdentityReaderRole } from '../email-identity-reader-role';
import { fail } from './errors';
import { partitionOf, unknownRegionProblem } from './region-facts';
import { locationProblem } from '../shared/validation';
import type { IdentityLocation } from '../shared/wire';

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
export function createdIdentityLocation(identity: ses.IEmailIdentity, consumer: IConstruct, readerRole?: EmailIdentityReaderRole): IdentityLocation {
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
  if (CfnResource.isCfnResource(identity.node.defaultChild)) {
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
