/**
 * The retry policy, in one place: the classes of failure, how long each is
 * retried (DEFAULT_RETRY, shown in docs/behaviour.md, whose table a test holds
 * against it), the backoff between attempts, and which failures a gate's next
 * poll cannot fix. `ses.ts` runs the loop.
 */
import { isRetryableByTrait, isServerError, isThrottlingError, isTransientError } from '@smithy/core/retry';
import { AssumeRoleFailed, DeadlineExceeded, RetriesExhausted, UnexpectedShape, unresolvedHost } from './errors';

/**
 * What went wrong, as far as retrying goes: each class is retried for as
 * long as waiting can plausibly fix it (RetryOptions says how long).
 */
export type RetryClass =
  /** SES's rate limit (429): expected under load, retried until the deadline. */
  | 'throttling'
  /** 5xx, dropped connections, timeouts: a blip passes in seconds, an outage does not. */
  | 'fault'
  /** The endpoint's host does not resolve (ENOTFOUND, EAI_AGAIN): a region typo or no route. */
  | 'unresolvedHost'
  /** AccessDenied from SES, or from STS when assuming a role: IAM is eventually consistent. */
  | 'accessDenied'
  /** Waiting will not help: not found, bad request, an unreadable answer. */
  | 'final';

/** How hard to retry SES. Throttling is expected: SES allows ~1 control-plane call a second. */
export interface RetryOptions {
  /** Attempts in all, first one included; the deadline usually ends them first. */
  readonly maxAttempts: number;
  /** Backoff before retry n is a random delay up to min(maxDelayMs, baseDelayMs * 2^n). */
  readonly baseDelayMs: number;
  readonly maxDelayMs: number;
  /**
   * How long AccessDenied is retried, from the first one: a lookup added to a
   * stack extends a policy (or a role's trust) just before it runs, and IAM
   * is eventually consistent. Also STS AccessDenied when assuming a role.
   */
  readonly accessDeniedGraceMs: number;
  /** How long 5xx, dropped connections and timeouts are retried, from the first one. */
  readonly faultGraceMs: number;
  /** How long a host that does not resolve is retried, from the first time. */
  readonly unresolvedHostGraceMs: number;
}

/**
 * A retry starts only within its class's window, so a class fails at most one
 * attempt (AWS_CALL_TIMEOUTS) after its window:
 * faults within 2 minutes, a host that does not resolve within 30 s.
 */
export const DEFAULT_RETRY: RetryOptions = {
  maxAttempts: 100,
  baseDelayMs: 500,
  maxDelayMs: 20_000,
  accessDeniedGraceMs: 30_000,
  faultGraceMs: 100_000,
  unresolvedHostGraceMs: 25_000,
};

/** How long after its first occurrence a class may still be retried; throttling until the caller's deadline. */
export function retryWindowMs(kind: RetryClass, retry: RetryOptions): number {
  switch (kind) {
    case 'throttling':
      return Infinity;
    case 'fault':
      return retry.faultGraceMs;
    case 'unresolvedHost':
      return retry.unresolvedHostGraceMs;
    case 'accessDenied':
      return retry.accessDeniedGraceMs;
    case 'final':
      return 0;
  }
}

/**
 * The wait before retry `attempt`: "full jitter", a random delay up to
 * min(maxDelayMs, baseDelayMs * 2^attempt), so that parallel lookups spread
 * out instead of retrying in step.
 *
 * @param random a number in [0, 1)
 */
export function nextDelay(attempt: number, retry: RetryOptions, random: number): number {
  return random * Math.min(retry.maxDelayMs, retry.baseDelayMs * 2 ** attempt);
}

/**
 * Which class of error this is, for retrying and for the reason. A role that
 * cannot be assumed is classed by STS's error: its AccessDenied, throttling
 * and faults pass like SES's.
 */
export function retryClass(error: unknown): RetryClass {
  if (error instanceof RetriesExhausted || error instanceof AssumeRoleFailed) {
    return retryClass(error.cause);
  }
  if (!(error instanceof Error) || error instanceof DeadlineExceeded || error instanceof UnexpectedShape) {
    return 'final';
  }
  if (error.name === 'AccessDeniedException' || error.name === 'AccessDenied') {
    return 'accessDenied';
  }
  if (unresolvedHost(error)) {
    return 'unresolvedHost';
  }
  if (!('$metadata' in error || 'code' in error || error.name === 'TimeoutError')) {
    return 'final';
  }
  const sdkError = error as Parameters<typeof isThrottlingError>[0];
  if (isThrottlingError(sdkError)) {
    return 'throttling';
  }
  return isRetryableByTrait(sdkError) || isTransientError(sdkError) || isServerError(sdkError) ? 'fault' : 'final';
}

/**
 * Errors that waiting for the next poll will not fix: those whose class was
 * already retried for its whole window, and answers that will not change.
 */
export function isPermanent(failure: unknown): boolean {
  const error = failure instanceof RetriesExhausted ? failure.cause : failure;
  const kind = retryClass(error);
  // A poll that ran out of its own time may do better at the next; any other final answer will not.
  return kind === 'accessDenied' || kind === 'unresolvedHost' || (kind === 'final' && !(error instanceof DeadlineExceeded));
}
