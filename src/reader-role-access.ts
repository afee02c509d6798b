/**
 * What lookups and gates do with a reader role: check that nothing else names
 * a role, and read through it. Not exported from the package; the role
 * itself is `EmailIdentityReaderRole`, which this module only knows by shape,
 * so that imports run one way.
 */
import type { IConstruct } from 'constructs';

/** What a lookup through a reader role tells its handler, and where the identity is. */
export interface ReaderRoleAccess {
  readonly roleArn: string;
  readonly externalId?: string;
  readonly account: string;
}

/** An `EmailIdentityReaderRole`, as lookups and gates use it. */
export interface ReaderRole extends IConstruct {
  _grantReadTo(scope: IConstruct, emailIdentity: string, region: string | undefined): ReaderRoleAccess;
}

/**
 * Where a lookup or gate (`scope`) reads through `target.readerRole`, after
 * checking that nothing else names a role; undefined without a reader role.
 */
export function readerRoleAccess(scope: IConstruct, target: ReaderRoleTarget): ReaderRoleAccess | undefined {
  const reader = target.readerRole;
  if (!reader) {
    return undefined;
  }
  if (target.assumeRoleArn !== undefined) {
    throw new Error(`${scope.node.path}: readerRole and assumeRoleArn both name a role to assume; give one: readerRole for an `
      + 'EmailIdentityReaderRole of this app, or assumeRoleArn (with externalId) for a role made elsewhere.');
  }
  if (target.externalId !== undefined) {
    throw new Error(`${scope.node.path}: externalId comes from the readerRole (${reader.node.path}); leave it out here.`);
  }
  return reader._grantReadTo(scope, target.emailIdentity, target.region);
}

/** Where an identity is, as a lookup or gate is given it, reader role included. */
export interface ReaderRoleTarget {
  readonly emailIdentity: string;
  readonly region?: string;
  readonly assumeRoleArn?: string;
  readonly externalId?: string;
  readonly readerRole?: ReaderRole;
}
