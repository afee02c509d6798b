import type { SESv2Client } from '@aws-sdk/client-sesv2';
import type { TargetProperties } from '../shared/wire';

/** Where a lookup ran, so that a failure says which account and region to look in. */
export interface LookupScope {
  readonly emailIdentity: string;
  readonly region: string;
  readonly account: string;
  readonly assumeRoleArn?: string;
}

/** Where a request reads: the client's region, and the role's account or else the stack's. */
export async function scopeOf(target: TargetProperties, client: SESv2Client, stackId: string): Promise<LookupScope> {
  return {
    emailIdentity: target.EmailIdentity,
    region: await client.config.region().catch(() => ''),
    account: accountOf(target.AssumeRoleArn) ?? accountOf(stackId) ?? '',
    assumeRoleArn: target.AssumeRoleArn,
  };
}

/** The account in an ARN (a stack id or a role ARN). */
function accountOf(arn: string | undefined): string | undefined {
  return arn?.split(':')[4] || undefined;
}

/**
 * A sentence a person can act on: which identity, where, what went wrong and
 * what to do. Short, because it shares the 4096-byte response.
 */
export function failureReason(failure: unknown, scope: LookupScope): string {
  const where = `in account ${scope.account || 'unknown'}, region ${scope.region || 'unknown'}`;
  const identity = JSON.stringify(scope.emailIdentity);
  const error = failure instanceof Attempted ? failure.cause : failure;
  const name = errorName(error);
  const detail = errorMessage(error);
  const attempts = failure instanceof Attempted && failure.attempts > 1 ? ` after ${failure.attempts} attempts` : '';
  if (isUnreadable(error)) {
    return `SES answered GetEmailIdentity for ${identity} ${where} with a response that could not be read (${name}: ${detail}). Deploy again; if it persists, check what sits between the function and SES.`;
  }
  switch (name) {
    case 'NotFoundException':
      return `SES email identity ${identity} does not exist ${where}. Create it in SES (identities are per region), or correct emailIdentity. (NotFoundException)`;
    case 'TooManyRequestsException':
    case 'ThrottlingException':
      return `SES kept throttling GetEmailIdentity for ${identity} ${where}${attempts} (${name}). Deploy again, or spread lookups over fewer stacks deployed at once.`;
    case 'AccessDeniedException':
      return scope.assumeRoleArn
        ? `Role ${scope.assumeRoleArn} may not call ses:GetEmailIdentity on ${identity} ${where} (AccessDeniedException: ${detail}). Grant it that action on the identity.`
        : `The lookup function may not call ses:GetEmailIdentity on ${identity} ${where} (AccessDeniedException: ${detail}). Check permission boundaries and SCPs.`;
    case 'BadRequestException':
      return `SES rejected ${identity} ${where} as an email identity name (BadRequestException: ${detail}). Pass a domain or email address.`;
    case 'AssumeRoleFailed':
      return `Could not assume role ${scope.assumeRoleArn} to read ${identity} ${where} (${detail}). The role's trust policy must allow the lookup function's role (EmailIdentityLookupProvider's roleArn), with the same external id if one is set.`;
    case 'UnexpectedShape':
      return `SES answered GetEmailIdentity for ${identity} ${where} with a response of unexpected shape: ${detail}. Check what sits between the function and SES.`;
    case 'DeadlineExceeded':
      return `SES did not answer GetEmailIdentity for ${identity} ${where} in time${attempts}. Deploy again; if it persists, check the SES endpoint and the function's network access.`;
    default:
      return `GetEmailIdentity for ${identity} ${where} failed${attempts} (${name}: ${detail}).`;
  }
}

/** Thrown when SES answers with fields of the wrong type. */
export class UnexpectedShape extends Error {
  public override readonly name = 'UnexpectedShape';
}

/** Thrown when the lookup must give up to leave time to answer CloudFormation. */
export class DeadlineExceeded extends Error {
  public override readonly name = 'DeadlineExceeded';
  constructor() {
    super('no answer in time');
  }
}

/** The last error of a call, and how many attempts it took. */
export class Attempted extends Error {
  public override readonly name = 'Attempted';
  constructor(public override readonly cause: unknown, public readonly attempts: number) {
    super(cause instanceof Error ? cause.message : String(cause));
  }
}

function errorName(error: unknown): string {
  return error instanceof Error ? error.name : 'Error';
}

/** The first line only: SDK messages go on with advice meant for programmers. */
function errorMessage(error: unknown): string {
  const message = (error instanceof Error ? error.message : String(error)).split('\n')[0].trim();
  return message.length > 300 ? message.slice(0, 300) + '…' : message;
}

/** The SDK could not parse what SES sent. */
function isUnreadable(error: unknown): boolean {
  return error instanceof Error && error.message.includes('Deserialization error');
}
