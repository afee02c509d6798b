/**
 * Every time budget of a deployment in one place: the functions' timeouts,
 * CloudFormation's service timeouts above them, and what the handlers spend
 * inside them. Each line says what it must stay below.
 */

export const MS_PER_SECOND = 1000;

/** Lambda's longest: hundreds of lookups created at once against SES's ~1 call a second need minutes. */
export const FUNCTION_TIMEOUT_SECONDS = 15 * 60;

/** CloudFormation gives up on a lookup this long after the function's timeout: a backstop for a function that cannot start. */
export const LOOKUP_SERVICE_TIMEOUT_MARGIN_SECONDS = 60;

/** A gate's service timeout is its own timeout plus this. */
export const GATE_SERVICE_TIMEOUT_MARGIN_SECONDS = 2 * 60;

/**
 * Time kept back from the function's timeout to answer CloudFormation: a
 * failed gate's DNS check (DNS_CHECK_TIMEOUT_MS) and the response's PUTs
 * (RESPONSE_PUT), with their pauses.
 */
export const ANSWER_RESERVE_MS = 15_000;

/** One DNS query of a failed gate's check, one try. */
export const DNS_CHECK_TIMEOUT_MS = 2_000;

/**
 * The response to CloudFormation's pre-signed URL: attempts, each at most
 * timeoutMs, with pauseMs times the attempt between them.
 */
export const RESPONSE_PUT = { attempts: 3, timeoutMs: 3_000, pauseMs: 200 } as const;

/**
 * One AWS call (SES, STS) from the handlers: to connect, and to answer.
 * The answer's limit must be set to throw (throwOnRequestTimeout): by
 * default the SDK only logs a warning and a hung call waits for the deadline.
 */
export const AWS_CALL_TIMEOUTS = { connectionTimeout: 5_000, requestTimeout: 15_000 } as const;

/** The gate's Invoke of itself, to go on waiting: short, so that a hung call fails in time for the gate to answer instead. */
export const INVOKE_CALL_TIMEOUTS = { connectionTimeout: 3_000, requestTimeout: 5_000 } as const;

/** How long assumed-role credentials last: STS's shortest, as a lookup takes minutes at most; the SDK refreshes them. */
export const ASSUMED_ROLE_SESSION_SECONDS = 15 * 60;

/** A lookup gives up on SES after this, well within the function's timeout. */
export const LOOKUP_MAX_WAIT_MS = 12 * 60_000;

/** One poll of a gate gives up on SES after this, and waits for the next poll. */
export const GATE_READ_MAX_WAIT_MS = 60_000;

/** A poll is only worth starting with at least this long to read SES. */
export const GATE_READ_MIN_WAIT_MS = 5_000;

/**
 * A monitor run keeps this back from the function's timeout to publish what
 * it read (PutMetricData, one call's AWS_CALL_TIMEOUTS and a retry).
 */
export const MONITOR_PUBLISH_RESERVE_MS = 25_000;

/** A monitor run reads one identity for at most this long (its share of the run, if less), then moves on. */
export const MONITOR_READ_MAX_WAIT_MS = 60_000;

/** A monitor run starts one read a second at most: SES's rate for control-plane calls, per account and region. */
export const MONITOR_READ_SPACING_MS = 1_000;

/** A monitor run starts a read only with at least this long for it. */
export const MONITOR_READ_MIN_WAIT_MS = 2_000;

/**
 * How often a monitor may run: no shorter than the function's timeout, so
 * that runs never overlap on SES's rate; no longer than a day.
 */
export const MONITOR_INTERVAL_LIMITS = { minMinutes: FUNCTION_TIMEOUT_SECONDS / 60, maxMinutes: 24 * 60 } as const;

/** Bounds of a gate's timing, checked at synth by the construct and at deploy by the handler. */
const GATE_LIMITS = {
  minPollIntervalSeconds: 5,
  maxPollIntervalSeconds: 600,
  /** Its service timeout, this plus the margin above, must stay within CloudFormation's hour. */
  maxTimeoutSeconds: 60 * 60 - GATE_SERVICE_TIMEOUT_MARGIN_SECONDS,
} as const;

/**
 * Why a gate's timing is out of bounds, or undefined: one wording, in the
 * construct's words, for the construct at synth time and the handler at
 * deploy time.
 */
export function gateTimingProblem(pollIntervalSeconds: number, timeoutSeconds: number): string | undefined {
  const { minPollIntervalSeconds, maxPollIntervalSeconds, maxTimeoutSeconds } = GATE_LIMITS;
  if (!(pollIntervalSeconds >= minPollIntervalSeconds && pollIntervalSeconds <= maxPollIntervalSeconds)) {
    return `pollInterval is ${pollIntervalSeconds} s; it must be between ${minPollIntervalSeconds} s and ${maxPollIntervalSeconds / SECONDS_PER_MINUTE} minutes.`;
  }
  if (!(timeoutSeconds >= pollIntervalSeconds && timeoutSeconds <= maxTimeoutSeconds)) {
    return `timeout is ${timeoutSeconds} s; it must be at least pollInterval and at most ${maxTimeoutSeconds / SECONDS_PER_MINUTE} minutes `
      + `(CloudFormation waits an hour at most); pollInterval is ${pollIntervalSeconds} s.`;
  }
  return undefined;
}

const SECONDS_PER_MINUTE = 60;
