import { DEFAULT_RETRY, type RetryOptions } from '../../src/handler/retry';

/** A retry policy for tests, not the production one: three attempts, millisecond delays, AccessDenied and unresolved hosts final at once. */
export const FAST_RETRY: RetryOptions = {
  maxAttempts: 3, baseDelayMs: 1, maxDelayMs: 5, accessDeniedGraceMs: 0, faultGraceMs: 1_000, unresolvedHostGraceMs: 0,
};

/** The production retry policy with every duration divided by `factor`: the same race, `factor` times faster. */
export function scaledRetry(factor: number): RetryOptions {
  const { maxAttempts, baseDelayMs, maxDelayMs, accessDeniedGraceMs, faultGraceMs, unresolvedHostGraceMs } = DEFAULT_RETRY;
  return {
    maxAttempts,
    baseDelayMs: baseDelayMs / factor,
    maxDelayMs: maxDelayMs / factor,
    accessDeniedGraceMs: accessDeniedGraceMs / factor,
    faultGraceMs: faultGraceMs / factor,
    unresolvedHostGraceMs: unresolvedHostGraceMs / factor,
  };
}
