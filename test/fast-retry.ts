import type { RetryOptions } from '../src/shared/time-budgets';

/** The production retry policy with delays short enough for a test, and AccessDenied final at once. */
export const FAST_RETRY: RetryOptions = { maxAttempts: 3, baseDelayMs: 1, maxDelayMs: 5, accessDeniedGraceMs: 0 };
