import { DEFAULT_RETRY, type RetryOptions } from '../src/shared/time-budgets';

/** The production retry policy with delays short enough for a test, and AccessDenied and unresolved hosts final at once. */
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
