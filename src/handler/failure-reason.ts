import { AssumeRoleFailed, RetriesExhausted, unresolvedHost } from './errors';
import { retryClass } from './retry';
import { MS_PER_SECOND } from '../shared/time-budgets';
import type { IdentityLocation } from '../shared/wire';

/**
 * The one sentence each failure becomes: what went wrong where, and what to do.
 */

/**
 * A sentence a person can act on: which identity, where, what went wrong and
 * what to do. Short, because it shares the 4096-byte response.
 *
 * @param where the identity's location, and the region and account the read resolved it to
 */
export function failureReason(
  failure: unknown,
  where: { readonly location: IdentityLocation; readonly region: string; readonly account: string },
): string {
  const { location, region, account } = where;
  const inAccount = `in account ${account || 'unknown'}, region ${region || 'unknown'}`;
  const identity = JSON.stringify(location.EmailIdentity);
  const role = location.AssumeRoleArn;
  const error = failure instanceof RetriesExhausted ? failure.cause : failure;
  const name = errorName(error);
  const detail = errorMessage(error);
  const attempts = failure instanceof RetriesExhausted && failure.attempts > 1 ? ` after ${failure.attempts} attempts${seconds(failure.elapsedMs)}` : '';
  const unresolved = unresolvedHost(error);
  if (unresolved) {
    const what = error instanceof AssumeRoleFailed ? `assume role ${role} (STS)` : `read ${identity} (SES)`;
    return `Could not ${what} ${inAccount}: host ${unresolved.hostname} does not resolve (${unresolved.code})${attempts}. Check the region (${region || 'unknown'}: is it a region, with SES?) and the function's DNS and network access.`;
  }
  if (isUnreadable(error)) {
    return `SES answered GetEmailIdentity for ${identity} ${inAccount} with a response that could not be read (${name}: ${detail}). Deploy again; if it persists, check what sits between the function and SES.`;
  }
  switch (name) {
    case 'NotFoundException':
      return `SES email identity ${identity} does not exist ${inAccount}. Create it in SES (identities are per region), or correct emailIdentity. (NotFoundException)`;
    case 'TooManyRequestsException':
    case 'ThrottlingException':
      return `SES kept throttling GetEmailIdentity for ${identity} ${inAccount}${attempts} (${name}). Deploy again, or spread lookups over fewer stacks deployed at once.`;
    case 'AccessDeniedException':
      return role
        ? `Role ${role} may not call ses:GetEmailIdentity on ${identity} ${inAccount} (AccessDeniedException: ${detail}). Grant it that action on the identity.`
        : `The function may not call ses:GetEmailIdentity on ${identity} ${inAccount} (AccessDeniedException: ${detail}). Check permission boundaries and SCPs.`;
    case 'BadRequestException':
      return `SES rejected ${identity} ${inAccount} as an email identity name (BadRequestException: ${detail}). Pass a domain or email address.`;
    case 'AssumeRoleFailed': {
      const kind = retryClass(error);
      const advice = kind === 'throttling' || kind === 'fault'
        ? 'STS kept failing: deploy again later.'
        : kind === 'accessDenied'
          ? "The role's trust policy must allow the functions' role (EmailIdentityFunctions.getOrCreate(stack).role), with the same external id if one is set."
          // Refused for another reason than trust: no trust policy can fix it.
          : error instanceof AssumeRoleFailed && errorName(error.cause) === 'ValidationError'
            ? 'STS refused the request: check that assumeRoleArn is a role ARN and externalId is 2 to 1,224 of the characters STS allows (letters, digits, +=,.@:/-).'
            : 'STS refused the request: fix what it names, then deploy again.';
      return `Could not assume role ${role} to read ${identity} ${inAccount}${attempts} (${detail}). ${advice}`;
    }
    case 'UnexpectedShape':
      return `SES answered GetEmailIdentity for ${identity} ${inAccount} with a response of unexpected shape: ${detail}. Check what sits between the function and SES.`;
    case 'DeadlineExceeded':
      return `SES did not answer GetEmailIdentity for ${identity} ${inAccount} in time${attempts}. Deploy again; if it persists, check the SES endpoint and the function's network access.`;
    default:
      return retryClass(error) === 'fault'
        ? `SES kept failing GetEmailIdentity for ${identity} ${inAccount}${attempts} (${name}: ${detail}): server errors, dropped connections or timeouts that did not pass. Deploy again later; if it persists, check the AWS Health Dashboard for SES and the function's network access.`
        : `GetEmailIdentity for ${identity} ${inAccount} failed${attempts} (${name}: ${detail}).`;
  }
}

/** " in 98 s", from a second on. */
function seconds(ms: number): string {
  return ms >= MS_PER_SECOND ? ` in ${Math.round(ms / MS_PER_SECOND)} s` : '';
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
