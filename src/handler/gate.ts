import type { EmailIdentityDescription } from './encode';
import type { GateCondition, GateData } from '../shared/wire';

/** Time, injectable so that tests of long waits run in milliseconds. */
export interface Clock {
  now(): number;
  sleep(ms: number): Promise<void>;
}

export const SYSTEM_CLOCK: Clock = {
  now: () => Date.now(),
  sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
};

/** What one poll says of the conditions. */
export type Verdict =
  | { readonly state: 'passed' }
  | { readonly state: 'failed'; readonly because: string }
  | { readonly state: 'waiting'; readonly because: string };

/**
 * Checks every condition against one GetEmailIdentity response. A FAILED
 * status fails at once; PENDING, NOT_STARTED and TEMPORARY_FAILURE wait.
 */
export function evaluate(identity: EmailIdentityDescription, conditions: readonly GateCondition[]): Verdict {
  const unmet: string[] = [];
  for (const condition of conditions) {
    const verdict = check(identity, condition);
    if (verdict.state === 'failed') {
      return verdict;
    }
    if (verdict.state === 'waiting') {
      unmet.push(verdict.because);
    }
  }
  return unmet.length === 0 ? { state: 'passed' } : { state: 'waiting', because: unmet.join('; ') };
}

function check(identity: EmailIdentityDescription, condition: GateCondition): Verdict {
  switch (condition) {
    case 'IdentityVerified':
      return status('verification status', identity.VerificationStatus);
    case 'SendingEnabled':
      if (identity.VerifiedForSendingStatus === true) {
        return { state: 'passed' };
      }
      return identity.VerificationStatus === 'FAILED'
        ? { state: 'failed', because: 'the identity is not verified for sending and its verification FAILED' }
        : { state: 'waiting', because: 'the identity is not verified for sending yet' };
    case 'DkimVerified':
      return status('DKIM status', identity.DkimAttributes?.Status);
    case 'MailFromVerified':
      if (!identity.MailFromAttributes?.MailFromDomain) {
        return { state: 'failed', because: 'the identity has no custom MAIL FROM domain to verify' };
      }
      return status('MAIL FROM status', identity.MailFromAttributes.MailFromDomainStatus);
  }
}

function status(what: string, value: string | undefined): Verdict {
  if (value === 'SUCCESS') {
    return { state: 'passed' };
  }
  if (value === 'FAILED') {
    return { state: 'failed', because: `${what} is FAILED` };
  }
  return { state: 'waiting', because: `${what} is ${value ?? 'not reported'}` };
}

/** The statuses a reason shows, whatever the conditions. */
export function describeStatuses(identity: EmailIdentityDescription): string {
  const verification = identity.VerificationInfo;
  const parts = [
    `verification ${identity.VerificationStatus ?? 'unknown'}`,
    `verified for sending ${identity.VerifiedForSendingStatus ?? 'unknown'}`,
    `DKIM ${identity.DkimAttributes?.Status ?? 'unknown'}`,
    `MAIL FROM ${identity.MailFromAttributes?.MailFromDomainStatus ?? 'none'}`,
  ];
  if (verification?.ErrorType) {
    parts.push(`SES error type ${verification.ErrorType}`);
  }
  if (verification?.LastCheckedTimestamp) {
    parts.push(`last checked ${verification.LastCheckedTimestamp.toISOString()}`);
  }
  return parts.join(', ');
}

export function gateData(identity: EmailIdentityDescription, waitedMs: number): GateData {
  return {
    VerificationStatus: identity.VerificationStatus ?? '',
    VerifiedForSendingStatus: identity.VerifiedForSendingStatus === undefined ? '' : String(identity.VerifiedForSendingStatus),
    DkimStatus: identity.DkimAttributes?.Status ?? '',
    MailFromDomainStatus: identity.MailFromAttributes?.MailFromDomainStatus ?? '',
    WaitedSeconds: String(Math.round(waitedMs / 1000)),
  };
}
