/**
 * What lookups and gates do with a reader role: check that nothing else
 * names a role, and read through it. Not exported from the package; the role
 * itself is `EmailIdentityReaderRole`, which this module only knows by shape,
 * so that imports run one way.
 */
import type { IConstruct } from 'constructs';
import { fail } from './errors';
import type { IdentityLocation } from '../shared/wire';

/** What a lookup through a reader role tells its handler. */
export interface ReaderRoleAccess {
  readonly roleArn: string;
  readonly externalId?: string;
}

/** An `EmailIdentityReaderRole`, as lookups and gates use it. */
export interface ReaderRole extends IConstruct {
  _grantReadTo(scope: IConstruct, emailIdentity: string, region: string | undefined): ReaderRoleAccess;
}

/**
 * The location a lookup or gate (`scope`) reads at through `readerRole`: the
 * role's ARN and external id, after checking that nothing else names a role.
 * Without a reader role, `location` itself.
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
  const access = readerRole._grantReadTo(scope, location.EmailIdentity, location.Region);
  return { ...location, AssumeRoleArn: access.roleArn, ExternalId: access.externalId };
}
