import { createHash } from 'node:crypto';
import { Stack, Token } from 'aws-cdk-lib';
import { fail } from './errors';

/**
 * Role names known before anything is deployed, so that a trust policy in
 * another account (or another tool) can name them first:
 *
 *   `<prefix>-<region>-<stack>`
 *
 * - prefix: `SesIdentityLookup` for the stack's lookup functions,
 *   `SesIdentityReader` for an `EmailIdentityReaderRole`;
 * - region: the stack's region (IAM names are per account, stacks per region);
 * - stack: the stack's name when it has at most 29 characters; otherwise its
 *   first 20 characters, `-`, and the first 8 hex digits of the SHA-256 of
 *   the whole name (Terraform: `substr(sha256(name), 0, 8)`).
 *
 * 17 + 1 + 16 + 1 + 29 = 64, IAM's longest role name, for regions of up to 16
 * characters (the longest today has 15).
 */
export const LOOKUP_ROLE_PREFIX = 'SesIdentityLookup';
const READER_ROLE_PREFIX = 'SesIdentityReader';

/** IAM's longest role name. */
const MAX_ROLE_NAME = 64;
const MAX_STACK_PART = 29;
const KEPT_STACK_CHARACTERS = 20;
const HASH_CHARACTERS = 8;

/**
 * The role name of the stack's lookup functions, or undefined where the
 * stack's name is only known at deploy time (a nested stack): CloudFormation
 * then generates it.
 */
export function lookupRoleName(stack: Stack): string | undefined {
  return Token.isUnresolved(stack.stackName) ? undefined : predictableRoleName(LOOKUP_ROLE_PREFIX, stack);
}

/** The default name of an `EmailIdentityReaderRole` in `stack` (whose name and region are literal). */
export function readerRoleName(stack: Stack): string {
  return predictableRoleName(READER_ROLE_PREFIX, stack);
}

function predictableRoleName(prefix: string, stack: Stack): string {
  const name = stack.stackName;
  const stackPart = name.length <= MAX_STACK_PART
    ? name
    : `${name.slice(0, KEPT_STACK_CHARACTERS)}-${createHash('sha256').update(name).digest('hex').slice(0, HASH_CHARACTERS)}`;
  const roleName = `${prefix}-${stack.region}-${stackPart}`;
  if (!Token.isUnresolved(stack.region) && roleName.length > MAX_ROLE_NAME) {
    fail(stack, `the role name ${roleName} would pass IAM's ${MAX_ROLE_NAME} characters: `
      + `region ${stack.region} is longer than the 16 characters the name allows for.`);
  }
  return roleName;
}
