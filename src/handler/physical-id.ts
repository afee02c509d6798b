import { createHash } from 'node:crypto';
import type { ParsedGate } from './properties';
import type { LookupProperties } from '../shared/wire';

/**
 * Physical ids carry the identity's name and a digest of every property.
 *
 * Any change of properties makes a new id: CloudFormation then treats the
 * update as a replacement and deletes the old id, which costs nothing (Delete
 * does nothing). So an Update whose properties match its current id can only
 * be a rollback to properties that already succeeded: lookups skip their
 * requirements and gates pass at once, and a rollback never wedges the stack.
 * Which id a rollback after a replacing Update carries is not documented:
 * when the properties do not match, the stack's status decides (rollback.ts).
 */
export function lookupPhysicalId(properties: LookupProperties): string {
  const { EmailIdentity, Region, AssumeRoleArn, ExternalId, RefreshToken, Requirements } = properties;
  return `${EmailIdentity}/${digest([EmailIdentity, Region, AssumeRoleArn, ExternalId, RefreshToken, Requirements])}`;
}

export function gatePhysicalId(gate: ParsedGate): string {
  const { EmailIdentity, Region, AssumeRoleArn, ExternalId, Conditions, PollIntervalSeconds, TimeoutSeconds } = gate;
  return `${EmailIdentity}/gate-${digest([EmailIdentity, Region, AssumeRoleArn, ExternalId, Conditions, PollIntervalSeconds, TimeoutSeconds])}`;
}

function digest(parts: unknown[]): string {
  return createHash('sha256').update(JSON.stringify(parts)).digest('hex').slice(0, 16);
}
